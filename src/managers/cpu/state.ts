import { CPUSet } from "../../core/index.js";
import type { CPUStateData } from "./state-data.js";
import { lowestBit } from "./take-index.js";

/** One stored container assignment's key. */
export interface ContainerKey {
  podUID: string;
  containerName: string;
}

const NO_ASSIGNMENTS: ReadonlyMap<string, CPUSet> = new Map();

function byString(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The CPU Manager's state (the kubelet's `state.State`): the default CPU set, the container
 * assignments and the pod-level bubbles, kept in the plain-data shape checkpoints read and write.
 *
 * The union of the container assignments is kept as assignments come and go (a count of the
 * assignments holding each CPU, and the words of the CPUs held at all), so that reading it costs
 * nothing per live pod: the metrics read it on every allocation and release, while an admission
 * stores several containers in between. `data` is therefore changed only through this class once
 * it is wrapped (checkpoints and reports only read it).
 */
export class CPUState {
  readonly data: CPUStateData;
  /** CPU id -> how many container assignments hold it. */
  private holders = new Int32Array(0);
  /** The CPUs with a holder, as bitset words. */
  private heldWords = new Uint32Array(0);
  /** `heldWords` as a set, built when first read after a change. */
  private assigned: CPUSet | null = CPUSet.empty;

  constructor(data?: CPUStateData) {
    this.data = data ?? {
      policyName: "static",
      defaultCpuSet: CPUSet.empty,
      entries: new Map(),
      podEntries: new Map(),
    };
    for (const pod of this.data.entries.values()) for (const cpus of pod.values()) this.hold(cpus);
  }

  private hold(cpus: CPUSet): void {
    const max = cpus.max();
    if (max < 0) return;
    if (max >= this.holders.length) {
      const grown = new Int32Array(Math.max(max + 1, this.holders.length * 2));
      grown.set(this.holders);
      this.holders = grown;
    }
    const wordCount = cpus.wordCount;
    if (wordCount > this.heldWords.length) {
      const grown = new Uint32Array(Math.max(wordCount, this.heldWords.length * 2));
      grown.set(this.heldWords);
      this.heldWords = grown;
    }
    for (let w = 0; w < wordCount; w++) {
      let bits = cpus.wordAt(w);
      if (bits === 0) continue;
      if ((bits & ~this.heldWords[w]) !== 0) {
        this.heldWords[w] |= bits;
        this.assigned = null;
      }
      for (; bits !== 0; bits &= bits - 1) this.holders[w * 32 + lowestBit(bits)]++;
    }
  }

  private release(cpus: CPUSet): void {
    const wordCount = Math.min(cpus.wordCount, this.heldWords.length);
    for (let w = 0; w < wordCount; w++) {
      for (let bits = cpus.wordAt(w); bits !== 0; bits &= bits - 1) {
        if (--this.holders[w * 32 + lowestBit(bits)] !== 0) continue;
        this.heldWords[w] &= ~(bits & -bits);
        this.assigned = null;
      }
    }
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
    const previous = pod.get(containerName);
    pod.set(containerName, cpus);
    this.hold(cpus);
    if (previous) this.release(previous);
  }

  /** Deletes one assignment; a pod left without assignments disappears, as in the kubelet. */
  delete(podUID: string, containerName: string): void {
    const pod = this.data.entries.get(podUID);
    if (!pod) return;
    if (this.removeFrom(pod, podUID, containerName) === undefined && pod.size === 0)
      this.data.entries.delete(podUID);
  }

  /** `delete` of a stored assignment, returning its set; undefined, changing nothing, when none is stored. */
  remove(podUID: string, containerName: string): CPUSet | undefined {
    const pod = this.data.entries.get(podUID);
    return pod && this.removeFrom(pod, podUID, containerName);
  }

  private removeFrom(pod: Map<string, CPUSet>, podUID: string, containerName: string): CPUSet | undefined {
    const previous = pod.get(containerName);
    if (!previous) return undefined;
    // The last assignment leaves with its pod (as `deletePod` drops a pod's map whole): deleting
    // the key first would only shrink a table about to be dropped.
    if (pod.size === 1) this.data.entries.delete(podUID);
    else pod.delete(containerName);
    this.release(previous);
    return previous;
  }

  getCPUAssignments(): ReadonlyMap<string, ReadonlyMap<string, CPUSet>> {
    return this.data.entries;
  }

  /** The pod's container assignments (empty when it has none). */
  podAssignments(podUID: string): ReadonlyMap<string, CPUSet> {
    return this.data.entries.get(podUID) ?? NO_ASSIGNMENTS;
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
    const pod = this.data.entries.get(podUID);
    if (!pod) return;
    this.data.entries.delete(podUID);
    for (const cpus of pod.values()) this.release(cpus);
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
    if (this.assigned === null) this.assigned = CPUSet.fromWords(this.heldWords);
    return this.assigned;
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
