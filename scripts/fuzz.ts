import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { corpusSlug, encodeInput, type FuzzTarget, inputAt, loadTargets } from "./fuzz-registry.js";
import type { WorkerJob, WorkerMessage } from "./fuzz-worker.js";

/**
 * `npm run fuzz [-- --runs N] [--target NAME] [--seed S] [--corpus DIR]`: every reader target and
 * the engine's admit/remove sequences, 100,000 inputs each by default. For each input: it parses
 * or is refused with a typed error (the target's `run` returns), never another exception; at most
 * 1 s; at most 256 MB live after it; and the heap of the whole run grows by at most 512 MB. Each
 * target runs in a worker thread capped at 2 GB of heap: an input that hangs (10 s) or exhausts
 * it is stopped, named and recorded, and the run goes on from the next input. Failing inputs are
 * written to `fuzz-corpus/new/<target>/` (gitignored); the inputs kept for good live in
 * `fuzz-corpus/<target>/`. `src/fuzz-corpus.test.ts` replays both in `npm test`.
 * Exits 1 on any failure or any target module that is missing.
 */

const USAGE = `usage: npm run fuzz -- [--runs N] [--target NAME] [--seed S] [--corpus DIR]
  --runs N       inputs per target (default 100000)
  --target NAME  only targets whose name contains NAME (repeatable)
  --seed S       first seed (default 1); the same seed draws the same inputs
  --corpus DIR   where failing inputs go (default fuzz-corpus/new, gitignored; move an input
                 to fuzz-corpus/<target>/ to keep it)`;

const PER_INPUT_MS = 1000;
const HANG_MS = 10_000;
const PER_INPUT_HEAP_MB = 256;
const HEAP_GROWTH_MB = 512;
const WORKER_HEAP_MB = 2048;

interface Options {
  runs: number;
  targets: string[];
  seed: number;
  corpus: string;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { runs: 100_000, targets: [], seed: 1, corpus: "fuzz-corpus/new" };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--runs") {
      opts.runs = Number(value());
      if (!Number.isSafeInteger(opts.runs) || opts.runs < 1) throw new Error("--runs: a positive integer");
    } else if (a === "--target") opts.targets.push(value());
    else if (a === "--seed") {
      opts.seed = Number(value());
      if (!Number.isSafeInteger(opts.seed)) throw new Error("--seed: an integer");
    } else if (a === "--corpus") opts.corpus = value();
    else if (a === "--help" || a === "-h") {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  return opts;
}

interface Failure {
  index: number;
  reason: string;
  file: string;
}

interface TargetResult {
  name: string;
  tried: number;
  failures: Failure[];
  slowestMs: number;
  seconds: number;
}

function record(opts: Options, target: FuzzTarget, file: string, data: Uint8Array): string {
  const dir = join(opts.corpus, corpusSlug(target.name));
  mkdirSync(dir, { recursive: true });
  const path = join(dir, file);
  writeFileSync(path, data);
  return path;
}

/** Runs one target to the end, restarting its worker after a hang or an exhausted heap. */
async function fuzzTarget(opts: Options, target: FuzzTarget): Promise<TargetResult> {
  const result: TargetResult = { name: target.name, tried: 0, failures: [], slowestMs: 0, seconds: 0 };
  const t0 = performance.now();
  let from = 0;
  while (from < opts.runs) {
    const state = new SharedArrayBuffer(16);
    const index = new Int32Array(state, 0, 1);
    const started = new Float64Array(state, 8, 1);
    index[0] = -1;
    const job: WorkerJob = {
      module: target.module,
      name: target.name,
      seed: opts.seed,
      from,
      runs: opts.runs,
      state,
      perInputMs: PER_INPUT_MS,
      perInputHeapMB: PER_INPUT_HEAP_MB,
      heapGrowthMB: HEAP_GROWTH_MB,
    };
    // Stopped at input `stoppedAt` (a hang or an exhausted heap), or null when the worker finished.
    const stoppedAt = await new Promise<{ index: number; reason: string } | null>((resolve) => {
      // A worker does not inherit tsx's loader: it registers it, then loads the TypeScript worker.
      const boot = `import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${JSON.stringify(
        new URL("./fuzz-worker.ts", import.meta.url).href,
      )}); }).catch((err) => { throw err; });`;
      const worker = new Worker(boot, {
        eval: true,
        workerData: job,
        resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
      });
      let stopped: { index: number; reason: string } | null = null;
      const watch = setInterval(() => {
        const i = Atomics.load(index, 0);
        if (i >= 0 && Date.now() - started[0] > HANG_MS) {
          stopped = { index: i, reason: `hang: no answer in ${HANG_MS / 1000} s` };
          void worker.terminate();
        }
      }, 250);
      worker.on("message", (m: WorkerMessage) => {
        if (m.kind === "failure") {
          record(opts, target, m.file, m.data);
          result.failures.push({ index: m.index, reason: m.reason, file: m.file });
        } else if (m.kind === "progress") {
          result.tried = m.done;
          result.slowestMs = Math.max(result.slowestMs, m.slowestMs);
        } else {
          result.failures.push({ index: -1, reason: m.message, file: "" });
          stopped = { index: opts.runs, reason: "" };
        }
      });
      worker.on("error", (err) => {
        const i = Atomics.load(index, 0);
        if (i >= 0) stopped ??= { index: i, reason: `worker died: ${err.message}` };
        else {
          // Not during an input: the target cannot run at all.
          result.failures.push({ index: -1, reason: `worker failed: ${err.message}`, file: "" });
          stopped = { index: opts.runs, reason: "" };
        }
      });
      worker.on("exit", () => {
        clearInterval(watch);
        const i = Atomics.load(index, 0);
        if (!stopped && i >= 0) stopped = { index: i, reason: "worker exited during the input" };
        resolve(stopped);
      });
    });
    if (stoppedAt === null) break;
    if (stoppedAt.index >= opts.runs) break;
    const input = inputAt(target.arbitrary, opts.seed, stoppedAt.index);
    const { file, data } = encodeInput(input);
    record(opts, target, file, data);
    result.failures.push({ index: stoppedAt.index, reason: stoppedAt.reason, file });
    result.tried = stoppedAt.index + 1;
    from = stoppedAt.index + 1;
  }
  result.seconds = (performance.now() - t0) / 1000;
  return result;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

async function main(): Promise<number> {
  let opts: Options;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`fuzz: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { targets, missing } = await loadTargets();
  for (const m of missing) process.stdout.write(`MISSING  ${m.module}: ${m.reason}\n`);
  const chosen = opts.targets.length
    ? targets.filter((t) => opts.targets.some((want) => t.name.includes(want)))
    : targets;
  if (chosen.length === 0) {
    process.stderr.write(`fuzz: no target matches ${opts.targets.join(", ")}\n`);
    process.stdout.write(`targets:\n${targets.map((t) => `  ${t.name}`).join("\n")}\n`);
    return 2;
  }
  process.stdout.write(
    `fuzzing ${chosen.length} target(s), ${opts.runs} inputs each, seed ${opts.seed}; failing inputs go to ${opts.corpus}/\n`,
  );
  const results: TargetResult[] = [];
  for (const target of chosen) {
    const r = await fuzzTarget(opts, target);
    results.push(r);
    process.stdout.write(
      `${r.failures.length === 0 ? "ok  " : "FAIL"}  ${r.name}: ${r.tried} inputs, ${r.failures.length} failures (${r.seconds.toFixed(1)} s)\n`,
    );
    for (const f of r.failures.slice(0, 5))
      process.stdout.write(
        `        input ${f.index}: ${f.reason}${f.file ? ` -> ${join(opts.corpus, corpusSlug(r.name), f.file)}` : ""}\n`,
      );
    if (r.failures.length > 5) process.stdout.write(`        ... and ${r.failures.length - 5} more\n`);
  }
  process.stdout.write(
    `\n${table(
      ["target", "inputs", "failures", "slowest input", "time"],
      results.map((r) => [
        r.name,
        String(r.tried),
        String(r.failures.length),
        `${r.slowestMs.toFixed(1)} ms`,
        `${r.seconds.toFixed(1)} s`,
      ]),
    )}\n`,
  );
  const failed = results.reduce((n, r) => n + r.failures.length, 0);
  process.stdout.write(
    `\n${results.reduce((n, r) => n + r.tried, 0)} inputs, ${failed} failures, ${missing.length} missing target modules\n`,
  );
  return failed > 0 || missing.length > 0 ? 1 : 0;
}

process.exitCode = await main();
