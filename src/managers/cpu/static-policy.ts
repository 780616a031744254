import { CPUSet, ManagerError, MetricsRegistry } from "../../core/index.js";
import {
  type Container,
  containersInOrder,
  DEFAULT_FEATURE_GATES,
  DEFAULT_KUBERNETES_VERSION,
  type FeatureGates,
  isPodLevelResourcesSet,
  isStandardInitContainer,
  type KubernetesVersion,
  type Pod,
  podLevelGatesOn,
} from "../../k8s/index.js";
import type { CPUTopology } from "../../machine/index.js";
import {
  type AffinityStore,
  type BitMask,
  familyHints,
  type HintFamily,
  type HintProvider,
  type ProviderAnswer,
  type ProviderHints,
  type TopologyHint,
  topologyHintSettings,
} from "../topology/index.js";
import { pickCPUs, takeByPolicy } from "./allocate-cpus.js";
import { generateCPUTopologyHints, useSingleNodeHints } from "./hints.js";
import { cpuHintFamily } from "./hints-family.js";
import {
  type StaticPolicyOptions,
  parseStaticPolicyOptions,
  validateStaticPolicyOptions,
} from "./options.js";
import { type PartitionContext, partitionPodCPUs } from "./pod-allocation.js";
import { classifyStoredPod, releaseStoredPod } from "./pod-state.js";
import { CPUPolicyMetrics } from "./policy-metrics.js";
import {
  admissionContainerGuaranteedCPUs,
  type ContainerCPURequests,
  guaranteedCPUs,
  podGuaranteedCPUs,
  resourcesQualifyForExclusiveCPUs,
} from "./requests.js";
import { type ContainerKey, CPUState } from "./state.js";
import { validatePodScopeResources } from "./validate-pod-scope.js";
import { validateState } from "./validate-state.js";

export interface StaticPolicyConfig {
  topology: CPUTopology;
  /** `ceil(systemReserved.cpu + kubeReserved.cpu)`. */
  numReservedCPUs: number;
  /** `reservedSystemCPUs`; empty or absent -> reserve `numReservedCPUs` by topology. */
  reservedSystemCPUs?: CPUSet | null;
  /** `cpuManagerPolicyOptions` as configured (name -> "true"/"false"). */
  options?: Readonly<Record<string, string>> | null;
  /** Gates not given are the kubelet defaults. */
  gates?: Partial<FeatureGates>;
  kubernetesVersion?: KubernetesVersion;
  /** The Topology Manager policy name, checked against `align-by-socket`; default `none`. */
  topologyManagerPolicy?: string;
  /** Where the Topology Manager's chosen hints are read; default: always the empty hint. */
  affinity?: AffinityStore;
  metrics?: MetricsRegistry;
  /** The state to manage (e.g. restored from a checkpoint); default: empty, filled in by `start`. */
  state?: CPUState;
}

/** `GetResourceIsolationLevel` (pod-level.md §4.1). */
export type ResourceIsolationLevel = "host" | "pod" | "container";

const NOTHING_RESTORED: ReadonlyMap<string, CPUSet> = new Map();

const NO_AFFINITY: AffinityStore = { getAffinity: () => ({ affinity: null, preferred: false }) };

function smtError(message: string): ManagerError {
  return new ManagerError(message, "SMTAlignmentError");
}

function asManagerError(err: unknown): ManagerError {
  if (err instanceof ManagerError) return err;
  return new ManagerError(err instanceof Error ? err.message : String(err));
}

function cpuHints<L>(hints: L | TopologyHint[]): Map<string, L | TopologyHint[]> {
  // Set, not built from a list of pairs: no pair arrays per answer.
  return new Map<string, L | TopologyHint[]>().set("cpu", hints);
}

/** How hints come out of `generateCPUTopologyHints`: listed, or as a family. */
type Generate<L> = (available: CPUSet, reusable: CPUSet, request: number) => L;

/**
 * The CPU Manager's `static` policy (cpu-manager.md §6, pod-level.md §2): exclusive CPUs for
 * Guaranteed containers with integral requests, NUMA-aligned pod bubbles for pod-level pods, and
 * topology hints for both. Decisions only: the caller applies cpusets and persists the state.
 */
export class StaticPolicy implements HintProvider {
  readonly resource = "cpu" as const;
  readonly name = "static";
  readonly topology: CPUTopology;
  readonly options: StaticPolicyOptions;
  readonly gates: FeatureGates;
  readonly kubernetesVersion: KubernetesVersion;
  /** CPUs never given exclusively. */
  readonly reserved: CPUSet;
  /** Every CPU of every core holding a reserved CPU (`full-pcpus-only` accounting). */
  readonly reservedPhysical: CPUSet;
  readonly cpuGroupSize: number;
  readonly state: CPUState;
  readonly metrics: MetricsRegistry;
  private readonly affinity: AffinityStore;
  /** Hints for `single-numa-node` need only the single-node ones (hints.ts). */
  private readonly singleNUMANodePolicy: boolean;
  private readonly counters: CPUPolicyMetrics;
  /** `cpusToReuse`: CPUs of finished standard init containers, for the pod being admitted. */
  private readonly cpusToReuse = new Map<string, CPUSet>();
  /**
   * The default set `getAvailableCPUs` last answered for, and its answer: hints and allocation
   * ask several times per admission while the default set (immutable) stays the same object.
   */
  private availableFrom: CPUSet | null = null;
  private available = CPUSet.empty;
  /** What partitioning a bubble needs of this policy, built once. */
  private readonly partitionContext: PartitionContext;

  /** `NewStaticPolicy`. Throws `ManagerError` for bad options or an impossible reservation. */
  constructor(config: StaticPolicyConfig) {
    this.topology = config.topology;
    this.gates = { ...DEFAULT_FEATURE_GATES, ...config.gates };
    this.kubernetesVersion = config.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION;
    this.options = parseStaticPolicyOptions(config.options, this.gates);
    validateStaticPolicyOptions(this.options, this.topology, config.topologyManagerPolicy ?? "none");
    this.cpuGroupSize = this.topology.cpusPerCore;
    this.affinity = config.affinity ?? NO_AFFINITY;
    this.singleNUMANodePolicy = config.topologyManagerPolicy === "single-numa-node";
    this.metrics = config.metrics ?? new MetricsRegistry();
    this.counters = new CPUPolicyMetrics(this.metrics, this.topology);
    this.state = config.state ?? new CPUState();
    this.partitionContext = {
      state: this.state,
      metrics: this.counters,
      take: (available, numCPUs) => this.take(available, numCPUs),
    };

    let reserved = config.reservedSystemCPUs ?? CPUSet.empty;
    if (reserved.isEmpty()) {
      try {
        reserved = this.take(this.topology.all, config.numReservedCPUs);
      } catch {
        reserved = CPUSet.empty;
      }
    }
    if (reserved.size !== config.numReservedCPUs) {
      throw new ManagerError(
        `[cpumanager] unable to reserve the required amount of CPUs (size of ${reserved} did not equal ${config.numReservedCPUs})`,
      );
    }
    const unknown = reserved.toArray().find((id) => !this.topology.details.has(id));
    if (unknown !== undefined) {
      throw new ManagerError(
        `[cpumanager] unable to build the reserved physical CPUs from the reserved set: unknown CPU ID: ${unknown}`,
      );
    }
    this.reserved = reserved;
    this.reservedPhysical = this.topology.physicalCPUsOf(reserved);
  }

  // ---- pools -------------------------------------------------------------------------------

  /** Every CPU that may ever be exclusive: all CPUs minus the reserved ones. */
  getAllocatableCPUs(): CPUSet {
    return this.topology.all.difference(this.reserved);
  }

  /** Free for exclusive use now: the default set minus the reserved CPUs. */
  getAvailableCPUs(): CPUSet {
    const defaults = this.state.getDefaultCPUSet();
    if (defaults !== this.availableFrom) {
      this.available = defaults.difference(this.reserved);
      this.availableFrom = defaults;
    }
    return this.available;
  }

  getAvailablePhysicalCPUs(): CPUSet {
    return this.state.getDefaultCPUSet().difference(this.reservedPhysical);
  }

  /** The policy's take-by-topology; throws `ManagerError`. */
  take(available: CPUSet, numCPUs: number): CPUSet {
    return takeByPolicy(this.topology, this.options, available, numCPUs);
  }

  guaranteedCPUs(pod: Pod, container: Container): number {
    return guaranteedCPUs(pod, container, this.gates);
  }

  podGuaranteedCPUs(pod: Pod): number {
    return podGuaranteedCPUs(pod, this.gates);
  }

  /**
   * `validatePodScopeResources`: the kubelet's rejection text, or null. `podTotal` and
   * `requests` are the pod's counts when the caller has them already.
   */
  validatePodScopeResources(pod: Pod, podTotal?: number, requests?: ContainerCPURequests): string | null {
    return validatePodScopeResources(pod, this.gates, podTotal, requests);
  }

  // ---- start -------------------------------------------------------------------------------

  /** `Start`: validates (and for an empty state initialises) the state, then the metrics. */
  start(): ManagerError | null {
    const err = validateState(this.state, {
      allCPUs: this.topology.all,
      reserved: this.reserved,
      strictReservation: this.options.strictCPUReservation,
      countPodBubbles: this.gates.PodLevelResourceManagers,
    });
    if (err) return err;
    this.counters.initialize(this.getAvailableCPUs().size, this.state.assignedCPUs());
    return null;
  }

  // ---- container allocation ----------------------------------------------------------------

  /** Pod-level set but the pod-level gates are off: the managers leave the pod alone (§1.8). */
  private skipsPodLevel(pod: Pod): boolean {
    return !podLevelGatesOn(this.gates) && isPodLevelResourcesSet(pod);
  }

  /** The SMT checks of `full-pcpus-only` (cpu-manager.md §6.7), or null. */
  private enforceSMTAlignment(numCPUs: number): ManagerError | null {
    if (!this.options.fullPhysicalCPUsOnly) return null;
    if (numCPUs % this.cpuGroupSize !== 0) {
      return smtError(
        `SMT Alignment Error: requested ${numCPUs} cpus not multiple cpus per core = ${this.cpuGroupSize}`,
      );
    }
    const available = this.getAvailablePhysicalCPUs().size;
    if (numCPUs > available) {
      return smtError(
        `SMT Alignment Error: not enough free physical CPUs: available physical CPUs = ${available}, requested CPUs = ${numCPUs}, CPUs per core = ${this.cpuGroupSize}`,
      );
    }
    return null;
  }

  /** `updateCPUsToReuse` (cpu-manager.md §6.6). */
  private updateCPUsToReuse(pod: Pod, container: Container, cset: CPUSet): void {
    // Deleting the entry being visited is safe while iterating a Map. Mostly the map holds this
    // pod alone, or nothing: then there is nothing to walk.
    const reuse = this.cpusToReuse;
    if (reuse.size > (reuse.has(pod.uid) ? 1 : 0))
      for (const uid of reuse.keys()) if (uid !== pod.uid) reuse.delete(uid);
    const current = reuse.get(pod.uid) ?? CPUSet.empty;
    const standardInit = isStandardInitContainer(pod, container);
    reuse.set(pod.uid, standardInit ? current.union(cset) : current.difference(cset));
  }

  /** The reusable init-container CPUs recorded for a pod. */
  reusableCPUs(podUID: string): CPUSet {
    return this.cpusToReuse.get(podUID) ?? CPUSet.empty;
  }

  /** Replaces the reusable CPUs recorded for a pod (as the kubelet's own tests seed them). */
  seedReusableCPUs(podUID: string, cpus: CPUSet): void {
    this.cpusToReuse.set(podUID, cpus);
  }

  /**
   * `allocateCPUs`: NUMA-aligned pick from the available (plus reusable) CPUs, removed from the
   * default set. Throws `ManagerError` with the state unchanged.
   */
  private allocateCPUs(numCPUs: number, affinity: BitMask | null, reusable: CPUSet): CPUSet {
    const allocatable = this.getAvailableCPUs().union(reusable);
    const result = pickCPUs(this.topology, this.options, allocatable, numCPUs, affinity);
    this.state.setDefaultCPUSet(this.state.getDefaultCPUSet().difference(result));
    return result;
  }

  /** `Allocate` (cpu-manager.md §6.4): exclusive CPUs for one container, from the node. */
  allocate(pod: Pod, container: Container): ManagerError | null {
    const numCPUs = this.guaranteedCPUs(pod, container);
    if (numCPUs === 0 || this.skipsPodLevel(pod)) return null;
    this.counters.pinningRequest();
    const err = this.allocateExclusive(pod, container, numCPUs);
    if (err) this.counters.pinningError("node");
    if (this.options.fullPhysicalCPUsOnly) this.counters.physicalCPUAlignment(err === null);
    return err;
  }

  private allocateExclusive(pod: Pod, container: Container, numCPUs: number): ManagerError | null {
    const smt = this.enforceSMTAlignment(numCPUs);
    if (smt) return smt;
    const existing = this.state.getCPUSet(pod.uid, container.name);
    if (existing) {
      this.updateCPUsToReuse(pod, container, existing);
      return null;
    }
    const hint = this.affinity.getAffinity(pod.uid, container.name);
    let cset: CPUSet;
    try {
      cset = this.allocateCPUs(numCPUs, hint.affinity, this.reusableCPUs(pod.uid));
    } catch (err) {
      return asManagerError(err);
    }
    this.state.setCPUSet(pod.uid, container.name, cset);
    this.updateCPUsToReuse(pod, container, cset);
    this.counters.onAllocate(cset, this.state.assignedCPUs());
    this.counters.allocation("node");
    this.counters.assignment("node_exclusive");
    return null;
  }

  // ---- pod allocation ----------------------------------------------------------------------

  /**
   * `AllocatePod` (pod-level.md §2.3, with the re-admission rules of §8): one NUMA-aligned bubble
   * for the pod, partitioned among its containers. A consistent stored allocation (after a
   * restart) is completed in place; stale leftovers are released first; on failure the pod holds
   * nothing.
   */
  allocatePod(pod: Pod): ManagerError | null {
    // OPEN PL-6 (pod-level.md §9): the physical-CPU alignment counters are not moved on this path.
    const total = this.podGuaranteedCPUs(pod);
    if (total === 0) return null;
    const err = this.allocatePodBubble(pod, total);
    if (err) this.counters.pinningError("pod");
    return err;
  }

  private allocatePodBubble(pod: Pod, total: number): ManagerError | null {
    // Counted once per admission: the hints, the validation and the partition all walk them.
    const requests = admissionContainerGuaranteedCPUs(pod, this.gates);
    const invalid = this.validatePodScopeResources(pod, total, requests);
    if (invalid) return new ManagerError(invalid, "EmptyPodSharedPoolError");

    const stored = classifyStoredPod(this.state, pod);
    if (stored.kind === "restored")
      return this.partitionOrRollback(pod, stored.bubble, stored.entries, requests);
    if (stored.kind === "stale") this.releasePod(pod.uid);

    // The SMT checks come after the restore path: a restored bubble is no longer in the default set.
    const smt = this.enforceSMTAlignment(total);
    if (smt) return smt;

    const first = pod.initContainers[0] ?? pod.containers[0];
    const hint = first ? this.affinity.getAffinity(pod.uid, first.name) : { affinity: null };
    let bubble: CPUSet;
    try {
      bubble = this.allocateCPUs(total, hint.affinity, CPUSet.empty);
    } catch (err) {
      return asManagerError(err);
    }
    this.counters.onAllocate(bubble, this.state.assignedCPUs());
    this.state.setPodCPUSet(pod.uid, bubble);
    return this.partitionOrRollback(pod, bubble, NOTHING_RESTORED, requests);
  }

  private partitionOrRollback(
    pod: Pod,
    bubble: CPUSet,
    restored: ReadonlyMap<string, CPUSet>,
    requests: ContainerCPURequests,
  ): ManagerError | null {
    try {
      partitionPodCPUs(this.partitionContext, pod, bubble, restored, requests);
      return null;
    } catch (err) {
      this.releasePod(pod.uid);
      return asManagerError(err);
    }
  }

  /**
   * Returns everything the pod holds to the default set and forgets it. The spec does not say how
   * the gauges move on a rollback or a stale release; podpin counts the CPUs that actually return
   * to the default set as released, so the gauges keep matching the state.
   */
  private releasePod(podUID: string): void {
    const released = releaseStoredPod(this.state, podUID);
    if (!released.isEmpty()) this.counters.onRelease(released, this.state.assignedCPUs());
  }

  // ---- removal -----------------------------------------------------------------------------

  /**
   * `RemoveContainer` (cpu-manager.md §6.5, pod-level.md §2.8): frees the container's CPUs not
   * used by its siblings; inside a bubble nothing is freed until the pod's last container leaves.
   */
  removeContainer(podUID: string, containerName: string): void {
    const s = this.state;
    const toRelease = s.remove(podUID, containerName);
    if (!toRelease) return;

    if (this.gates.PodLevelResourceManagers) {
      const bubble = s.getPodCPUSet(podUID);
      if (bubble) {
        if (s.podAssignments(podUID).size === 0) {
          s.setDefaultCPUSet(s.getDefaultCPUSet().union(bubble));
          s.deletePod(podUID);
          this.counters.onRelease(bubble, s.assignedCPUs());
        }
        return;
      }
    }

    let inUse = CPUSet.empty;
    for (const cpus of s.podAssignments(podUID).values()) inUse = inUse.union(cpus);
    const released = toRelease.difference(inUse);
    s.setDefaultCPUSet(s.getDefaultCPUSet().union(released));
    this.counters.onRelease(released, s.assignedCPUs());
  }

  // ---- hints -------------------------------------------------------------------------------

  /**
   * `generateCPUTopologyHints` as a list. With the Topology Manager on hint families the list is
   * the family listed (the same list; the conformance vectors check it on both paths).
   */
  private generate(available: CPUSet, reusable: CPUSet, request: number): TopologyHint[] {
    if (topologyHintSettings.hintMode === "implicit" && !this.singleNUMANodePolicy)
      return familyHints(
        cpuHintFamily(this.topology, available, reusable, request, this.options.alignBySocket),
      );
    return generateCPUTopologyHints(
      this.topology,
      available,
      reusable,
      request,
      this.options.alignBySocket,
      this.singleNUMANodePolicy,
    );
  }

  /**
   * The hints as a family. Under single-numa-node on large machines the list stays what it is (the
   * merge keeps only single-node hints, which `generate` lists in O(nodes) there); on small ones
   * the family stands for the same full list and costs far less than tabulating it.
   */
  private family(available: CPUSet, reusable: CPUSet, request: number): HintFamily | TopologyHint[] {
    if (this.singleNUMANodePolicy && useSingleNodeHints(this.topology.numaNodes().length))
      return this.generate(available, reusable, request);
    return cpuHintFamily(this.topology, available, reusable, request, this.options.alignBySocket);
  }

  /** `GetTopologyHints` (cpu-manager.md §8). */
  getTopologyHints(pod: Pod, container: Container): ProviderHints {
    return this.containerHints(pod, container, (a, r, n) => this.generate(a, r, n));
  }

  /** `GetTopologyHints` with the hints as a family. */
  getTopologyHintFamilies(pod: Pod, container: Container): ProviderAnswer {
    return this.containerHints(pod, container, (a, r, n) => this.family(a, r, n));
  }

  /** `GetPodTopologyHints`: classic pod scope (cpu-manager.md §8) or the pod-level path (pod-level.md §2.2, §8). */
  getPodTopologyHints(pod: Pod): ProviderHints {
    return this.podHints(pod, (a, r, n) => this.generate(a, r, n));
  }

  /** `GetPodTopologyHints` with the hints as a family. */
  getPodTopologyHintFamilies(pod: Pod): ProviderAnswer {
    return this.podHints(pod, (a, r, n) => this.family(a, r, n));
  }

  private containerHints<L>(
    pod: Pod,
    container: Container,
    generate: Generate<L>,
  ): Map<string, L | TopologyHint[]> | null {
    const requested = this.guaranteedCPUs(pod, container);
    if (requested === 0 || this.skipsPodLevel(pod)) return null;
    const allocated = this.state.getCPUSet(pod.uid, container.name);
    if (allocated) {
      if (allocated.size !== requested) return cpuHints<L>([]);
      return cpuHints(generate(allocated, CPUSet.empty, requested));
    }
    return cpuHints(generate(this.getAvailableCPUs(), this.reusableCPUs(pod.uid), requested));
  }

  private podHints<L>(pod: Pod, generate: Generate<L>): Map<string, L | TopologyHint[]> | null {
    const requested = this.podGuaranteedCPUs(pod);
    if (requested === 0 || this.skipsPodLevel(pod)) return null;
    if (this.gates.PodLevelResourceManagers && isPodLevelResourcesSet(pod)) {
      return this.podLevelHints(pod, requested, generate);
    }

    let assigned = CPUSet.empty;
    for (const c of containersInOrder(pod)) {
      const allocated = this.state.getCPUSet(pod.uid, c.name);
      if (!allocated) continue;
      if (allocated.size !== this.guaranteedCPUs(pod, c)) return cpuHints<L>([]);
      // OPEN CPU-4 (cpu-manager.md §11): the union of the stored sets, as the kubelet computes it.
      assigned = assigned.union(allocated);
    }
    if (assigned.size === requested) return cpuHints(generate(assigned, CPUSet.empty, requested));
    return cpuHints(generate(this.getAvailableCPUs(), this.reusableCPUs(pod.uid).union(assigned), requested));
  }

  private podLevelHints<L>(
    pod: Pod,
    requested: number,
    generate: Generate<L>,
  ): Map<string, L | TopologyHint[]> {
    const requests = admissionContainerGuaranteedCPUs(pod, this.gates);
    if (this.validatePodScopeResources(pod, requested, requests)) return cpuHints<L>([]);
    const stored = classifyStoredPod(this.state, pod);
    if (stored.kind === "restored") {
      if (stored.bubble.size !== requested) return cpuHints<L>([]);
      return cpuHints(generate(stored.bubble, CPUSet.empty, requested));
    }
    // Stale leftovers are released by AllocatePod, so their CPUs already count as free here.
    const available =
      stored.kind === "stale"
        ? this.state.getDefaultCPUSet().union(stored.held).difference(this.reserved)
        : this.getAvailableCPUs();
    return cpuHints(generate(available, this.reusableCPUs(pod.uid), requested));
  }

  // ---- queries -----------------------------------------------------------------------------

  /** `GetCPUAffinity`: the container's stored set, else the current default set. */
  getCPUAffinity(pod: Pod, container: Container): CPUSet {
    return this.state.getCPUSet(pod.uid, container.name) ?? this.state.getDefaultCPUSet();
  }

  /** The container's stored set, if any. */
  getAssignedCPUs(podUID: string, containerName: string): CPUSet | undefined {
    return this.state.getCPUSet(podUID, containerName);
  }

  /** The pod's bubble, if any. */
  getPodCPUSet(podUID: string): CPUSet | undefined {
    return this.state.getPodCPUSet(podUID);
  }

  /** `GetResourceIsolationLevel` (pod-level.md §4.1). */
  getResourceIsolationLevel(pod: Pod, container: Container): ResourceIsolationLevel {
    if (!this.state.getCPUSet(pod.uid, container.name)) return "host";
    if (
      this.gates.PodLevelResourceManagers &&
      isPodLevelResourcesSet(pod) &&
      !resourcesQualifyForExclusiveCPUs(container)
    ) {
      return "pod";
    }
    return "container";
  }

  /** Every stored (pod UID, container name), for the stale-state cleanup. */
  containerKeys(): ContainerKey[] {
    return this.state.containerKeys();
  }

  /** The pod's container names with an assignment, ascending (the order of `containerKeys`). */
  podContainerNames(podUID: string): string[] {
    return this.state.podContainerNames(podUID);
  }

  /** UIDs of the pods holding a bubble, ascending (a bubble may outlive its container entries). */
  podKeys(): string[] {
    return [...this.state.getPodCPUAssignments().keys()].sort();
  }

  /** Releases at once everything a pod holds: its bubble and every container set. */
  removePod(podUID: string): void {
    this.releasePod(podUID);
  }
}
