import fc from "fast-check";
import type { DeviceSpec } from "../../machine/index.js";
import type { DeviceHintInput } from "./hints.reference.js";

/**
 * Random device hint questions for the hint tests: machines of 1-9 NUMA nodes with arbitrary ids,
 * devices on one node, two nodes, a node the machine does not have, an empty list or nothing;
 * available, taken, reusable and unhealthy devices, reusable ids the plugin does not list.
 */
export const deviceHintInputArb: fc.Arbitrary<DeviceHintInput> = fc
  .uniqueArray(fc.integer({ min: 0, max: 63 }), { minLength: 1, maxLength: 9 })
  .chain((unsorted) => {
    const ids = [...unsorted].sort((a, b) => a - b);
    const nodeArb = fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...ids).map((n) => [n]) },
      // Two nodes (one when the machine has only one).
      {
        weight: 2,
        arbitrary: fc
          .tuple(fc.constantFrom(...ids), fc.constantFrom(...ids))
          .map(([a, b]) => [...new Set([a, b])]),
      },
      { weight: 1, arbitrary: fc.constant([64 + ids.length]) },
      { weight: 1, arbitrary: fc.constant([]) },
      { weight: 1, arbitrary: fc.constant(null) },
    );
    const deviceArb = fc.record({
      numaNodes: nodeArb,
      role: fc.constantFrom(
        "available",
        "available",
        "available",
        "available",
        "taken",
        "reusable",
        "unhealthy",
      ),
    });
    return fc.record({
      ids: fc.constant(ids),
      devices: fc.array(deviceArb, { maxLength: 16 }),
      request: fc.integer({ min: 0, max: 5 }),
      ghostReusable: fc.boolean(),
      // Reusable devices exist only while a pod's init containers are being followed.
      withReusable: fc.boolean(),
    });
  })
  .map((r) => {
    const devices = new Map<string, DeviceSpec>();
    const available = new Set<string>();
    const reusable = new Set<string>();
    r.devices.forEach((d, i) => {
      const id = `dev${i}`;
      devices.set(id, { id, numaNodes: d.numaNodes, healthy: d.role !== "unhealthy" });
      const role = d.role === "reusable" && !r.withReusable ? "available" : d.role;
      if (role === "available") available.add(id);
      if (role === "reusable") reusable.add(id);
    });
    if (r.withReusable && r.ghostReusable) reusable.add("not-listed");
    return { numaNodes: r.ids, devices, available, reusable, request: r.request };
  });
