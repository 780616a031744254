import { chmod, lstat, unlink } from "node:fs/promises";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { AgentSetupError } from "../errors.js";
import type { ListenAddress } from "./listen-address.js";
import { clearStaleSocket, ensureSocketDir, withPrivateUmask } from "./unix-socket.js";

/** A bound HTTP server on one address. */
export interface Listener {
  readonly address: ListenAddress;
  /** Where it listens, with the port the system chose for `tcp://…:0`. */
  readonly url: string;
  /** Stops accepting, lets requests in progress finish (at most `graceMs`), removes a unix socket. */
  close(graceMs?: number): Promise<void>;
}

/** Room for a burst of clients connecting at once (the kernel caps it at net.core.somaxconn). */
const BACKLOG = 4096;

function bound(server: Server, listen: () => void, where: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off("listening", onListening);
      reject(new AgentSetupError(`${where}: cannot listen (${err.code ?? err.message})`));
    };
    const onListening = () => {
      server.off("error", onError);
      resolve();
    };
    server.once("error", onError);
    server.once("listening", onListening);
    listen();
  });
}

async function removeSocket(path: string): Promise<void> {
  try {
    if ((await lstat(path)).isSocket()) await unlink(path);
  } catch {
    // Already gone: nothing to clean.
  }
}

function closer(server: Server, after: () => Promise<void>) {
  return (graceMs = 10_000) =>
    new Promise<void>((resolve) => {
      const force = setTimeout(() => server.closeAllConnections(), graceMs);
      force.unref();
      server.close(() => {
        clearTimeout(force);
        after().then(resolve, resolve);
      });
      server.closeIdleConnections();
    });
}

/** Binds `server` to a unix socket (mode 0600, a stale socket replaced) or a TCP address. */
export async function listen(server: Server, address: ListenAddress): Promise<Listener> {
  if (address.kind === "unix") {
    const { path } = address;
    ensureSocketDir(path);
    await clearStaleSocket(path);
    await bound(server, () => withPrivateUmask(() => server.listen({ path, backlog: BACKLOG })), path);
    // The umask already made it 0600; this only guards against a platform that ignores it.
    await chmod(path, 0o600);
    return { address, url: `unix://${path}`, close: closer(server, () => removeSocket(path)) };
  }
  const where = `tcp://${address.host}:${address.port}`;
  await bound(
    server,
    () => server.listen({ host: address.host, port: address.port, backlog: BACKLOG }),
    where,
  );
  const port = (server.address() as AddressInfo).port;
  const host = address.host.includes(":") ? `[${address.host}]` : address.host;
  return { address, url: `tcp://${host}:${port}`, close: closer(server, async () => {}) };
}
