import type { MemoryBlock, MemoryStateData, NUMANodeMap } from "./state-data.js";

/**
 * Reads and writes of the Memory Manager's state (`state.State` in the kubelet): container
 * assignments, pod-level assignments and the machine state. An entry with an empty block list is
 * present (the kubelet tells "no entry" from "entry without blocks" apart, memory-manager.md MM-1).
 */
export function emptyMemoryState(policyName = "Static"): MemoryStateData {
  return { policyName, machineState: new Map(), entries: new Map(), podEntries: new Map() };
}

/**
 * One block per resource on the NUMA ids `bits`, each with its own id list; resources of size 0
 * are left out when `positiveOnly`.
 */
export function blocksOn(
  sizes: ReadonlyMap<string, bigint>,
  bits: readonly number[],
  positiveOnly = false,
): MemoryBlock[] {
  let count = sizes.size;
  if (positiveOnly) {
    count = 0;
    for (const size of sizes.values()) if (size > 0n) count++;
  }
  // Made to size: a growing array would reserve room for many more blocks than a pod has.
  const out = new Array<MemoryBlock>(count);
  let i = 0;
  for (const [type, size] of sizes)
    if (!positiveOnly || size > 0n) out[i++] = { numaAffinity: [...bits], type, size };
  return out;
}

export function cloneBlocks(blocks: readonly MemoryBlock[]): MemoryBlock[] {
  return blocks.map((b) => ({ numaAffinity: [...b.numaAffinity], type: b.type, size: b.size }));
}

/** The container's blocks, or null when it has no entry. */
export function getMemoryBlocks(
  s: MemoryStateData,
  podUID: string,
  containerName: string,
): MemoryBlock[] | null {
  return s.entries.get(podUID)?.get(containerName) ?? null;
}

export function setMemoryBlocks(
  s: MemoryStateData,
  podUID: string,
  containerName: string,
  blocks: readonly MemoryBlock[],
): void {
  let pod = s.entries.get(podUID);
  if (!pod) s.entries.set(podUID, (pod = new Map()));
  pod.set(containerName, cloneBlocks(blocks));
}

/**
 * `setMemoryBlocks` for blocks made for this entry alone (their arrays shared with nothing else):
 * stored as they are, without the copy.
 */
export function adoptMemoryBlocks(
  s: MemoryStateData,
  podUID: string,
  containerName: string,
  blocks: MemoryBlock[],
): void {
  let pod = s.entries.get(podUID);
  if (!pod) s.entries.set(podUID, (pod = new Map()));
  pod.set(containerName, blocks);
}

/** Deletes one container entry, and the pod's map once it is empty (as the kubelet's state does). */
export function deleteContainerEntry(s: MemoryStateData, podUID: string, containerName: string): void {
  const pod = s.entries.get(podUID);
  if (!pod) return;
  // The last entry leaves with its map: emptying a map that is dropped would only shrink it.
  if (pod.size === 1 && pod.has(containerName)) s.entries.delete(podUID);
  else pod.delete(containerName);
}

/** Deletes every container entry and the pod-level entry of a pod. */
export function deletePodEntries(s: MemoryStateData, podUID: string): void {
  s.entries.delete(podUID);
  s.podEntries.delete(podUID);
}

export function cloneMachineState(ms: NUMANodeMap): NUMANodeMap {
  const out: NUMANodeMap = new Map();
  for (const [id, node] of ms) {
    const memoryMap = new Map();
    for (const [r, t] of node.memoryMap) memoryMap.set(r, { ...t });
    out.set(id, {
      numberOfAssignments: node.numberOfAssignments,
      memoryMap,
      cells: node.cells === null ? null : [...node.cells],
    });
  }
  return out;
}

export function cloneMemoryState(s: MemoryStateData): MemoryStateData {
  const entries = new Map<string, Map<string, MemoryBlock[]>>();
  for (const [pod, containers] of s.entries) {
    const m = new Map<string, MemoryBlock[]>();
    for (const [name, blocks] of containers) m.set(name, cloneBlocks(blocks));
    entries.set(pod, m);
  }
  const podEntries = new Map<string, MemoryBlock[]>();
  for (const [pod, blocks] of s.podEntries) podEntries.set(pod, cloneBlocks(blocks));
  return { policyName: s.policyName, machineState: cloneMachineState(s.machineState), entries, podEntries };
}
