import { CPUSet } from "../../core/index.js";
import type { CPUStateData } from "./state-data.js";

/** One stored container assignment's key. */
export interface ContainerKey {
  podUID: string;
  containerName: string;
}

function byString(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The CPU Manager's state (the kubelet's `state.State`): the default CPU set, the container
 * assignments and the pod-level bubbles, kept in the plain-data shape checkpoints read and write.
 */
export class CPUState {
  readonly data: CPUStateData;

  constructor(data?: CPUStateData) {
    this.data = data ?? {
      policyName: "static",
      defaultCpuSet: CPUSet.empty,
      entries: new Map(),
      podEntries: new Map(),
    };
  }

  /** A state from literal sets, for tests and simulations. */
  static of(init: {
    defaultCpuSet?: CPUSet;
    entries?: Record<string, Record<string, CPUSet>>;
    podEntries?: Record<string, CPUSet>;
    policyName?: string;
  }): CPUState {
    const entries = new Map<string, Map<string, CPUSet>>();
    for (const [pod, ctrs] of Object.entries(init.entries ?? {})) {
      entries.set(pod, new Map(Object.entries(ctrs)));
    }
    return new CPUState({
      policyName: init.policyName ?? "static",
      defaultCpuSet: init.defaultCpuSet ?? CPUSet.empty,
      entries,
      podEntries: new Map(Object.entries(init.podEntries ?? {})),
    });
  }

  getDefaultCPUSet(): CPUSet {
    return this.data.defaultCpuSet;
  }

  setDefaultCPUSet(cpus: CPUSet): void {
    this.data.defaultCpuSet = cpus;
  }

  getCPUSet(podUID: string, containerName: string): CPUSet | undefined {
    return this.data.entries.get(podUID)?.get(containerName);
  }

  setCPUSet(podUID: string, containerName: string, cpus: CPUSet): void {
    let pod = this.data.entries.get(podUID);
    if (!pod) this.data.entries.set(podUID, (pod = new Map()));
    pod.set(containerName, cpus);
  }

  /** Deletes one assignment; a pod left without assignments disappears, as in the kubelet. */
  delete(podUID: string, containerName: string): void {
    const pod = this.data.entries.get(podUID);
    if (!pod) return;
    pod.delete(containerName);
    if (pod.size === 0) this.data.entries.delete(podUID);
  }

  getCPUAssignments(): ReadonlyMap<string, ReadonlyMap<string, CPUSet>> {
    return this.data.entries;
  }

  /** The pod's container assignments (empty when it has none). */
  podAssignments(podUID: string): ReadonlyMap<string, CPUSet> {
    return this.data.entries.get(podUID) ?? new Map();
  }

  getPodCPUSet(podUID: string): CPUSet | undefined {
    return this.data.podEntries.get(podUID);
  }

  setPodCPUSet(podUID: string, cpus: CPUSet): void {
    this.data.podEntries.set(podUID, cpus);
  }

  getPodCPUAssignments(): ReadonlyMap<string, CPUSet> {
    return this.data.podEntries;
  }

  /** Forgets everything stored for the pod: its bubble and its container assignments. */
  deletePod(podUID: string): void {
    this.data.podEntries.delete(podUID);
    this.data.entries.delete(podUID);
  }

  /** Every stored container assignment's key, pods and containers in ascending order. */
  containerKeys(): ContainerKey[] {
    const out: ContainerKey[] = [];
    for (const podUID of [...this.data.entries.keys()].sort(byString)) {
      for (const containerName of [...this.data.entries.get(podUID)!.keys()].sort(byString)) {
        out.push({ podUID, containerName });
      }
    }
    return out;
  }

  /** The container names holding an assignment in the pod, ascending (as `containerKeys` orders them). */
  podContainerNames(podUID: string): string[] {
    const inner = this.data.entries.get(podUID);
    return inner ? [...inner.keys()].sort(byString) : [];
  }

  /** Union of every container assignment. */
  assignedCPUs(): CPUSet {
    const sets: CPUSet[] = [];
    for (const pod of this.data.entries.values()) sets.push(...pod.values());
    return CPUSet.empty.union(...sets);
  }

  /** A deep copy (CPU sets are immutable and shared). */
  clone(): CPUState {
    const entries = new Map<string, Map<string, CPUSet>>();
    for (const [pod, ctrs] of this.data.entries) entries.set(pod, new Map(ctrs));
    return new CPUState({
      policyName: this.data.policyName,
      defaultCpuSet: this.data.defaultCpuSet,
      entries,
      podEntries: new Map(this.data.podEntries),
    });
  }
}
