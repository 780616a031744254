import { CPUSet } from "../src/core/index.js";
import { presetMachine } from "../src/machine/index.js";
import { DEFAULT_STATIC_POLICY_OPTIONS, takeByPolicy } from "../src/managers/cpu/index.js";
import { atMostMs, type BenchOptions, TAKE_TARGET_MS, type Target } from "./bench-targets.js";
import { performance } from "node:perf_hooks";
import { measure, type Timing } from "./bench-timing.js";

/**
 * The CPU Manager's take-by-topology (`takeByPolicy`, the static policy's default options) on the
 * 512-CPU preset, for 1, 64 and 300 CPUs, from an empty machine and from a fragmented one (a
 * seeded 30% of the CPUs, scattered, already taken).
 */

export interface TakeRow {
  machine: string;
  cpus: number;
  available: "empty" | "fragmented";
  availableCPUs: number;
  timing: Timing;
  target: Target;
}

const MACHINE = "synthetic-8n-512c";
const REQUESTS = [1, 64, 300];
const TAKEN_SHARE = 0.3;

/** Every CPU but a seeded scattered 30% (a linear congruential draw, the same on every run). */
function fragmented(all: CPUSet): CPUSet {
  let s = 12345;
  const keep: number[] = [];
  for (const cpu of all) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    if (s / 4294967296 >= TAKEN_SHARE) keep.push(cpu);
  }
  return CPUSet.fromIds(keep);
}

export function benchTake(opts: BenchOptions): TakeRow[] {
  const machine = presetMachine(MACHINE);
  if (!machine) throw new Error(`no preset ${MACHINE}`);
  const topology = machine.topology;
  const all = topology.all;
  const sets = { empty: all, fragmented: fragmented(all) } as const;
  const measureOpts = opts.quick
    ? { warmup: 2, minRuns: 10, maxRuns: 50, budgetMs: 50 }
    : { warmup: 10, minRuns: 100, maxRuns: 2000, budgetMs: 1500 };
  const cells = (["empty", "fragmented"] as const).flatMap((available) =>
    REQUESTS.map((cpus) => ({
      available,
      cpus,
      set: sets[available],
      take: () => takeByPolicy(topology, DEFAULT_STATIC_POLICY_OPTIONS, sets[available], cpus),
    })),
  );
  for (const { take, cpus, available } of cells)
    if (take().size !== cpus) throw new Error(`take-by-topology: ${cpus} CPUs not taken from ${available}`);
  // Every cell in turn until the JIT has settled, so that the first row is not timed cold.
  const until = performance.now() + (opts.quick ? 100 : 500);
  while (performance.now() < until) for (const { take } of cells) take();
  const rows: TakeRow[] = [];
  for (const { available, cpus, set, take } of cells) {
    // One call per sample: the calls last tens of µs, well above the clock's resolution.
    const timing = measure(() => {
      const t0 = performance.now();
      take();
      return performance.now() - t0;
    }, measureOpts);
    const target = atMostMs(timing.p50Ms, TAKE_TARGET_MS);
    rows.push({ machine: MACHINE, cpus, available, availableCPUs: set.size, timing, target });
  }
  return rows;
}
