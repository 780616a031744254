import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { CPUSet } from "../../core/index.js";
import type { Machine } from "../../machine/index.js";
import type { NodeConfig } from "../../node/index.js";
import { machineM, workedExampleConfig } from "../../node/test-support.js";
import { type Agent, type AgentAddOn, startAgent } from "../agent.js";
import { memoryLog } from "../log.js";
import type { HttpLimits } from "./http-server.js";
import { type MemoryStateDir, memoryStateDir } from "./memory-state-dir.test-support.js";

/** Where a test request goes: a unix socket path, or a loopback TCP port (with the token to send). */
export type Target = { socketPath: string } | { port: number };

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface CallOptions {
  body?: string | Buffer;
  contentType?: string;
  token?: string;
  headers?: Record<string, string>;
}

/** One HTTP request to the agent, on a fresh connection. */
export function call(
  target: Target,
  method: string,
  path: string,
  opts: CallOptions = {},
): Promise<HttpAnswer> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.body !== undefined) headers["Content-Type"] = opts.contentType ?? "application/yaml";
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  return new Promise((resolve, reject) => {
    const where =
      "socketPath" in target ? { socketPath: target.socketPath } : { host: "127.0.0.1", port: target.port };
    const req = request({ ...where, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(opts.body);
  });
}

/** The JSON body of an answer (fails the test with the body when it is not JSON). */
export function json<T = Record<string, unknown>>(answer: HttpAnswer): T {
  try {
    return JSON.parse(answer.body) as T;
  } catch {
    throw new Error(`expected JSON, got ${answer.status}: ${answer.body.slice(0, 300)}`);
  }
}

export const TEST_TOKEN = "0123456789abcdef0123456789abcdef-test-token";

export interface TestAgent {
  agent: Agent;
  state: MemoryStateDir;
  unix: { socketPath: string };
  /** Present when started with `tcp: true`. */
  tcp?: { port: number };
  log: ReturnType<typeof memoryLog>;
  dir: string;
}

export interface TestAgentOptions {
  machine?: Machine;
  config?: NodeConfig;
  tcp?: boolean;
  limits?: Partial<HttpLimits>;
  commitDelayMs?: number;
  addOns?: AgentAddOn[];
}

/**
 * An agent on machine M with the worked examples' pod-scope kubelet (unless told otherwise), on an
 * in-memory state directory, listening on a unix socket in its own temp dir (and on a loopback port
 * with TEST_TOKEN when asked); closed and removed after the test.
 */
export async function startTestAgent(t: TestContext, opts: TestAgentOptions = {}): Promise<TestAgent> {
  const dir = mkdtempSync(join(tmpdir(), "podpin-agent-test-"));
  const socketPath = join(dir, "agent.sock");
  const state = memoryStateDir({
    machine: opts.machine ?? machineM(),
    config: opts.config ?? workedExampleConfig("pod"),
    commitDelayMs: opts.commitDelayMs,
  });
  const log = memoryLog();
  let agent: Agent;
  try {
    agent = await startAgent({
      state,
      listen: [
        { kind: "unix", path: socketPath },
        ...(opts.tcp ? [{ kind: "tcp" as const, host: "127.0.0.1", port: 0 }] : []),
      ],
      token: opts.tcp ? TEST_TOKEN : undefined,
      limits: opts.limits,
      log,
      addOns: opts.addOns,
    });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  t.after(async () => {
    await agent.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const tcpUrl = agent.urls.find((u) => u.startsWith("tcp://"));
  return {
    agent,
    state,
    unix: { socketPath },
    tcp: tcpUrl ? { port: Number(tcpUrl.split(":").pop()) } : undefined,
    log,
    dir,
  };
}

/** A Guaranteed pod with one container of `cpu` CPUs and `memory`, plus extras (devices) in its limits. */
export function guaranteedPod(
  name: string,
  cpu: string,
  memory: string,
  extra: Record<string, string> = {},
): string {
  const limits = JSON.stringify({ cpu, memory, ...extra });
  return `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: default, uid: uid-${name}}
spec:
  containers:
    - name: main
      image: busybox
      resources: {requests: ${limits}, limits: ${limits}}
`;
}

/** CPU sets parsed from their list form, for set arithmetic in assertions. */
export function cpuSet(text: string): CPUSet {
  return CPUSet.parse(text);
}
