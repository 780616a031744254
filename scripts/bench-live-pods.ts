import { performance } from "node:perf_hooks";
import { presetMachine } from "../src/machine/index.js";
import { Node } from "../src/node/index.js";
import { testPod, workedExampleConfig } from "../src/node/test-support.js";

/**
 * Admission cost against the number of live pods (issues 10 and 12): N pods admitted one after
 * the other on one node with every manager on (static CPU, Static memory, best-effort, container
 * scope), every twentieth with an exclusive CPU; the mean of the first 100 admissions against the
 * mean of the last 100. Flat means a ratio near 1 (the JIT is warmed up on a node of its own first).
 * Plus one pod with many containers, admitted alone.
 */

export interface LivePodsRow {
  machine: string;
  pods: number;
  first100Ms: number;
  last100Ms: number;
  /** last100Ms / first100Ms (means). */
  ratio: number;
  first100MedianMs: number;
  last100MedianMs: number;
  /** The same on medians: the exclusive-CPU pods (1 in 20) and GC pauses weigh on the means. */
  medianRatio: number;
  totalSeconds: number;
}

export interface WidePodRow {
  machine: string;
  containers: number;
  ms: number;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function livePods(machineName: string, pods: number): LivePodsRow {
  const machine = presetMachine(machineName);
  if (!machine) throw new Error(`no preset ${machineName}`);
  const config = workedExampleConfig("container", {
    topologyManagerPolicy: "best-effort",
    maxPods: pods + 1,
  });
  const list = Array.from({ length: pods }, (_, i) =>
    testPod(`p${i}`, {
      containers: [
        { name: "main", cpu: i % 20 === 0 ? "1" : "10m", memory: "32Mi" },
        { name: "helper", cpu: "10m", memory: "8Mi" },
      ],
    }),
  );
  // JIT warm-up on a node of its own, so that the first 100 measure the engine, not the compiler.
  const warm = new Node({ machine, config });
  for (const pod of list.slice(0, 300)) warm.admit(pod);
  const node = new Node({ machine, config });
  const times: number[] = [];
  const started = performance.now();
  for (const pod of list) {
    const t0 = performance.now();
    const r = node.admit(pod);
    times.push(performance.now() - t0);
    if (!r.admitted) throw new Error(`${machineName}: ${pod.uid} rejected: ${r.message}`);
  }
  const first100Ms = mean(times.slice(0, 100));
  const last100Ms = mean(times.slice(-100));
  return {
    machine: machineName,
    pods,
    first100Ms,
    last100Ms,
    ratio: last100Ms / first100Ms,
    first100MedianMs: median(times.slice(0, 100)),
    last100MedianMs: median(times.slice(-100)),
    medianRatio: median(times.slice(-100)) / median(times.slice(0, 100)),
    totalSeconds: (performance.now() - started) / 1000,
  };
}

function widePod(machineName: string, containers: number): WidePodRow {
  const machine = presetMachine(machineName);
  if (!machine) throw new Error(`no preset ${machineName}`);
  const node = new Node({ machine, config: workedExampleConfig("container") });
  node.admit(testPod("warm-up", { containers: [{ name: "c", cpu: "1m", memory: "1Mi" }] }));
  const pod = testPod("wide", {
    containers: Array.from({ length: containers }, (_, i) => ({ name: `c${i}`, cpu: "1m", memory: "1Mi" })),
  });
  const t0 = performance.now();
  node.admit(pod);
  return { machine: machineName, containers, ms: performance.now() - t0 };
}

export function benchLivePods(): { livePods: LivePodsRow[]; widePods: WidePodRow[] } {
  return {
    livePods: [livePods("synthetic-8n-512c", 5000), livePods("s8c4k", 5000)],
    widePods: [1000, 2000, 10_000].map((n) => widePod("worked-example", n)),
  };
}
