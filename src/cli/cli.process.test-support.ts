import { spawn } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./cli.test-support.js";

const MAIN = join(ROOT, "src/cli/main.ts");
/** tsx's loader by its own path: `--import tsx` would be looked up from the child's working directory. */
export const TSX_LOADER = import.meta.resolve("tsx");

/** What one `podpin` child process printed and how it exited. */
export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `podpin <args>` as a child process (through tsx, as `npx tsx src/cli/main.ts` does), `stdin` its input. */
export function podpin(args: string[], cwd = ROOT, stdin = ""): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", TSX_LOADER, MAIN, ...args], {
      cwd,
      timeout: 60_000,
      env: { ...process.env, NO_COLOR: "1" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}
