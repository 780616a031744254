import fc from "fast-check";
import type { NUMANodeMap, NUMANodeState } from "./state-data.js";
import type { BitMask } from "../topology/index.js";
import type { ReusableLookup } from "./hints.js";
import type { ResourceRequest } from "./requests.js";

/**
 * Random Memory Manager hint questions for the hint tests: machine states of 1-10 NUMA nodes with
 * arbitrary ids, memory-less nodes, used nodes, groups (consistent or not), sizes that wrap modulo
 * 2^64, reusable init-container memory with or without its mask list.
 */

const Gi = 1n << 30n;
const U64 = 1n << 64n;
const RESOURCES = ["hugepages-1Gi", "hugepages-2Mi", "memory"] as const;

export interface MemoryHintCase {
  ids: number[];
  ms: NUMANodeMap;
  request: ResourceRequest;
  reusable: ReusableLookup;
}

const sizeArb = (wraps: boolean): fc.Arbitrary<bigint> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 0, max: 8 }).map((n) => BigInt(n) * Gi) },
    { weight: 2, arbitrary: fc.constant(0n) },
    { weight: wraps ? 2 : 0, arbitrary: fc.bigInt({ min: U64 - 9n * Gi, max: U64 - 1n }) },
  );

const requestSizeArb = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 1, max: 14 }).map((n) => BigInt(n) * Gi) },
  { weight: 1, arbitrary: fc.constant(0n) },
  { weight: 1, arbitrary: fc.constantFrom(U64 - Gi, U64 + 5n, 3n * Gi + 1n) },
);

const nodeArb = (wraps: boolean) =>
  fc.record({
    resources: fc.subarray([...RESOURCES]),
    allocatable: fc.array(sizeArb(wraps), { minLength: 3, maxLength: 3 }),
    taken: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 3, maxLength: 3 }),
    assignments: fc.constantFrom(0, 0, 0, 1, 2),
    cells: fc.constantFrom("self", "self", "self", "group", "group", "null", "empty", "twice", "foreign"),
    group: fc.array(fc.boolean(), { minLength: 10, maxLength: 10 }),
  });

export const memoryHintCaseArb: fc.Arbitrary<MemoryHintCase> = fc
  .record({
    ids: fc.uniqueArray(fc.integer({ min: 0, max: 63 }), { minLength: 1, maxLength: 10 }),
    wraps: fc.constantFrom(false, false, false, false, true),
  })
  .chain(({ ids, wraps }) =>
    fc.record({
      ids: fc.constant([...ids].sort((a, b) => a - b)),
      nodes: fc.array(nodeArb(wraps), { minLength: ids.length, maxLength: ids.length }),
      request: fc
        .subarray([...RESOURCES], { minLength: 0 })
        .chain((names) =>
          fc
            .array(requestSizeArb, { minLength: names.length, maxLength: names.length })
            .map((sizes) => new Map(names.map((n, i) => [n, sizes[i]]))),
        ),
      reuse: fc.array(
        fc.record({
          nodes: fc.subarray(ids, { minLength: 1, maxLength: Math.min(3, ids.length) }),
          foreign: fc.constantFrom(false, false, false, true),
          amounts: fc.array(sizeArb(true), { minLength: 3, maxLength: 3 }),
        }),
        { maxLength: 3 },
      ),
      listsMasks: fc.constantFrom(true, true, true, false),
    }),
  )
  .map(({ ids, nodes, request, reuse, listsMasks }) => {
    const ms: NUMANodeMap = new Map();
    ids.forEach((id, i) => {
      const n = nodes[i];
      const memoryMap = new Map<
        string,
        NUMANodeState["memoryMap"] extends Map<string, infer T> ? T : never
      >();
      n.resources.forEach((resource) => {
        const r = RESOURCES.indexOf(resource);
        const allocatable = n.allocatable[r];
        const free = allocatable - (BigInt(n.taken[r]) * Gi < allocatable ? BigInt(n.taken[r]) * Gi : 0n);
        memoryMap.set(resource, { total: allocatable, systemReserved: 0n, allocatable, reserved: 0n, free });
      });
      const group = ids.filter((other, j) => other === id || n.group[j]);
      const cells: Record<string, number[] | null> = {
        self: [id],
        group,
        null: null,
        empty: [],
        twice: [id, id],
        foreign: [id, 99],
      };
      ms.set(id, { numberOfAssignments: n.assignments, memoryMap, cells: cells[n.cells] });
    });
    const table = new Map<BitMask, Map<string, bigint>>();
    for (const r of reuse) {
      let mask = r.nodes.reduce((m, id) => m | (1n << BigInt(id)), 0n);
      if (r.foreign) mask |= 1n << 64n;
      table.set(mask, new Map(RESOURCES.map((name, k) => [name, r.amounts[k]])));
    }
    const lookup = (mask: BitMask, resource: string) => table.get(mask)?.get(resource) ?? 0n;
    const reusable: ReusableLookup = listsMasks
      ? Object.assign(lookup, { masks: [...table.keys()] })
      : lookup;
    return { ids, ms, request, reusable };
  });
