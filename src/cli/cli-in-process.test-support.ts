import { main } from "./main.js";

/** What one `podpin` command line printed and how it exited. */
export interface InProcessRun {
  code: number;
  stdout: string;
  stderr: string;
}

let queue: Promise<unknown> = Promise.resolve();

async function runNow(args: readonly string[]): Promise<InProcessRun> {
  let stdout = "";
  let stderr = "";
  const writes = { out: process.stdout.write, err: process.stderr.write };
  const saved = process.exitCode;
  process.exitCode = undefined;
  // podpin writes strings; the test runner's own reports (Buffers of serialized events, which it
  // may flush at any time) go through untouched.
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    if (typeof chunk !== "string") return writes.out.call(process.stdout, chunk, ...rest);
    stdout += chunk;
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    if (typeof chunk !== "string") return writes.err.call(process.stderr, chunk, ...rest);
    stderr += chunk;
    return true;
  }) as typeof process.stderr.write;
  try {
    await main(args);
    return { code: Number(process.exitCode ?? 0), stdout, stderr };
  } finally {
    process.stdout.write = writes.out;
    process.stderr.write = writes.err;
    process.exitCode = saved;
  }
}

/**
 * `podpin <args>` run by the command's own `main()` in this process, its stdout, stderr and exit
 * code captured: the command line as a user runs it, without a child process per case. Runs are
 * queued, since they share the process's output streams. Standard input is the test process's:
 * cases that read `-` run a child process instead.
 */
export function runInProcess(args: readonly string[]): Promise<InProcessRun> {
  const run = queue.then(() => runNow(args));
  queue = run.catch(() => undefined);
  return run;
}
