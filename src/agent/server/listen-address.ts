import { isIP } from "node:net";
import { isAbsolute } from "node:path";
import { AgentSetupError } from "../errors.js";

export type ListenAddress = { kind: "unix"; path: string } | { kind: "tcp"; host: string; port: number };

export const DEFAULT_LISTEN = "unix:///run/podpin/agent.sock";

const EXPECTED = 'expected unix:///absolute/path.sock or tcp://HOST:PORT (e.g. "tcp://127.0.0.1:10260")';

/** `unix:///run/podpin/agent.sock` or `tcp://127.0.0.1:10260` (`tcp://[::1]:10260` for IPv6). */
export function parseListenAddress(spec: string): ListenAddress {
  const fail = (why: string) => new AgentSetupError(`--listen ${spec}: ${why}; ${EXPECTED}`);
  if (spec.startsWith("unix://")) {
    const path = spec.slice("unix://".length);
    if (!isAbsolute(path)) throw fail("the socket path must be absolute");
    // sockaddr_un holds 108 bytes with the terminating NUL.
    if (Buffer.byteLength(path) > 107) throw fail("the socket path is longer than 107 bytes");
    return { kind: "unix", path };
  }
  const m = /^tcp:\/\/(\[[0-9A-Fa-f:.]+\]|[^:/[\]]+):([0-9]{1,5})$/.exec(spec);
  if (!m) throw fail(spec.startsWith("tcp://") ? "expected HOST:PORT after tcp://" : "unknown scheme");
  const host = m[1].startsWith("[") ? m[1].slice(1, -1) : m[1];
  const port = Number(m[2]);
  if (port > 65535) throw fail(`port ${port} is out of range (0-65535)`);
  if (host !== "localhost" && isIP(host) === 0) throw fail(`${host} is not an IP address or localhost`);
  return { kind: "tcp", host, port };
}

/** Whether a TCP host is reachable only from this machine. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || /^127\./.test(host);
}
