import { HintFamily } from "../topology/index.js";
import { type DeviceHintInput, numaNodesIn } from "./hints.reference.js";

/**
 * `generateDeviceTopologyHints` (device-manager.md §4.1) as a hint family, when every device of
 * the resource sits on at most one NUMA node of the machine (the usual GPU): a mask is listed when
 * it holds the node of every reusable device with `TopologyInfo` and the reusable devices plus the
 * available ones on its nodes reach the request, an upward-closed family given by the available
 * devices per node; preferred are the masks of `minAffinitySize` nodes, counted over every device.
 * A device on several nodes makes the count over a mask no sum of per-node counts: then there is
 * no family (null) and the caller lists the hints.
 */
export function deviceHintFamily(input: DeviceHintInput): HintFamily | null {
  const nodes = input.numaNodes;
  const at = new Map(nodes.map((id, i) => [id, i]));
  /** The one machine position a device's NUMA list touches: -1 none, -2 several. */
  const positionOf = (numa: readonly number[] | null): number => {
    let found = -1;
    for (const id of numa ?? []) {
      const p = at.get(id);
      if (p === undefined || p === found) continue;
      if (found >= 0) return -2;
      found = p;
    }
    return found;
  };
  const all = new Array<number>(nodes.length).fill(0);
  for (const d of input.devices.values()) {
    const p = positionOf(d.numaNodes);
    if (p === -2) return null;
    if (p >= 0) all[p]++;
  }
  const available = new Array<number>(nodes.length).fill(0);
  for (const id of input.available) {
    const p = positionOf(numaNodesIn(input.devices, id));
    if (p === -2) return null;
    if (p >= 0) available[p]++;
  }
  let required = 0n;
  let reused = 0;
  let matchesNone = false;
  for (const id of input.reusable) {
    const numa = numaNodesIn(input.devices, id);
    if (numa === null) continue;
    const p = positionOf(numa);
    if (p === -2) return null;
    // A reusable device on no node of the machine touches no mask: nothing is listed.
    if (p === -1) matchesNone = true;
    else required |= 1n << BigInt(nodes[p]);
    reused++;
  }
  let every = 0n;
  for (const id of nodes) every |= 1n << BigInt(id);
  return new HintFamily({
    nodes,
    core: matchesNone
      ? null
      : {
          allowed: every,
          required,
          minCount: 1,
          constraints: [{ values: available, need: input.request - reused }],
        },
    extras: [],
    preferredCount: narrowest(all, input.request),
    alignment: null,
  });
}

/** The fewest nodes whose devices reach the request; the node count when none do. */
function narrowest(perNode: readonly number[], request: number): number {
  const sorted = [...perNode].sort((a, b) => b - a);
  let sum = 0;
  for (let k = 1; k <= sorted.length; k++) {
    sum += sorted[k - 1];
    if (sum >= request) return k;
  }
  return sorted.length;
}
