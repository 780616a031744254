import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { maskOf } from "../topology/index.js";
import {
  calculateHints,
  chooseAffinity,
  ERR_DEFAULT_PREFERRED,
  findBestHint,
  NO_REUSE,
  regenerateHints,
} from "./hints.js";
import { calculateHintsReference } from "./hints.reference.js";
import { memoryHintSettings } from "./hints-settings.js";
import { defaultMachineState, reserveMemory } from "./machine-state.js";
import { Gi } from "./test-support.js";

describe("memory hints (memory-manager.md §4)", () => {
  it("a node that could hold the request when empty keeps wider masks non-preferred", () => {
    const ms = defaultMachineState(
      new Map([
        [0, { memory: 17n * Gi, hugepages: [] }],
        [1, { memory: 3n * Gi, hugepages: [] }],
        [2, { memory: 3n * Gi, hugepages: [] }],
      ]),
      new Map([[0, new Map([["memory", Gi]])]]),
    );
    reserveMemory(ms, [0], "memory", 14n * Gi);
    const hints = calculateHints(ms, new Map([["memory", 5n * Gi]]), NO_REUSE);
    assert.deepEqual(hints, new Map([["memory", [{ affinity: maskOf(1, 2), preferred: false }]]]));
  });

  it("counts the pod's reusable init memory as free", () => {
    const ms = defaultMachineState(
      new Map([[0, { memory: 5n * Gi, hugepages: [] }]]),
      new Map([[0, new Map([["memory", Gi]])]]),
    );
    reserveMemory(ms, [0], "memory", 3n * Gi);
    const request = new Map([["memory", 2n * Gi]]);
    assert.deepEqual(calculateHints(ms, request, NO_REUSE), new Map());
    const reuse = (mask: bigint, r: string) => (mask === maskOf(0) && r === "memory" ? Gi : 0n);
    assert.deepEqual(
      calculateHints(ms, request, reuse),
      new Map([["memory", [{ affinity: maskOf(0), preferred: true }]]]),
    );
  });

  it("findBestHint prefers preferred hints, then the narrower mask", () => {
    const best = findBestHint([
      { affinity: maskOf(0, 1), preferred: false },
      { affinity: maskOf(1, 2), preferred: true },
      { affinity: maskOf(0, 2), preferred: true },
      { affinity: maskOf(0, 1, 2), preferred: true },
    ]);
    assert.deepEqual(best, { affinity: maskOf(0, 2), preferred: true });
    assert.deepEqual(findBestHint([]), { affinity: null, preferred: false });
  });

  it("regenerates from stored blocks only while they match the request", () => {
    const blocks = [
      { numaAffinity: [0, 1], type: "memory", size: 2n * Gi },
      { numaAffinity: [0, 1], type: "hugepages-1Gi", size: Gi },
    ];
    const request = new Map([
      ["hugepages-1Gi", Gi],
      ["memory", 2n * Gi],
    ]);
    const preferred01 = [{ affinity: maskOf(0, 1), preferred: true }];
    assert.deepEqual(
      regenerateHints(blocks, request),
      new Map([
        ["hugepages-1Gi", preferred01],
        ["memory", preferred01],
      ]),
    );
    assert.equal(regenerateHints(blocks, new Map([["memory", 2n * Gi]])), null);
    assert.equal(regenerateHints(blocks, new Map([...request, ["memory", Gi]])), null);
  });

  it("a wrapping node alone can fit while no mask of one node less does (search and tables agree)", () => {
    // Node 0's allocatable is near 2^64: alone it fits, with any other node the sum wraps to 3Gi.
    const ms = defaultMachineState(
      new Map([0, 1, 2, 3].map((id) => [id, { memory: id === 0 ? 0n : 4n * Gi, hugepages: [] }])),
      new Map([[0, new Map([["memory", Gi]])]]),
    );
    ms.get(0)!.memoryMap.get("memory")!.free = 0n;
    const request = new Map([["memory", 10n * Gi]]);
    const best = { affinity: maskOf(1, 2, 3), preferred: false };
    const expected = new Map([["memory", [best, { affinity: maskOf(0, 1, 2, 3), preferred: false }]]]);
    assert.deepEqual(calculateHintsReference(ms, request, NO_REUSE), expected);
    assert.deepEqual(calculateHints(ms, request, NO_REUSE), expected);
    const saved = { ...memoryHintSettings };
    Object.assign(memoryHintSettings, { searchAboveNodes: 0, singleNUMAFastPathAboveNodes: 0 });
    try {
      assert.deepEqual(calculateHints(ms, request, NO_REUSE, true), new Map([["memory", [best]]]));
      const chosen = chooseAffinity(ms, { affinity: null, preferred: true }, request, NO_REUSE);
      assert.equal((chosen as Error).message, ERR_DEFAULT_PREFERRED);
    } finally {
      Object.assign(memoryHintSettings, saved);
    }
  });
});
