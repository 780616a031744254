import { performance } from "node:perf_hooks";
import type { Pod } from "../src/k8s/index.js";
import { presetMachine } from "../src/machine/index.js";
import { Node } from "../src/node/index.js";
import { testPod, workedExampleConfig } from "../src/node/test-support.js";
import { atMost, type BenchOptions, LIVE_PODS_RATIO_TARGET, type Target } from "./bench-targets.js";
import { type MeasureOptions, measure, measureInterleaved, type Timing } from "./bench-timing.js";

/**
 * Admission cost against the number of live pods: one node (static CPU, Static memory,
 * best-effort, container scope) filled with small pods, every hundredth with an exclusive CPU;
 * on a node holding 10 live pods and on one holding 10,000, a probe pod (two containers, one
 * exclusive CPU) is admitted and removed, and the two p50s are compared. Flat means a ratio near
 * 1. The two nodes are sampled in turns (ten passes), so that a drift in the host's speed, which
 * on a virtual machine can reach 1.7x for seconds, weighs on both alike. Filling stops at a time
 * budget, and the row says how many pods it reached.
 *
 * Every probe sample is a pod of its own UID, as real pods are. Admitting and removing the same
 * UID thousands of times measures V8 instead of the engine: a deleted Map entry stays in its
 * hash bucket's chain until the table is rebuilt, and a big table (10,000 live pods) is rebuilt
 * only every few thousand insertions, so that one key's chain grows to thousands of dead entries
 * and every lookup of it walks them (about 17 µs per add/remove cycle against 0.3 µs for fresh
 * keys, on a bare Map of 10,000 entries).
 */

export interface LivePodsRow {
  machine: string;
  /** Live pods of the first and second measurement (the second as far as the fill budget went). */
  fewPods: number;
  manyPods: number;
  /** The many-pods size asked for. */
  manyPodsWanted: number;
  few: Timing;
  many: Timing;
  /** many p50 / few p50. */
  ratio: number;
  /** Seconds spent admitting the filler pods. */
  fillSeconds: number;
  target: Target;
}

function fillerPod(i: number): Pod {
  return testPod(`filler-${i}`, {
    containers: [
      { name: "main", cpu: i % 100 === 0 ? "1" : "10m", memory: "16Mi" },
      { name: "helper", cpu: "10m", memory: "8Mi" },
    ],
  });
}

function probePod(uid: string): Pod {
  return testPod(uid, {
    containers: [
      { name: "main", cpu: "1", memory: "64Mi" },
      { name: "helper", cpu: "10m", memory: "8Mi" },
    ],
  });
}

let probeRound = 0;

/** A probe sample on `node`, with its pods built before the clock starts, enough for every sample. */
function probeSample(node: Node, opts: MeasureOptions): () => number {
  const round = probeRound++;
  const probes = Array.from({ length: opts.warmup + Math.max(opts.minRuns, opts.maxRuns) }, (_, i) =>
    probePod(`probe-${round}-${i}`),
  );
  let next = 0;
  return () => {
    const probe = probes[next++];
    const t0 = performance.now();
    const r = node.admit(probe);
    const spent = performance.now() - t0;
    if (!r.admitted) throw new Error(`live pods: the probe pod was rejected: ${r.message}`);
    node.remove(probe.uid);
    return spent;
  };
}

/** Passes over the two nodes (see `measureInterleaved`). */
const ROUNDS = 10;

function livePods(
  machineName: string,
  fewPods: number,
  manyPods: number,
  fillBudgetMs: number,
  opts: MeasureOptions,
  rounds: number,
) {
  const machine = presetMachine(machineName);
  if (!machine) throw new Error(`no preset ${machineName}`);
  const config = workedExampleConfig("container", {
    topologyManagerPolicy: "best-effort",
    maxPods: manyPods + 2,
  });
  // JIT warm-up on a node of its own, so that the few-pods figure measures the engine, not the compiler.
  const warm = new Node({ machine, config });
  for (let i = 0; i < 300; i++) warm.admit(fillerPod(i));
  measure(probeSample(warm, opts), opts);

  let fillMs = 0;
  const filled = (n: number) => {
    const node = new Node({ machine, config });
    let live = 0;
    const t0 = performance.now();
    while (live < n && performance.now() - t0 < fillBudgetMs) {
      const pod = fillerPod(live);
      const r = node.admit(pod);
      if (!r.admitted) throw new Error(`live pods: ${pod.uid} rejected on ${machineName}: ${r.message}`);
      live++;
    }
    fillMs += performance.now() - t0;
    return { node, live };
  };
  const few = filled(fewPods);
  const many = filled(manyPods);
  const [fewTiming, manyTiming] = measureInterleaved(
    [
      { sample: probeSample(few.node, opts), opts },
      { sample: probeSample(many.node, opts), opts },
    ],
    rounds,
  );
  const ratio = manyTiming.p50Ms / fewTiming.p50Ms;
  return {
    machine: machineName,
    fewPods: few.live,
    manyPods: many.live,
    manyPodsWanted: manyPods,
    few: fewTiming,
    many: manyTiming,
    ratio,
    fillSeconds: fillMs / 1000,
    target: atMost(ratio, LIVE_PODS_RATIO_TARGET),
  } satisfies LivePodsRow;
}

export function benchLivePods(opts: BenchOptions): LivePodsRow[] {
  const timing: MeasureOptions = opts.quick
    ? { warmup: 3, minRuns: 20, maxRuns: 200, budgetMs: 100 }
    : { warmup: 20, minRuns: 200, maxRuns: 3000, budgetMs: 2000 };
  const many = opts.quick ? 1000 : 10_000;
  const fillBudgetMs = opts.quick ? 10_000 : 120_000;
  return [livePods("synthetic-8n-512c", 10, many, fillBudgetMs, timing, opts.quick ? 1 : ROUNDS)];
}
