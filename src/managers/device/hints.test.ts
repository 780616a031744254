import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { maskCount, type TopologyHint } from "../topology/index.js";
import { DEVICE_HINT_CASES, type DeviceHintCase } from "./hints.cases.js";
import { generateDeviceTopologyHints } from "./hints.js";
import { type DeviceHintInput, generateDeviceTopologyHintsReference } from "./hints.reference.js";
import { deviceHintSettings } from "./hints-settings.js";
import { devices, hintRows } from "./test-support.js";

function inputOf(c: DeviceHintCase): DeviceHintInput {
  return {
    numaNodes: c.numaNodes,
    devices: new Map(devices(c.devices).map((d) => [d.id, d])),
    available: new Set(c.available),
    reusable: new Set(c.reusable),
    request: c.request,
  };
}

const IMPLEMENTATIONS: Record<string, (input: DeviceHintInput) => TopologyHint[]> = {
  reference: generateDeviceTopologyHintsReference,
  tables: (input) => generateDeviceTopologyHints(input),
};

describe("generateDeviceTopologyHints (device-manager.md §4.1)", () => {
  for (const [impl, generate] of Object.entries(IMPLEMENTATIONS)) {
    describe(impl, () => {
      for (const c of DEVICE_HINT_CASES) {
        it(c.name, () => assert.deepEqual(hintRows(generate(inputOf(c))), c.expected));
      }
    });
  }

  describe("single-numa-node fast path", () => {
    const threshold = deviceHintSettings.singleNUMAFastPathAboveNodes;
    before(() => {
      deviceHintSettings.singleNUMAFastPathAboveNodes = 0;
    });
    after(() => {
      deviceHintSettings.singleNUMAFastPathAboveNodes = threshold;
    });
    for (const c of DEVICE_HINT_CASES) {
      it(c.name, () => {
        const single = c.expected.filter(([nodes]) => nodes.length === 1);
        assert.deepEqual(hintRows(generateDeviceTopologyHints(inputOf(c), true)), single);
      });
    }
  });

  it("lists every mask up to 8 NUMA nodes and only single-node hints above", () => {
    for (const nodes of [8, 9]) {
      const ids = Array.from({ length: nodes }, (_, i) => i);
      const list = devices(ids.map((i) => [`gpu${i}`, [i]]));
      const input: DeviceHintInput = {
        numaNodes: ids,
        devices: new Map(list.map((d) => [d.id, d])),
        available: new Set(list.map((d) => d.id)),
        reusable: new Set(),
        request: 1,
      };
      const hints = generateDeviceTopologyHints(input, true);
      assert.equal(hints.length, nodes === 8 ? 2 ** 8 - 1 : 9, `${nodes} nodes`);
      if (nodes === 9) assert.ok(hints.every((h) => h.preferred && maskCount(h.affinity!) === 1));
    }
  });

  it("answers a 64-node machine under single-numa-node without enumerating its masks", () => {
    const ids = Array.from({ length: 64 }, (_, i) => i);
    const list = devices(ids.map((i) => [`nic${i}`, [i, (i + 1) % 64]]));
    const hints = generateDeviceTopologyHints(
      {
        numaNodes: ids,
        devices: new Map(list.map((d) => [d.id, d])),
        available: new Set(list.map((d) => d.id)),
        reusable: new Set(),
        request: 2,
      },
      true,
    );
    assert.equal(hints.length, 64);
    assert.ok(hints.every((h) => h.preferred));
  });
});
