import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { parentPort, workerData } from "node:worker_threads";
import { CHUNK, chunkAt, encodeInput, loadTargets } from "./fuzz-registry.js";

/**
 * One fuzz target in a worker thread (`scripts/fuzz.ts` watches it): draws inputs `from`..`runs`,
 * runs each, and reports every input that throws, takes over the time limit or allocates past the
 * heap limit. `state` tells the watcher which input is running since when, so a hang can be
 * stopped and named from outside.
 */

export interface WorkerJob {
  module: string;
  name: string;
  seed: number;
  from: number;
  runs: number;
  /** [0]: index of the running input (-1: none); as Float64 at byte 8: its start (ms since epoch). */
  state: SharedArrayBuffer;
  perInputMs: number;
  perInputHeapMB: number;
  heapGrowthMB: number;
}

export type WorkerMessage =
  | { kind: "failure"; index: number; reason: string; file: string; data: Uint8Array }
  | { kind: "progress"; done: number; slowestMs: number }
  | { kind: "fatal"; message: string };

setFlagsFromString("--expose-gc");
// A library's warnings (the YAML parser's, say) are not failures: keep them off the report.
process.removeAllListeners("warning");
process.on("warning", () => {});
const gc = runInNewContext("gc") as () => void;

const job = workerData as WorkerJob;
const port = parentPort;
if (!port) throw new Error("fuzz-worker runs as a worker thread");
const post = (m: WorkerMessage) => port.postMessage(m);

const { targets } = await loadTargets([job.module]);
const target = targets.find((t) => t.name === job.name);
if (!target) {
  post({ kind: "fatal", message: `target ${job.name} not found in ${job.module}` });
} else {
  const index = new Int32Array(job.state, 0, 1);
  const started = new Float64Array(job.state, 8, 1);
  const MB = 1024 * 1024;
  let chunk: unknown[] = [];
  let chunkNo = -1;
  let slowest = 0;
  gc();
  let baseline = -1;
  for (let i = job.from; i < job.runs; i++) {
    if (Math.floor(i / CHUNK) !== chunkNo) {
      chunkNo = Math.floor(i / CHUNK);
      chunk = chunkAt(target.arbitrary, job.seed, chunkNo);
    }
    const input = chunk[i % CHUNK];
    const heapBefore = process.memoryUsage().heapUsed;
    started[0] = Date.now();
    Atomics.store(index, 0, i);
    const t0 = performance.now();
    let reason: string | null = null;
    try {
      target.run(input);
    } catch (err) {
      const e = err as Error;
      reason = `${e?.name ?? "thrown"}: ${String(e?.message ?? err)
        .split("\n")
        .slice(0, 3)
        .join(" | ")
        .slice(0, 400)}`;
    }
    const ms = performance.now() - t0;
    Atomics.store(index, 0, -1);
    slowest = Math.max(slowest, ms);
    const grown = (process.memoryUsage().heapUsed - heapBefore) / MB;
    if (reason === null && ms > job.perInputMs)
      reason = `slow: ${ms.toFixed(0)} ms (limit ${job.perInputMs} ms)`;
    if (reason === null && grown > job.perInputHeapMB)
      reason = `heap: ${grown.toFixed(0)} MB live after one input (limit ${job.perInputHeapMB} MB)`;
    if (reason !== null) {
      const { file, data } = encodeInput(input);
      post({ kind: "failure", index: i, reason, file, data });
    }
    if ((i + 1) % 1000 === 0 || i + 1 === job.runs) {
      gc();
      const heap = process.memoryUsage().heapUsed / MB;
      if (baseline < 0) baseline = heap;
      else if (heap - baseline > job.heapGrowthMB) {
        const { file, data } = encodeInput(input);
        post({
          kind: "failure",
          index: i,
          reason: `heap grew ${(heap - baseline).toFixed(0)} MB over the run (limit ${job.heapGrowthMB} MB)`,
          file,
          data,
        });
        baseline = heap;
      }
      post({ kind: "progress", done: i + 1, slowestMs: slowest });
    }
  }
}
