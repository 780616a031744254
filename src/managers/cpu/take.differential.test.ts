import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { takeByTopologyNUMADistributed, takeByTopologyNUMAPacked } from "./take.js";
import { CPUSet } from "../../core/index.js";
import { CPUAccumulator } from "./accumulator.js";
import {
  type TakeCase,
  availableArb,
  takeCaseArb,
  takeOutcome,
  takeTopologyArb,
} from "./take.test-support.js";
import { takePackedWithinNUMA } from "./take-numa-local.js";
import {
  takeByTopologyNUMADistributedReference,
  takeByTopologyNUMAPackedReference,
} from "./take.reference.js";

function fast({ topo, available, numCPUs, call }: TakeCase): string {
  return takeOutcome(() =>
    call.kind === "packed"
      ? takeByTopologyNUMAPacked(topo, available, numCPUs, call.strategy, call.preferAlignByUncoreCache)
      : takeByTopologyNUMADistributed(topo, available, numCPUs, call.groupSize, call.strategy),
  );
}

function reference({ topo, available, numCPUs, call }: TakeCase): string {
  return takeOutcome(() =>
    call.kind === "packed"
      ? takeByTopologyNUMAPackedReference(
          topo,
          available,
          numCPUs,
          call.strategy,
          call.preferAlignByUncoreCache,
        )
      : takeByTopologyNUMADistributedReference(topo, available, numCPUs, call.groupSize, call.strategy),
  );
}

describe("take-by-topology: the word-based takes decide exactly as the reference", () => {
  it("on random machines up to 512 CPUs, free sets, requests and every option", () => {
    fc.assert(
      fc.property(takeCaseArb, (tc) => {
        assert.equal(fast(tc), reference(tc));
      }),
      { numRuns: 2500 },
    );
  });

  it("takes one NUMA node's share in place as a packed take of that node's CPUs would", () => {
    const caseArb = takeTopologyArb.chain(({ topo }) =>
      fc.record({
        topo: fc.constant(topo),
        available: availableArb(topo),
        numa: fc.constantFrom(...topo.numaNodes()),
        n: fc.integer({ min: -1, max: 70 }),
        strategy: fc.constantFrom<"packed" | "spread">("packed", "spread"),
      }),
    );
    fc.assert(
      fc.property(caseArb, ({ topo, available, numa, n, strategy }) => {
        const acc = CPUAccumulator.fromSet(topo, available, 1000, strategy);
        try {
          const dense = acc.index.numa.ids.indexOf(numa);
          const before = acc.result();
          if (!takePackedWithinNUMA(acc, dense, n)) return;
          const own = available.intersect(topo.cpusInNUMANode(numa));
          const expected = takeOutcome(() =>
            takeByTopologyNUMAPackedReference(topo, own, n, strategy, false),
          );
          const got = acc.result().difference(before).toString();
          assert.equal(got, expected.startsWith("error: ") ? CPUSet.empty.toString() : expected);
        } finally {
          acc.release();
        }
      }),
      { numRuns: 600 },
    );
  });
});
