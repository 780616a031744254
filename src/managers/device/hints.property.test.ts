import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { maskAnySet, maskCount } from "../topology/index.js";
import {
  fastPathOnEveryMachineSize,
  otherProviderAnswerArb,
  singleNumaNodePolicy,
} from "../topology/hints.test-support.js";
import { generateDeviceTopologyHints } from "./hints.js";
import { generateDeviceTopologyHintsReference } from "./hints.reference.js";
import { deviceHintSettings } from "./hints-settings.js";
import { deviceHintInputArb as inputArb } from "./hints.test-support.js";

/*
 * The tabulated device hint generation against the reference, mask by mask, on random machines of
 * 1-9 NUMA nodes with arbitrary ids; the single-numa-node answer against the full one, alone and
 * in the merge; and every hint holds the request. Devices report one node, two nodes, a node the
 * machine does not have, an empty list or nothing.
 */

describe("device topology hints (device-manager.md §4.1)", () => {
  fastPathOnEveryMachineSize(deviceHintSettings);

  it("the tabulated list equals the reference list, order and flags included", () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        assert.deepEqual(generateDeviceTopologyHints(input), generateDeviceTopologyHintsReference(input));
      }),
      { numRuns: 400 },
    );
  });

  it("under single-numa-node the answer is the full list's single-node hints", () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const single = generateDeviceTopologyHintsReference(input).filter(
          (h) => maskCount(h.affinity!) === 1,
        );
        assert.deepEqual(generateDeviceTopologyHints(input, true), single);
      }),
      { numRuns: 400 },
    );
  });

  it("under single-numa-node the merge and the verdict do not change", () => {
    const withOther = inputArb.chain((input) =>
      otherProviderAnswerArb(input.numaNodes, "cpu").map((other) => ({ input, other })),
    );
    fc.assert(
      fc.property(withOther, ({ input, other }) => {
        const policy = singleNumaNodePolicy(input.numaNodes);
        const full = policy.merge([new Map([["gpu", generateDeviceTopologyHintsReference(input)]]), other]);
        const fast = policy.merge([new Map([["gpu", generateDeviceTopologyHints(input, true)]]), other]);
        assert.deepEqual(fast, full);
      }),
      { numRuns: 400 },
    );
  });

  it("every hint is a mask that holds the reusable devices and enough devices for the request", () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        for (const h of generateDeviceTopologyHints(input)) {
          const mask = h.affinity!;
          const touches = (id: string) => maskAnySet(mask, input.devices.get(id)?.numaNodes ?? []);
          let held = 0;
          for (const id of input.reusable) {
            if (input.devices.get(id)?.numaNodes === null || !input.devices.has(id)) continue;
            assert.ok(touches(id), `reusable ${id} outside ${mask}`);
            held++;
          }
          for (const id of input.available) if (touches(id)) held++;
          assert.ok(held >= input.request, `mask ${mask} holds ${held} < ${input.request}`);
        }
      }),
      { numRuns: 400 },
    );
  });
});
