import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { POD_SCOPE_CONFIG, ROOT } from "./cli.test-support.js";

/** A temporary directory for one test's agent (state directory, socket), removed after the test. */
export function agentScratchDir(t: { after(fn: () => void): void }, prefix = "podpin-agent-cli-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The unix socket `agentArgs` makes the agent listen on. */
export function agentSocket(dir: string): string {
  return join(dir, "agent.sock");
}

/**
 * `podpin agent` arguments for `machine` with the pod-scope kubelet configuration, the state
 * directory `<dir>/state` and a listener on `agentSocket(dir)`, then `extra`.
 */
export function agentArgs(dir: string, extra: string[] = [], machine = "worked-example"): string[] {
  return [
    "-m",
    machine,
    "-c",
    POD_SCOPE_CONFIG,
    "--state-dir",
    join(dir, "state"),
    "--listen",
    `unix://${agentSocket(dir)}`,
    ...extra,
  ];
}

/** A `podpin agent` child process and what it has written to stderr so far. */
export interface AgentProcess {
  child: ChildProcess;
  stderr(): string;
  /** The listener URLs from the agent's `ready` log line. */
  urls: string[];
  /** Resolves with the exit code (or signal) once the process has ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `podpin agent <args>` (through tsx, as the other process tests run the CLI) and waits for
 * its `ready` line, or for it to exit (then `urls` is empty and `exited` tells how).
 */
export async function startAgentProcess(args: string[], timeoutMs = 60_000): Promise<AgentProcess> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(ROOT, "src/cli/main.ts"), "agent", ...args],
    {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1" },
    },
  );
  let stderr = "";
  child.stdout?.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const urls = await new Promise<string[]>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`podpin agent did not get ready in ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    child.stderr?.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
      const m = /msg=ready listen=(\S+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1].split(","));
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      resolve([]);
    });
  });
  return { child, stderr: () => stderr, urls, exited };
}

/** Stops an agent process that is still running (a test's cleanup). */
export async function killAgentProcess(p: AgentProcess): Promise<void> {
  if (p.child.exitCode === null && p.child.signalCode === null) {
    p.child.kill("SIGKILL");
    await p.exited;
  }
}
