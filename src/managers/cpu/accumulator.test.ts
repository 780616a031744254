import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { CPUSet } from "../../core/index.js";
import { kubeletFixture } from "../../machine/index.js";
import { CPUAccumulator, type Order } from "./accumulator.js";
import { ReferenceCPUAccumulator } from "./accumulator.reference.js";
import { takeByTopologyNUMAPacked } from "./take.js";
import { availableArb, takeTopologyArb } from "./take.test-support.js";
import { topologyIndex } from "./take-index.js";

const list = (o: Order) => Array.from(o.items.subarray(0, o.length));

const stateArb = takeTopologyArb.chain(({ topo }) =>
  fc.record({
    topo: fc.constant(topo),
    available: availableArb(topo),
    // Each step takes the CPUs of a random subset of the topology that are still free.
    steps: fc.array(fc.subarray(topo.all.toArray(), { maxLength: Math.min(24, topo.all.size) }), {
      maxLength: 4,
    }),
  }),
);

describe("CPUAccumulator (bitset words)", () => {
  it("lists and counts as the reference accumulator after any sequence of takes", () => {
    fc.assert(
      fc.property(stateArb, ({ topo, available, steps }) => {
        const fast = CPUAccumulator.fromSet(topo, available, 1_000_000, "packed");
        const ref = new ReferenceCPUAccumulator(topo, available, 1_000_000, "packed");
        try {
          for (const ids of [[], ...steps]) {
            const cpus = ref.freeOf(ids);
            ref.take(cpus);
            const words = new Uint32Array(topologyIndex(topo).wordCount);
            CPUSet.fromIds(cpus).copyWordsInto(words);
            fast.takeWords(words);
            assert.equal(fast.freeCount, ref.freeCount);
            assert.equal(fast.need, ref.need);
            assert.deepEqual(list(fast.numaOrder()), ref.numaOrder());
            assert.deepEqual(list(fast.socketOrder()), ref.socketOrder());
            assert.deepEqual(list(fast.coreOrder()), ref.coreOrder());
            assert.deepEqual(list(fast.uncoreOrder()), ref.uncoreOrder());
            assert.ok(fast.result().equals(ref.result()));
            const out = new Int32Array(fast.index.core.ids.length);
            for (let u = 0; u < fast.index.uncore.ids.length; u++) {
              const n = fast.coresNeededInUncoreCache(3, u, out);
              assert.deepEqual(Array.from(out.subarray(0, n)), ref.coresNeededInUncoreCache(3, u));
            }
          }
        } finally {
          fast.release();
        }
      }),
      { numRuns: 300 },
    );
  });

  it("is handed back to the pool when a take fails, and a reused one starts clean", () => {
    const topo = kubeletFixture("topoDualSocketHT");
    assert.ok(topo);
    const first = takeByTopologyNUMAPacked(topo, topo.all, 3, "packed", false);
    assert.throws(() => takeByTopologyNUMAPacked(topo, topo.all, 13, "packed", false), /not enough cpus/);
    const acc = CPUAccumulator.fromSet(topo, CPUSet.parse("0-3,40"), 2, "spread");
    try {
      assert.equal(acc.strategy, "spread");
      assert.equal(acc.need, 2);
      assert.equal(acc.freeCount, 4);
      assert.ok(acc.result().isEmpty());
      assert.deepEqual(list(acc.coreOrder()), [0, 2, 1, 3]);
    } finally {
      acc.release();
    }
    assert.ok(takeByTopologyNUMAPacked(topo, topo.all, 3, "packed", false).equals(first));
  });
});
