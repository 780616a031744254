import {
  iterationOrder,
  MAX_TABULATED_NODES,
  type NodePositions,
  popcount32,
  positionsOf,
  type TopologyHint,
} from "../topology/index.js";
import {
  type DeviceHintInput,
  generateDeviceTopologyHintsReference,
  numaNodesIn,
} from "./hints.reference.js";
import { deviceHintSettings } from "./hints-settings.js";

/**
 * A device's NUMA nodes as positions over the machine's nodes (the i-th NUMA id is position i);
 * nodes the machine does not have never match a mask, so they drop out here.
 */
function positionsIn(positions: NodePositions, nodes: readonly number[] | null): number[] {
  const out: number[] = [];
  for (const n of nodes ?? []) {
    const i = positions.positionOf(n);
    if (i >= 0 && !out.includes(i)) out.push(i);
  }
  return out;
}

/** What the rule counts, as positions of the machine's nodes. */
interface DeviceCounts {
  positions: NodePositions;
  /** Positions of every device of the resource, and of the available ones ([] never matches). */
  all: number[][];
  available: number[][];
  /** Positions of each reusable device that has `TopologyInfo` ([] discards every mask). */
  reusable: number[][];
}

function deviceCounts(input: DeviceHintInput): DeviceCounts {
  const positions = positionsOf(input.numaNodes);
  const all = [...input.devices.values()].map((d) => positionsIn(positions, d.numaNodes));
  const available = [...input.available].map((id) => positionsIn(positions, numaNodesIn(input.devices, id)));
  const reusable: number[][] = [];
  for (const id of input.reusable) {
    const nodes = numaNodesIn(input.devices, id);
    if (nodes !== null) reusable.push(positionsIn(positions, nodes));
  }
  return { positions, all, available, reusable };
}

/** A position list as a 32-bit position mask (tabulated machines only). */
function bitsOf(list: readonly number[]): number {
  let p = 0;
  for (const i of list) p |= 1 << i;
  return p;
}

/**
 * `touching[p]` = how many of `masks` share a node with position mask p, from the counts of the
 * masks that fit inside each complement (a sum over subsets, O(n·2^n)).
 */
function touchingCounts(masks: readonly number[], n: number): Int32Array {
  const inside = new Int32Array(2 ** n);
  let total = 0;
  for (const m of masks) {
    if (m === 0) continue;
    inside[m]++;
    total++;
  }
  for (let bit = 0; bit < n; bit++) {
    const b = 1 << bit;
    for (let p = 0; p < inside.length; p++) if (p & b) inside[p] += inside[p ^ b];
  }
  const full = inside.length - 1;
  const out = new Int32Array(inside.length);
  for (let p = 0; p < out.length; p++) out[p] = total - inside[full ^ p];
  return out;
}

/** Every mask in `IterateBitMasks` order, counts read from two subset tables. */
function tabulatedHints(counts: DeviceCounts, request: number): TopologyHint[] {
  const n = counts.positions.size;
  const all = touchingCounts(counts.all.map(bitsOf), n);
  const available = touchingCounts(counts.available.map(bitsOf), n);
  const reusableMasks = [...new Set(counts.reusable.map(bitsOf))];
  const reusableCount = counts.reusable.length;
  const order = iterationOrder(n);
  let minAffinitySize = n;
  for (let k = 0; k < order.length; k++) {
    const p = order[k];
    if (all[p] >= request) {
      // Masks come by size, so the first that holds the request is the narrowest.
      minAffinitySize = popcount32(p);
      break;
    }
  }
  const hints: TopologyHint[] = [];
  for (let k = 0; k < order.length; k++) {
    const p = order[k];
    if (reusableMasks.some((m) => (m & p) === 0)) continue;
    if (reusableCount + available[p] < request) continue;
    hints.push({ affinity: counts.positions.toMask(p), preferred: popcount32(p) === minAffinitySize });
  }
  return hints;
}

/**
 * The single-node hints of the full list, in the same order with the same flags. Under
 * `single-numa-node` the Topology Manager keeps only preferred hints of one node, and an empty
 * list filters exactly like a list of wider hints, so the merge and the verdict are those of the
 * full list (topology-manager.md §5).
 */
function singleNodeHints(counts: DeviceCounts, request: number): TopologyHint[] {
  const n = counts.positions.size;
  const onNode = (lists: readonly number[][], i: number) => lists.filter((l) => l.includes(i)).length;
  let singleHolds = n === 1;
  for (let i = 0; i < n && !singleHolds; i++) singleHolds = onNode(counts.all, i) >= request;
  const hints: TopologyHint[] = [];
  for (let i = 0; i < n; i++) {
    if (counts.reusable.some((l) => !l.includes(i))) continue;
    if (counts.reusable.length + onNode(counts.available, i) < request) continue;
    hints.push({ affinity: counts.positions.maskAt(i), preferred: singleHolds });
  }
  return hints;
}

function useSingleNodeHints(nodes: number): boolean {
  return deviceHintSettings.singleNUMAFastPath && nodes > deviceHintSettings.singleNUMAFastPathAboveNodes;
}

/**
 * `generateDeviceTopologyHints` (device-manager.md §4.1): one hint per NUMA mask (in
 * `IterateBitMasks` order) that holds every reusable device with `TopologyInfo` and enough
 * reusable + available devices for the request; the narrowest masks that could hold the request
 * among all devices are preferred. The list equals the reference's (hints.reference.ts) but costs
 * two table passes; with `singleNUMANodePolicy` (the Topology Manager runs `single-numa-node`) on
 * a machine of many NUMA nodes (hints-settings.ts) only its single-node hints are listed.
 */
export function generateDeviceTopologyHints(
  input: DeviceHintInput,
  singleNUMANodePolicy = false,
): TopologyHint[] {
  if (deviceHintSettings.enumeration === "reference") return generateDeviceTopologyHintsReference(input);
  const counts = deviceCounts(input);
  const n = counts.positions.size;
  if (singleNUMANodePolicy && useSingleNodeHints(n)) return singleNodeHints(counts, input.request);
  if (n > MAX_TABULATED_NODES) return generateDeviceTopologyHintsReference(input);
  return tabulatedHints(counts, input.request);
}
