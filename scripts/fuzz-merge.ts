import { availableParallelism } from "node:os";
import { performance } from "node:perf_hooks";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import fc from "fast-check";
import {
  CASE_KINDS,
  type CaseKind,
  describeCase,
  differenceOf,
  familyMergeCaseArb,
} from "../src/managers/topology/merge-implicit.test-support.js";

/**
 * `npm run fuzz:merge [-- --cases N] [--seed S] [--workers W]`: the differential cases of
 * src/managers/topology/merge-implicit.property.test.ts by the million (default 1,000,000): the
 * implicit merge of random hint families against the list merges of the same families listed,
 * on machines of 1-12 NUMA nodes (the fast merge, and the reference enumeration on small products)
 * and 13-20 nodes (the subset-table path). Cases run in chunks on worker threads; a disagreement
 * is shrunk by fast-check and reported with the seed and path that replay it
 * (`--replay KIND:SEED:PATH`). Prints cases per second; exits 1 on any disagreement.
 */

const USAGE = `usage: npm run fuzz:merge -- [--cases N] [--seed S] [--workers W] [--replay KIND:SEED:PATH]
  --cases N     cases to run (default 1000000)
  --seed S      seed of the first chunk (default 1); the same seed draws the same cases
  --workers W   worker threads (default: the machine's parallelism, at most 4)
  --replay K:S:P  run one reported counterexample again (kind small|medium|large, seed, path)`;

/** Cases per chunk, and how a chunk divides among the kinds (the large ones cost ~100x a small one). */
const CHUNK = 2000;
const SHARE: Record<CaseKind, number> = { small: 1600, medium: 390, large: 10 };

interface Options {
  cases: number;
  seed: number;
  workers: number;
  replay: { kind: CaseKind; seed: number; path: string } | null;
}

interface ChunkJob {
  chunk: number;
  seed: number;
  counts: Record<CaseKind, number>;
}

interface Mismatch {
  kind: CaseKind;
  seed: number;
  path: string;
  difference: string;
  counterexample: unknown;
}

type WorkerReply =
  | { kind: "done"; chunk: number; cases: number; mismatches: Mismatch[] }
  | { kind: "fatal"; message: string };

function positive(flag: string, v: string | undefined): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new Error(`${flag}: expected a positive integer, got ${JSON.stringify(v)}`);
  return n;
}

function parseArgs(argv: readonly string[]): Options {
  const opts: Options = {
    cases: 1_000_000,
    seed: 1,
    workers: Math.min(4, availableParallelism()),
    replay: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => argv[++i];
    if (a === "--cases") opts.cases = positive(a, value());
    else if (a === "--workers") opts.workers = positive(a, value());
    else if (a === "--seed") {
      const v = value();
      opts.seed = Number(v);
      if (!Number.isSafeInteger(opts.seed))
        throw new Error(`--seed: expected an integer, got ${JSON.stringify(v)}`);
    } else if (a === "--replay") {
      const v = value() ?? "";
      const [kind, seed, ...path] = v.split(":");
      if (!(kind in CASE_KINDS) || !Number.isSafeInteger(Number(seed)))
        throw new Error(
          `--replay: expected KIND:SEED:PATH with KIND small, medium or large, got ${JSON.stringify(v)}`,
        );
      opts.replay = { kind: kind as CaseKind, seed: Number(seed), path: path.join(":") };
    } else if (a === "--help" || a === "-h") {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  return opts;
}

/** Runs `runs` cases of one kind from `seed`; the disagreement found (shrunk), if any. */
function runKind(kind: CaseKind, seed: number, runs: number, path?: string): Mismatch | null {
  let difference = "";
  const result = fc.check(
    fc.property(familyMergeCaseArb(CASE_KINDS[kind]), (c) => {
      const d = differenceOf(c, kind);
      if (d !== null) difference = d;
      return d === null;
    }),
    { numRuns: runs, seed, ...(path ? { path, endOnFailure: true } : {}) },
  );
  if (!result.failed || result.counterexample === null) return null;
  // The last difference seen is the shrunk counterexample's: recompute it to be sure.
  difference = differenceOf(result.counterexample[0], kind) ?? difference;
  return {
    kind,
    seed: result.seed,
    path: result.counterexamplePath ?? "",
    difference,
    counterexample: describeCase(result.counterexample[0]),
  };
}

function runChunk(job: ChunkJob): Mismatch[] {
  const out: Mismatch[] = [];
  for (const kind of Object.keys(job.counts) as CaseKind[]) {
    if (job.counts[kind] === 0) continue;
    const m = runKind(kind, job.seed * 3 + Object.keys(CASE_KINDS).indexOf(kind), job.counts[kind]);
    if (m) out.push(m);
  }
  return out;
}

function chunkJobs(opts: Options): ChunkJob[] {
  const jobs: ChunkJob[] = [];
  for (let done = 0, chunk = 0; done < opts.cases; chunk++) {
    const size = Math.min(CHUNK, opts.cases - done);
    const counts = { small: 0, medium: 0, large: 0 };
    let left = size;
    for (const kind of ["large", "medium"] as const) {
      counts[kind] = Math.min(left, Math.round((SHARE[kind] * size) / CHUNK));
      left -= counts[kind];
    }
    counts.small = left;
    jobs.push({ chunk, seed: opts.seed + chunk, counts });
    done += size;
  }
  return jobs;
}

function report(m: Mismatch): void {
  process.stdout.write(
    `\nMISMATCH (${m.kind}): ${m.difference}\n  replay: npm run fuzz:merge -- --replay ${m.kind}:${m.seed}:${m.path}\n  case: ${JSON.stringify(m.counterexample, (_k, v) => (typeof v === "bigint" ? String(v) : v))}\n`,
  );
}

async function main(): Promise<void> {
  let opts: Options;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`fuzz:merge: ${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (opts.replay) {
    const m = runKind(opts.replay.kind, opts.replay.seed, 1, opts.replay.path);
    if (m) report(m);
    else process.stdout.write("the case agrees now\n");
    process.exit(m ? 1 : 0);
  }
  const jobs = chunkJobs(opts);
  const started = performance.now();
  let cases = 0;
  const mismatches: Mismatch[] = [];
  let lastReport = started;
  const boot = `import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${JSON.stringify(
    import.meta.url,
  )}); }).catch((err) => { throw err; });`;
  let next = 0;
  const runWorker = () =>
    new Promise<void>((resolve, reject) => {
      const worker = new Worker(boot, { eval: true, workerData: { fuzzMergeWorker: true } });
      const give = () => {
        if (next >= jobs.length || mismatches.length > 0) {
          void worker.terminate().then(() => resolve());
          return;
        }
        worker.postMessage(jobs[next++]);
      };
      worker.on("message", (reply: WorkerReply) => {
        if (reply.kind === "fatal") {
          reject(new Error(reply.message));
          void worker.terminate();
          return;
        }
        cases += reply.cases;
        for (const m of reply.mismatches) {
          mismatches.push(m);
          report(m);
        }
        const now = performance.now();
        if (now - lastReport > 10_000) {
          lastReport = now;
          process.stdout.write(
            `${cases.toLocaleString("en-US")} / ${opts.cases.toLocaleString("en-US")} cases, ${Math.round((cases * 1000) / (now - started)).toLocaleString("en-US")} cases/s\n`,
          );
        }
        give();
      });
      worker.on("error", reject);
      worker.on("online", give);
    });
  process.stdout.write(
    `fuzz:merge: ${opts.cases.toLocaleString("en-US")} cases from seed ${opts.seed} on ${opts.workers} worker threads\n`,
  );
  await Promise.all(Array.from({ length: Math.min(opts.workers, jobs.length) }, runWorker));
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    `${cases.toLocaleString("en-US")} cases in ${seconds.toFixed(1)} s (${Math.round(cases / seconds).toLocaleString("en-US")} cases/s), ${mismatches.length} mismatches\n`,
  );
  process.exit(mismatches.length > 0 ? 1 : 0);
}

if (isMainThread) {
  void main().catch((err) => {
    process.stderr.write(`fuzz:merge: ${(err as Error).message}\n`);
    process.exit(1);
  });
} else if ((workerData as { fuzzMergeWorker?: boolean } | null)?.fuzzMergeWorker) {
  const port = parentPort!;
  port.on("message", (job: ChunkJob) => {
    try {
      const mismatches = runChunk(job);
      const cases = job.counts.small + job.counts.medium + job.counts.large;
      port.postMessage({ kind: "done", chunk: job.chunk, cases, mismatches } satisfies WorkerReply);
    } catch (err) {
      port.postMessage({ kind: "fatal", message: (err as Error).stack ?? String(err) } satisfies WorkerReply);
    }
  });
}
