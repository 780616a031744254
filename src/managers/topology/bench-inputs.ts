import { type BitMask, iterateBitMasks, maskCount } from "./bitmask.js";
import type { HintSlots, MergeContext } from "./compare.js";
import type { TopologyHint } from "./hint.js";
import { HintFamily } from "./hint-family.js";
import { NUMAInfo } from "./numa-info.js";

/** A merge input for benchmarks: the context and one hint list per resource. */
export interface MergeBenchInput {
  ctx: MergeContext;
  slots: HintSlots;
  /** Hints per slot, for reporting. */
  hintsPerSlot: number[];
}

export interface MergeBenchOptions {
  /** Largest NUMA mask a provider lists (default: all nodes while 2^N stays below `maxHints`). */
  maxMaskSize?: number;
  /** Stop listing masks per resource beyond this many (default 2^20). */
  maxHints?: number;
  /** Seed of the deterministic capacity and request draw. */
  seed?: number;
  /** Give the resources preferred masks that disagree, which forces the non-preferred phase. */
  conflicting?: boolean;
  preferClosestNUMA?: boolean;
}

/** A small deterministic generator (mulberry32), so that runs are reproducible. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Provider-like hint lists for `numaNodes` nodes and `resources` resources: each resource has a
 * random free amount per node and a request; every mask (up to `maxMaskSize` nodes, in
 * `IterateBitMasks` order) whose free total covers the request becomes a hint, preferred when it
 * has the fewest nodes that could hold the request, as the CPU and Memory Managers do.
 */
export function benchMergeInputs(
  numaNodes: number,
  resources: number,
  options: MergeBenchOptions = {},
): MergeBenchInput {
  const random = generator(options.seed ?? 1);
  const nodes = Array.from({ length: numaNodes }, (_, i) => i);
  const maxHints = options.maxHints ?? 1 << 20;
  const maxMaskSize = options.maxMaskSize ?? numaNodes;
  const distances = new Map(nodes.map((i) => [i, nodes.map((j) => (i === j ? 10 : 11 + Math.abs(i - j)))]));
  const numa = NUMAInfo.create(nodes, distances, true);
  if (typeof numa === "string") throw new Error(numa);
  const slots: TopologyHint[][] = [];
  for (let r = 0; r < resources; r++) {
    const free = nodes.map(() => Math.floor(random() * 8));
    if (options.conflicting) free[r % numaNodes] += 16;
    const request = options.conflicting ? 16 : 1 + Math.floor(random() * 12);
    const hints: TopologyHint[] = [];
    let minCount = Number.POSITIVE_INFINITY;
    iterateBitMasks(nodes, (mask: BitMask) => {
      const count = maskCount(mask);
      if (count > maxMaskSize || hints.length >= maxHints) return false;
      let total = 0;
      for (let i = 0; i < numaNodes; i++) if ((mask >> BigInt(i)) & 1n) total += free[i];
      if (total >= request) {
        minCount = Math.min(minCount, count);
        hints.push({ affinity: mask, preferred: false });
      }
      return true;
    });
    for (const h of hints) h.preferred = maskCount(h.affinity!) === minCount;
    slots.push(hints);
  }
  return {
    ctx: { numa, preferClosestNUMA: options.preferClosestNUMA ?? false },
    slots,
    hintsPerSlot: slots.map((s) => s.length),
  };
}

/** A merge input as hint families, for benchmarks of the implicit merge against the list merges. */
export interface FamilyBenchInput {
  ctx: MergeContext;
  families: HintFamily[];
}

/**
 * The same draw as `benchMergeInputs` (free amounts per node, a request per resource) as hint
 * families: every mask whose free total covers the request, preferred at the fewest nodes that
 * could hold it. Listed, a family is what `benchMergeInputs` lists for the same seed.
 */
export function benchFamilyInputs(
  numaNodes: number,
  resources: number,
  options: Pick<MergeBenchOptions, "seed" | "conflicting" | "preferClosestNUMA"> = {},
): FamilyBenchInput {
  const random = generator(options.seed ?? 1);
  const nodes = Array.from({ length: numaNodes }, (_, i) => i);
  const distances = new Map(nodes.map((i) => [i, nodes.map((j) => (i === j ? 10 : 11 + Math.abs(i - j)))]));
  const numa = NUMAInfo.create(nodes, distances, true);
  if (typeof numa === "string") throw new Error(numa);
  const all = nodes.reduce((m, i) => m | (1n << BigInt(i)), 0n);
  const families: HintFamily[] = [];
  for (let r = 0; r < resources; r++) {
    const free = nodes.map(() => Math.floor(random() * 8));
    if (options.conflicting) free[r % numaNodes] += 16;
    const request = options.conflicting ? 16 : 1 + Math.floor(random() * 12);
    const sorted = [...free].sort((a, b) => b - a);
    let fewest = numaNodes;
    for (let k = 1, sum = 0; k <= numaNodes; k++) {
      sum += sorted[k - 1];
      if (sum >= request) {
        fewest = k;
        break;
      }
    }
    families.push(
      new HintFamily({
        nodes,
        core: { allowed: all, required: 0n, minCount: 1, constraints: [{ values: free, need: request }] },
        extras: [],
        preferredCount: fewest,
        alignment: null,
      }),
    );
  }
  return { ctx: { numa, preferClosestNUMA: options.preferClosestNUMA ?? false }, families };
}
