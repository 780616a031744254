import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { countFamilyHints, familyHints } from "../topology/index.js";
import { generateDeviceTopologyHintsReference } from "./hints.reference.js";
import { deviceHintFamily } from "./hints-family.js";
import { deviceHintInputArb } from "./hints.test-support.js";

/*
 * The Device Manager's hint family against the reference list (mask by mask): where a family
 * stands for the list (every device on at most one node of the machine), listed in the kubelet's
 * order it is the list, its membership and flags answer like the list for any mask, and its count
 * is the list's length; a device on several nodes gives no family.
 */

describe("device hint family (device-manager.md §4.1)", () => {
  it("listed, it is the list; it answers for any mask like the list; it counts it", () => {
    let families = 0;
    fc.assert(
      fc.property(deviceHintInputArb, fc.bigInt({ min: 1n, max: (1n << 64n) - 1n }), (input, probe) => {
        const family = deviceHintFamily(input);
        const multiNode = [...input.devices.values()].some(
          (d) => new Set((d.numaNodes ?? []).filter((id) => input.numaNodes.includes(id))).size > 1,
        );
        if (family === null) {
          assert.ok(multiNode, "no family although every device sits on at most one node");
          return;
        }
        families++;
        const list = generateDeviceTopologyHintsReference(input);
        assert.deepEqual(familyHints(family), list);
        assert.equal(countFamilyHints(family), list.length);
        assert.equal(family.isEmpty, list.length === 0);
        const listed = new Map(list.map((h) => [h.affinity!, h.preferred]));
        const mask = probe & family.nodeMask;
        if (mask !== 0n) assert.equal(family.hintFor(mask)?.preferred, listed.get(mask));
      }),
      { numRuns: 600 },
    );
    assert.ok(families > 200, `only ${families} of 600 cases had a family`);
  });
});
