import { CPUSet } from "../../core/index.js";
import { containersInOrder, type Pod } from "../../k8s/index.js";
import type { CPUState } from "./state.js";

/**
 * What the state holds for a pod-level pod at (re-)admission (pod-level.md §8, settled by the
 * kubelet's restart tests):
 * - `none`: nothing stored;
 * - `restored`: a bubble disjoint from the default set whose container entries are the first k
 *   containers in container order (a checkpoint written part-way through an admission);
 * - `stale`: anything else: a bubble overlapping the default set (interrupted release), entries
 *   that are not a prefix (interrupted cleanup), or entries without a bubble.
 */
export type StoredPodState =
  | { kind: "none" }
  | { kind: "restored"; bubble: CPUSet; entries: ReadonlyMap<string, CPUSet> }
  | { kind: "stale"; held: CPUSet };

function entriesArePrefix(pod: Pod, entries: ReadonlyMap<string, CPUSet>): boolean {
  const order = containersInOrder(pod);
  if (entries.size > order.length) return false;
  for (let i = 0; i < entries.size; i++) if (!entries.has(order[i].name)) return false;
  return true;
}

const NOTHING_STORED: StoredPodState = Object.freeze({ kind: "none" });

export function classifyStoredPod(state: CPUState, pod: Pod): StoredPodState {
  const bubble = state.getPodCPUSet(pod.uid);
  const entries = state.podAssignments(pod.uid);
  if (!bubble && entries.size === 0) return NOTHING_STORED;
  if (bubble && !bubble.intersects(state.getDefaultCPUSet()) && entriesArePrefix(pod, entries)) {
    return { kind: "restored", bubble, entries };
  }
  return { kind: "stale", held: CPUSet.empty.union(bubble ?? CPUSet.empty, ...entries.values()) };
}

/**
 * Gives every CPU the pod holds (bubble and container sets) back to the default set and forgets
 * the pod. Returns the CPUs that were not already in the default set.
 */
export function releaseStoredPod(state: CPUState, podUID: string): CPUSet {
  const held = CPUSet.empty.union(
    state.getPodCPUSet(podUID) ?? CPUSet.empty,
    ...state.podAssignments(podUID).values(),
  );
  const before = state.getDefaultCPUSet();
  state.setDefaultCPUSet(before.union(held));
  state.deletePod(podUID);
  return held.difference(before);
}
