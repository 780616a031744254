import type { DeviceSpec } from "../../machine/index.js";
import { iterateBitMasks, maskAnySet, maskCount, type TopologyHint } from "../topology/index.js";

/** What `generateDeviceTopologyHints` reads for one resource. */
export interface DeviceHintInput {
  /** The machine's NUMA ids, ascending. */
  numaNodes: readonly number[];
  /** `allDevices[resource]`: every device of the plugin's list, any health, allocated or not. */
  devices: ReadonlyMap<string, DeviceSpec>;
  available: ReadonlySet<string>;
  reusable: ReadonlySet<string>;
  request: number;
}

/** A device's NUMA ids; a device the list does not have reads as Go's zero value (no topology). */
export function numaNodesIn(devices: ReadonlyMap<string, DeviceSpec>, id: string): readonly number[] | null {
  return devices.get(id)?.numaNodes ?? null;
}

/**
 * `generateDeviceTopologyHints` (device-manager.md §4.1) written as the rule reads, mask by mask
 * in `IterateBitMasks` order. `minAffinitySize` counts every device of the resource, so a node
 * that could hold the request if it were empty makes every wider hint non-preferred. A reusable
 * device without `TopologyInfo` is skipped, one with an empty list discards every mask (the
 * kubelet's quirk). Kept as the reference the tabulated version (hints.ts) is checked against.
 */
export function generateDeviceTopologyHintsReference(input: DeviceHintInput): TopologyHint[] {
  const { devices, available, reusable, request } = input;
  let minAffinitySize = input.numaNodes.length;
  const hints: TopologyHint[] = [];
  iterateBitMasks(input.numaNodes, (mask) => {
    let devicesInMask = 0;
    for (const d of devices.values()) {
      if (maskAnySet(mask, d.numaNodes ?? [])) devicesInMask++;
    }
    const size = maskCount(mask);
    if (devicesInMask >= request && size < minAffinitySize) minAffinitySize = size;

    let matching = 0;
    for (const id of reusable) {
      const nodes = numaNodesIn(devices, id);
      if (nodes === null) continue;
      if (!maskAnySet(mask, nodes)) return true;
      matching++;
    }
    for (const id of available) {
      if (maskAnySet(mask, numaNodesIn(devices, id) ?? [])) matching++;
    }
    if (matching >= request) hints.push({ affinity: mask, preferred: false });
    return true;
  });
  for (const h of hints) if (maskCount(h.affinity!) === minAffinitySize) h.preferred = true;
  return hints;
}
