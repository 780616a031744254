/** Shared by the checkpoint tests: plain views of states for deep comparison, and generators. */
import fc from "fast-check";
import { CPUSet } from "../core/index.js";
import type { CPUStateData } from "../managers/cpu/index.js";
import type { MemoryBlock, MemoryStateData, NUMANodeState } from "../managers/memory/index.js";

export function cpuView(s: CPUStateData) {
  return {
    policyName: s.policyName,
    defaultCpuSet: s.defaultCpuSet.toString(),
    entries: [...s.entries]
      .map(([pod, cs]) => [pod, [...cs].map(([n, set]) => [n, set.toString()]).sort()] as const)
      .sort(),
    podEntries: [...s.podEntries].map(([pod, set]) => [pod, set.toString()]).sort(),
  };
}

export function memoryView(s: MemoryStateData) {
  const blocks = (bs: MemoryBlock[]) =>
    bs.map((b) => ({ numaAffinity: [...b.numaAffinity], type: b.type, size: b.size }));
  return {
    policyName: s.policyName,
    machineState: [...s.machineState]
      .map(([id, n]) => {
        const memoryMap = [...n.memoryMap].map(([r, t]) => [r, { ...t }] as const).sort();
        return [id, { numberOfAssignments: n.numberOfAssignments, memoryMap, cells: n.cells ?? [] }] as const;
      })
      .sort((a, b) => a[0] - b[0]),
    entries: [...s.entries]
      .map(([pod, cs]) => [pod, [...cs].map(([n, bs]) => [n, blocks(bs)]).sort()] as const)
      .sort(),
    podEntries: [...s.podEntries].map(([pod, bs]) => [pod, blocks(bs)] as const).sort(),
  };
}

/** Names as pod UIDs and container names could be, plus characters JSON and Go escape. */
export const nameArb = fc.oneof(
  fc.stringMatching(/^[a-z0-9-]{1,12}$/),
  fc.string({ minLength: 1, maxLength: 6, unit: "grapheme" }),
  fc.constantFrom("<pod>", 'a"b', "x&y", "ünï", "10", "2"),
);

function mapOf<K, V>(key: fc.Arbitrary<K>, value: fc.Arbitrary<V>, maxLength = 4): fc.Arbitrary<Map<K, V>> {
  return fc.uniqueArray(fc.tuple(key, value), { selector: (t) => t[0], maxLength }).map((a) => new Map(a));
}

export const cpuSetArb = fc
  .uniqueArray(fc.integer({ min: 0, max: 300 }), { maxLength: 16 })
  .map((ids) => CPUSet.fromIds(ids));

export const cpuStateArb: fc.Arbitrary<CPUStateData> = fc.record({
  policyName: fc.constantFrom("static", "none"),
  defaultCpuSet: cpuSetArb,
  entries: mapOf(nameArb, mapOf(nameArb, cpuSetArb)),
  podEntries: mapOf(nameArb, cpuSetArb),
});

const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const resourceArb = fc.constantFrom("memory", "hugepages-2Mi", "hugepages-1Gi");
const blockArb: fc.Arbitrary<MemoryBlock> = fc.record({
  numaAffinity: fc.uniqueArray(fc.integer({ min: 0, max: 15 }), { maxLength: 4 }),
  type: resourceArb,
  size: u64,
});
const nodeArb: fc.Arbitrary<NUMANodeState> = fc.record({
  numberOfAssignments: fc.integer({ min: 0, max: 1000 }),
  memoryMap: mapOf(
    resourceArb,
    fc.record({ total: u64, systemReserved: u64, allocatable: u64, reserved: u64, free: u64 }),
    3,
  ),
  cells: fc.option(fc.uniqueArray(fc.integer({ min: 0, max: 15 }), { maxLength: 4 }), { nil: null }),
});

export const memoryStateArb: fc.Arbitrary<MemoryStateData> = fc.record({
  policyName: fc.constantFrom("Static", "None"),
  machineState: mapOf(fc.integer({ min: 0, max: 15 }), nodeArb, 4),
  entries: mapOf(nameArb, mapOf(nameArb, fc.array(blockArb, { maxLength: 3 }))),
  podEntries: mapOf(nameArb, fc.array(blockArb, { maxLength: 3 })),
});

/** Every Kubernetes version and gate value the checkpoint code distinguishes. */
export const SETTINGS = [
  { version: "1.36", gates: { PodLevelResourceManagers: false } },
  { version: "1.36", gates: { PodLevelResourceManagers: true } },
  { version: "1.37", gates: { PodLevelResourceManagers: false } },
  { version: "1.37", gates: { PodLevelResourceManagers: true } },
] as const;
