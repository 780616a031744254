import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { NO_REUSE, calculateHints, affinitySatisfiesRequest } from "./hints.js";
import { checkSystemReserved, defaultMachineState, releaseMemory, reserveMemory } from "./machine-state.js";
import { maskOf } from "../topology/index.js";
import { Gi } from "./test-support.js";
import { addU64, subU64 } from "./u64.js";

const TWO_64 = 1n << 64n;

describe("memory machine state (uint64 arithmetic)", () => {
  it("wraps memory allocatable when hugepages and reservation exceed the node's memory", () => {
    const ms = defaultMachineState(
      new Map([[0, { memory: 4n * Gi, hugepages: [{ pageSizeKiB: 1024 * 1024, numPages: 4n }] }]]),
      new Map([[0, new Map([["memory", Gi]])]]),
    );
    const memory = ms.get(0)!.memoryMap.get("memory")!;
    assert.equal(memory.allocatable, 18446744072635809792n);
    assert.equal(memory.free, memory.allocatable);
    assert.equal(ms.get(0)!.memoryMap.get("hugepages-1Gi")!.allocatable, 4n * Gi);
  });

  it("reduces sums and differences modulo 2^64", () => {
    assert.equal(addU64(2n * Gi, TWO_64 - Gi), Gi);
    assert.equal(subU64(0n, 1n), TWO_64 - 1n);
  });

  it("a mask holding a wrapped node can sum to less than its other nodes and fail", () => {
    const ms = defaultMachineState(
      new Map([
        [0, { memory: 3n * Gi, hugepages: [] }],
        [1, { memory: 4n * Gi, hugepages: [{ pageSizeKiB: 1024 * 1024, numPages: 4n }] }],
      ]),
      new Map([
        [0, new Map([["memory", Gi]])],
        [1, new Map([["memory", Gi]])],
      ]),
    );
    // node 0: 2Gi; node 1: 2^64 − 1Gi; together 1Gi.
    const request = new Map([["memory", 2n * Gi]]);
    assert.equal(affinitySatisfiesRequest(ms, maskOf(0), request), true);
    assert.equal(affinitySatisfiesRequest(ms, maskOf(0, 1), request), false);
    const hints = calculateHints(ms, request, NO_REUSE).get("memory")!;
    assert.deepEqual(
      hints.map((h) => [h.affinity, h.preferred]),
      [
        [maskOf(0), true],
        [maskOf(1), true],
      ],
    );
  });

  it("refuses a reservation without memory", () => {
    assert.match(
      checkSystemReserved(new Map([[0, new Map([["hugepages-1Gi", Gi]])]]))!.message,
      /you should specify the system reserved memory/,
    );
    assert.equal(checkSystemReserved(new Map([[1, new Map([["memory", 1n]])]])), null);
  });

  it("fills greedily in affinity order and releases in the same order", () => {
    const ms = defaultMachineState(
      new Map([
        [0, { memory: 3n * Gi, hugepages: [] }],
        [1, { memory: 3n * Gi, hugepages: [] }],
      ]),
      new Map([[0, new Map([["memory", Gi]])]]),
    );
    reserveMemory(ms, [0, 1], "memory", 4n * Gi);
    assert.equal(ms.get(0)!.memoryMap.get("memory")!.free, 0n);
    assert.equal(ms.get(1)!.memoryMap.get("memory")!.reserved, 2n * Gi);
    assert.deepEqual(ms.get(1)!.cells, [0, 1]);
    releaseMemory(ms, [{ numaAffinity: [0, 1], type: "memory", size: 4n * Gi }]);
    assert.deepEqual(
      ms,
      defaultMachineState(
        new Map([
          [0, { memory: 3n * Gi, hugepages: [] }],
          [1, { memory: 3n * Gi, hugepages: [] }],
        ]),
        new Map([[0, new Map([["memory", Gi]])]]),
      ),
    );
  });
});
