import fc from "fast-check";
import { CPUSet, ManagerError } from "../../core/index.js";
import { type CPUInfo, CPUTopology, KUBELET_FIXTURE_NAMES, kubeletFixture } from "../../machine/index.js";

/*
 * Random machines and requests for the take-by-topology differential test and benchmarks: regular
 * and irregular shapes up to 512 CPUs, in the id layouts real machines use and in shuffled ones.
 */

export interface MachineShape {
  sockets: number;
  /** NUMA nodes per socket; negative: one NUMA node spans that many sockets. */
  numaPerSocket: number;
  coresPerNUMA: number;
  threads: number;
  /** Consecutive cores sharing an uncore cache (may straddle NUMA nodes). */
  coresPerUncore: number;
  /** "thread-major": thread t of core c is c + t·cores (x86 Linux); "core-major": c·threads + t. */
  layout: "thread-major" | "core-major" | "shuffled";
  shuffleSeed: number;
  /** Overwrites a header count (the kubelet's fixtures leave some at 0). */
  header: "discovered" | "no-numa" | "no-uncore" | "fewer-cores";
}

function shuffle(ids: number[], seed: number): number[] {
  let s = seed >>> 0 || 1;
  const out = [...ids];
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export function shapeTopology(shape: MachineShape): CPUTopology {
  const { sockets, numaPerSocket, coresPerNUMA, threads, coresPerUncore } = shape;
  const numaNodes = numaPerSocket > 0 ? sockets * numaPerSocket : Math.ceil(sockets / -numaPerSocket);
  const cores = numaPerSocket > 0 ? numaNodes * coresPerNUMA : sockets * coresPerNUMA;
  const cpus = cores * threads;
  const idOf = (core: number, t: number) =>
    shape.layout === "core-major" ? core * threads + t : core + t * cores;
  let ids = Array.from({ length: cpus }, (_, i) => i);
  if (shape.layout === "shuffled") ids = shuffle(ids, shape.shuffleSeed);
  const list: CPUInfo[] = [];
  for (let core = 0; core < cores; core++) {
    // Cores are numbered socket by socket; coresPerNUMA cores per socket when NUMA spans sockets.
    const socket =
      numaPerSocket > 0 ? Math.floor(core / (coresPerNUMA * numaPerSocket)) : Math.floor(core / coresPerNUMA);
    const numa = numaPerSocket > 0 ? Math.floor(core / coresPerNUMA) : Math.floor(socket / -numaPerSocket);
    const uncore = Math.floor(core / coresPerUncore);
    for (let t = 0; t < threads; t++) list.push({ id: ids[idOf(core, t)], core, socket, numa, uncore });
  }
  const found = CPUTopology.fromCPUs(list);
  const header = {
    numCPUs: found.numCPUs,
    numCores: found.numCores,
    numSockets: found.numSockets,
    numNUMANodes: found.numNUMANodes,
    numUncoreCaches: found.numUncoreCaches,
  };
  if (shape.header === "no-numa") header.numNUMANodes = 0;
  if (shape.header === "no-uncore") header.numUncoreCaches = 0;
  if (shape.header === "fewer-cores") header.numCores = Math.max(1, header.numCores - 1);
  return shape.header === "discovered" ? found : new CPUTopology(header, list);
}

export const machineShapeArb: fc.Arbitrary<MachineShape> = fc
  .record({
    sockets: fc.integer({ min: 1, max: 4 }),
    numaPerSocket: fc.constantFrom(1, 1, 2, 4, -2),
    coresPerNUMA: fc.integer({ min: 1, max: 64 }),
    threads: fc.constantFrom(1, 2, 2, 4),
    coresPerUncore: fc.constantFrom(1, 2, 3, 4, 8, 16),
    layout: fc.constantFrom<MachineShape["layout"]>("thread-major", "core-major", "shuffled"),
    shuffleSeed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    header: fc.constantFrom<MachineShape["header"]>(
      "discovered",
      "discovered",
      "discovered",
      "no-numa",
      "no-uncore",
      "fewer-cores",
    ),
  })
  .map((s) => {
    // At most 512 CPUs: shrink the cores per NUMA node to fit.
    const numaNodes =
      s.numaPerSocket > 0 ? s.sockets * s.numaPerSocket : Math.ceil(s.sockets / -s.numaPerSocket);
    const coreGroups = s.numaPerSocket > 0 ? numaNodes : s.sockets;
    const maxCores = Math.max(1, Math.floor(512 / (coreGroups * s.threads)));
    return { ...s, coresPerNUMA: Math.min(s.coresPerNUMA, maxCores) };
  });

/** A topology and how to rebuild it (a kubelet fixture name or the shape), for failure reports. */
export interface LabelledTopology {
  topo: CPUTopology;
  label: string;
}

export const takeTopologyArb: fc.Arbitrary<LabelledTopology> = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.constantFrom(...KUBELET_FIXTURE_NAMES).map((name) => ({
      topo: kubeletFixture(name) as CPUTopology,
      label: `kubeletFixture(${JSON.stringify(name)})`,
    })),
  },
  {
    weight: 5,
    arbitrary: machineShapeArb.map((shape) => ({
      topo: shapeTopology(shape),
      label: `shapeTopology(${JSON.stringify(shape)})`,
    })),
  },
);

/** A free-CPU pattern: a random density, whole elements removed, and ids outside the topology. */
export function availableArb(topo: CPUTopology): fc.Arbitrary<CPUSet> {
  const ids = topo.all.toArray();
  return fc
    .record({
      density: fc.constantFrom(1, 0.95, 0.8, 0.6, 0.3, 0.1),
      seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
      dropCores: fc.integer({ min: 0, max: 8 }),
      dropNUMA: fc.boolean(),
      foreign: fc.constantFrom(0, 0, 0, 1, 3),
      prefixes: fc.boolean(),
    })
    .map(({ density, seed, dropCores, dropNUMA, foreign, prefixes }) => {
      let s = seed;
      const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
      let set = CPUSet.fromIds(ids.filter(() => rnd() < density));
      if (prefixes) {
        // A random number of each NUMA node's lowest CPUs: odd and uneven free counts per node,
        // where the distributed take's remainder search has most to decide.
        const kept: number[] = [];
        for (const numa of topo.numaNodes()) {
          const cpus = topo.cpusInNUMANode(numa).toArray();
          kept.push(...cpus.slice(0, Math.floor(rnd() * (cpus.length + 1))));
        }
        set = CPUSet.fromIds(kept);
      }
      const cores = topo.cores();
      for (let i = 0; i < dropCores && cores.length > 0; i++)
        set = set.difference(topo.cpusInCore(cores[Math.floor(rnd() * cores.length)]));
      const numas = topo.numaNodes();
      if (dropNUMA && numas.length > 1)
        set = set.difference(topo.cpusInNUMANode(numas[Math.floor(rnd() * numas.length)]));
      const top = topo.all.max() + 1;
      const extra = Array.from({ length: foreign }, (_, i) => top + i * 7);
      return set.union(CPUSet.fromIds(extra));
    });
}

export type TakeCall =
  | { kind: "packed"; strategy: "packed" | "spread"; preferAlignByUncoreCache: boolean }
  | { kind: "distributed"; strategy: "packed" | "spread"; groupSize: number };

export const takeCallArb: fc.Arbitrary<TakeCall> = fc.oneof(
  fc.record({
    kind: fc.constant("packed" as const),
    strategy: fc.constantFrom<"packed" | "spread">("packed", "spread"),
    preferAlignByUncoreCache: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant("distributed" as const),
    strategy: fc.constantFrom<"packed" | "spread">("packed", "spread"),
    groupSize: fc.constantFrom(1, 1, 2, 2, 3, 4),
  }),
);

export interface TakeCase {
  topo: CPUTopology;
  available: CPUSet;
  numCPUs: number;
  call: TakeCall;
}

/** Requests around the interesting sizes: 0, 1, the free count, and multiples of the group size. */
export const takeCaseArb: fc.Arbitrary<TakeCase> = takeTopologyArb.chain(({ topo, label }) =>
  fc
    .record({
      topo: fc.constant(topo),
      available: availableArb(topo),
      call: takeCallArb,
      pick: fc.double({ min: 0, max: 1.05, noNaN: true }),
      round: fc.boolean(),
      small: fc.integer({ min: -1, max: 3 }),
      useSmall: fc.boolean(),
      // Requests the policy never makes, where every comparison of the need still counts.
      odd: fc.constantFrom(0, 0, 0, 0, 0, 0, 0, 0.5, Number.NaN),
    })
    .map(({ topo, available, call, pick, round, small, useSmall, odd }) => {
      let numCPUs = useSmall ? small : Math.floor(pick * available.size);
      const g = call.kind === "distributed" ? call.groupSize : 1;
      if (round && numCPUs > 0) numCPUs = Math.max(g, numCPUs - (numCPUs % g));
      numCPUs += odd;
      return {
        topo,
        available,
        call,
        numCPUs,
        [fc.toStringMethod]: () =>
          `${label} available=${JSON.stringify(available.toString())} numCPUs=${numCPUs} call=${JSON.stringify(call)}`,
      };
    }),
);

/** The outcome as text: the CPU list, or the `ManagerError` message. */
export function takeOutcome(fn: () => CPUSet): string {
  try {
    return fn().toString();
  } catch (err) {
    if (err instanceof ManagerError) return `error: ${err.message}`;
    throw err;
  }
}
