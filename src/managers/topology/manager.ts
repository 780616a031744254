import {
  type AdmissionFailure,
  admissionFailureOf,
  ManagerError,
  type MetricsRegistry,
} from "../../core/index.js";
import type { SeriesHandle } from "../../core/metrics.js";
import {
  type Container,
  containersInOrder,
  type FeatureGates,
  type Pod,
  usesPodLevelResources,
} from "../../k8s/index.js";
import {
  podLevelTopologyAffinityError,
  POD_LEVEL_ADMISSION_FAILURE_TEXT,
  topologyAffinityError,
} from "./errors.js";
import type { TopologyHint } from "./hint.js";
import type { ProviderAnswer } from "./hint-family.js";
import { type HintMode, topologyHintSettings } from "./hint-mode.js";
import { type NUMADistances, NUMAInfo } from "./numa-info.js";
import { parseTopologyPolicyOptions } from "./options.js";
import {
  alignmentGuaranteed,
  createPolicy,
  DEFAULT_MERGE_SETTINGS,
  isTopologyPolicyName,
  type MergeSettings,
  type TopologyPolicy,
  type TopologyPolicyName,
} from "./policy.js";
import type { AffinityStore, HintProvider } from "./provider.js";
import {
  type AdmitPath,
  type AdmitResult,
  type AdmitTrace,
  hintData,
  mergeData,
  type ProviderName,
} from "./trace.js";

export type TopologyScopeName = "container" | "pod";

/** The kubelet settings and machine facts the Topology Manager is built from. */
export interface TopologyManagerConfig {
  /** `topologyManagerPolicy` (kubelet default `none`). */
  policy: string;
  /** `topologyManagerScope` (kubelet default `container`); not checked with policy `none`. */
  scope: string;
  /** `topologyManagerPolicyOptions`. */
  policyOptions: Readonly<Record<string, string>>;
  featureGates: FeatureGates;
  /** Every NUMA node id of the machine, CPU-less ones included (`machineNUMANodes`). */
  numaNodes: readonly number[];
  /** Distance rows by node id (`Machine.distances`); read only with `prefer-closest-numa-nodes`. */
  distances: NUMADistances | null;
  /** Receives the Topology Manager's counters (metrics.md §3.1). */
  metrics: MetricsRegistry;
  /** Merge implementation; the fast merge unless a test asks for the reference. */
  merge?: MergeSettings;
  /** How providers are asked for hints; `topologyHintSettings.hintMode` (read per admission) when absent. */
  hintMode?: HintMode;
}

const SCOPE_LABEL = { container: "container", pod: "pod" } as const;
const NUMA_NODE_BOUNDARY = "numa_node";
const ZERO_HINT: Readonly<TopologyHint> = Object.freeze({ affinity: null, preferred: false });
/**
 * The verdicts of a merge the policy does not admit, worded once: an error object captures a
 * stack trace, the costliest part of a rejection, and only its reason and text are kept.
 */
const MERGE_FAILURE: Readonly<AdmissionFailure> = Object.freeze(admissionFailureOf(topologyAffinityError()));
const POD_LEVEL_MERGE_FAILURE: Readonly<AdmissionFailure> = Object.freeze(
  admissionFailureOf(podLevelTopologyAffinityError(POD_LEVEL_ADMISSION_FAILURE_TEXT)),
);

/**
 * `NewManager`: policy `none` short-circuits (no option parsing, no scope check, no alignment
 * series). Otherwise: options, NUMA info, the `max-allowable-numa-nodes` limit, the policy name,
 * the scope name, in that order, each failure a `ManagerError` with the kubelet's text.
 */
export function createTopologyManager(config: TopologyManagerConfig): TopologyManager | ManagerError {
  const settings = config.merge ?? DEFAULT_MERGE_SETTINGS;
  if (config.policy === "none") {
    const numa = NUMAInfo.withoutDistances([]);
    const policy = createPolicy(
      "none",
      numa,
      { preferClosestNUMA: false, maxAllowableNUMANodes: 0 },
      settings,
    );
    return new TopologyManager(policy, "none", config.featureGates, config.metrics, config.hintMode);
  }
  const options = parseTopologyPolicyOptions(config.policyOptions, config.featureGates);
  if (options instanceof ManagerError) return options;
  const numa = NUMAInfo.create(config.numaNodes, config.distances, options.preferClosestNUMA);
  if (typeof numa === "string") return new ManagerError(`cannot discover NUMA topology: ${numa}`);
  if (numa.nodes.length > options.maxAllowableNUMANodes)
    return new ManagerError(
      `unsupported on machines with more than ${options.maxAllowableNUMANodes} NUMA Nodes`,
    );
  if (!isTopologyPolicyName(config.policy)) return new ManagerError(`unknown policy: "${config.policy}"`);
  if (config.scope !== "container" && config.scope !== "pod")
    return new ManagerError(`unknown scope: "${config.scope}"`);
  const policy = createPolicy(config.policy, numa, options, settings);
  const manager = new TopologyManager(
    policy,
    config.scope,
    config.featureGates,
    config.metrics,
    config.hintMode,
  );
  for (const scope of [SCOPE_LABEL.container, SCOPE_LABEL.pod]) {
    config.metrics.touch("container_aligned_compute_resources_count", [scope, NUMA_NODE_BOUNDARY]);
    config.metrics.touch("container_aligned_compute_resources_failure_count", [scope, NUMA_NODE_BOUNDARY]);
  }
  return manager;
}

type AlignmentMetric =
  | "container_aligned_compute_resources_count"
  | "container_aligned_compute_resources_failure_count";

/** The Topology Manager's series, resolved once: an admission counts the same few. */
interface AdmissionCounters {
  readonly requests: SeriesHandle;
  readonly errors: SeriesHandle;
  /** `container_aligned_compute_resources_count` and `…_failure_count` by scope. */
  readonly aligned: Readonly<Record<TopologyScopeName, SeriesHandle>>;
  readonly alignmentFailures: Readonly<Record<TopologyScopeName, SeriesHandle>>;
}

function alignmentSeries(
  metrics: MetricsRegistry,
  name: AlignmentMetric,
): Record<TopologyScopeName, SeriesHandle> {
  return {
    container: metrics.series(name, [SCOPE_LABEL.container, NUMA_NODE_BOUNDARY]),
    pod: metrics.series(name, [SCOPE_LABEL.pod, NUMA_NODE_BOUNDARY]),
  };
}

function admissionCounters(metrics: MetricsRegistry): AdmissionCounters {
  return {
    requests: metrics.series("topology_manager_admission_requests_total"),
    errors: metrics.series("topology_manager_admission_errors_total"),
    aligned: alignmentSeries(metrics, "container_aligned_compute_resources_count"),
    alignmentFailures: alignmentSeries(metrics, "container_aligned_compute_resources_failure_count"),
  };
}

/** Pod scope takes the pod-level path with both pod-level gates on and `.spec.resources` set (pod-level.md §1.6). */
export function takesPodLevelPath(pod: Pod, gates: FeatureGates): boolean {
  return gates.PodLevelResources && usesPodLevelResources(pod, gates);
}

/**
 * The Topology Manager (§7): gathers hints from its providers (device, CPU, memory), merges them
 * under the policy, stores the winning hint per container and has the providers allocate.
 * The admission duration histogram is left to the caller, which owns the clock.
 */
export class TopologyManager implements AffinityStore {
  private readonly hintProviders: HintProvider[] = [];
  /** The providers' names in registration order, for traces (which must not hold the providers). */
  private providerNames: readonly ProviderName[] = [];
  /** pod UID -> container name -> stored hint. */
  private readonly affinities = new Map<string, Map<string, TopologyHint>>();
  private readonly counters: AdmissionCounters;

  constructor(
    readonly policy: TopologyPolicy,
    /** `none` is the none policy's scope: no hints, only allocations (§7.3). */
    readonly scope: TopologyScopeName | "none",
    private readonly gates: FeatureGates,
    private readonly metrics: MetricsRegistry,
    private readonly hintMode?: HintMode,
  ) {
    this.counters = admissionCounters(metrics);
  }

  /** Families from the providers that offer them, unless the explicit lists are asked for. */
  private get asksFamilies(): boolean {
    return (this.hintMode ?? topologyHintSettings.hintMode) === "implicit";
  }

  private containerAnswers(pod: Pod, container: Container): ProviderAnswer[] {
    const families = this.asksFamilies;
    const answers: ProviderAnswer[] = [];
    for (const p of this.hintProviders)
      answers.push(
        families && p.getTopologyHintFamilies
          ? p.getTopologyHintFamilies(pod, container)
          : p.getTopologyHints(pod, container),
      );
    return answers;
  }

  private podAnswers(pod: Pod): ProviderAnswer[] {
    const families = this.asksFamilies;
    const answers: ProviderAnswer[] = [];
    for (const p of this.hintProviders)
      answers.push(
        families && p.getPodTopologyHintFamilies
          ? p.getPodTopologyHintFamilies(pod)
          : p.getPodTopologyHints(pod),
      );
    return answers;
  }

  get policyName(): TopologyPolicyName {
    return this.policy.name;
  }

  get providers(): readonly HintProvider[] {
    return this.hintProviders;
  }

  /**
   * Registers a provider; registration order is consultation and allocation order.
   * OPEN TM-1 (topology-manager.md §11) and DM-7 (device-manager.md §14): the Node registers the
   * Device Manager, then the CPU Manager, then the Memory Manager.
   */
  addHintProvider(provider: HintProvider): void {
    this.hintProviders.push(provider);
    this.providerNames = Object.freeze(this.hintProviders.map((p) => p.resource));
  }

  getAffinity(podUID: string, containerName: string): TopologyHint {
    return this.affinities.get(podUID)?.get(containerName) ?? ZERO_HINT;
  }

  /** Every hint stored for a pod, by container name. */
  podAffinities(podUID: string): ReadonlyMap<string, TopologyHint> {
    return this.affinities.get(podUID) ?? new Map();
  }

  /** Forgets a container's hint; unknown pods and containers are ignored. */
  removeContainer(podUID: string, containerName: string): void {
    const pod = this.affinities.get(podUID);
    if (!pod) return;
    pod.delete(containerName);
    if (pod.size === 0) this.affinities.delete(podUID);
  }

  /** The pod admit handler: counts the request, then runs the configured scope. */
  admit(pod: Pod): AdmitResult {
    this.metrics.incSeries(this.counters.requests);
    const run = new AdmissionRun(this.policy, this.pathFor(pod));
    switch (run.trace.path) {
      case "none":
        return this.admitPolicyNone(pod, run);
      case "container":
        return this.admitContainerScope(pod, run);
      case "pod":
        return this.admitPodScope(pod, run);
      case "pod-level":
        return this.admitUsingPodResources(pod, run);
    }
  }

  // OPEN TM-2 (topology-manager.md §11): with policy none every pod, pod-level ones included,
  // takes the none scope, as in the kubelet; `explain` warns about the documented restriction.
  private pathFor(pod: Pod): AdmitPath {
    if (this.scope === "none" || this.scope === "container") return this.scope;
    return takesPodLevelPath(pod, this.gates) ? "pod-level" : "pod";
  }

  /** §7.3: allocations only; an error rejects without `topology_manager_admission_errors_total`. */
  private admitPolicyNone(pod: Pod, run: AdmissionRun): AdmitResult {
    for (const container of containersInOrder(pod)) {
      const err = this.allocateContainer(pod, container, run);
      if (err) return run.reject(err, "allocation");
    }
    return run.admit();
  }

  /** §7.1: merge, store, allocate, container by container. */
  private admitContainerScope(pod: Pod, run: AdmissionRun): AdmitResult {
    const aligned = alignmentGuaranteed(this.policy);
    for (const container of containersInOrder(pod)) {
      const answers = this.containerAnswers(pod, container);
      const { hint, admit } = this.policy.merge(answers);
      run.recordMerge(container.name, this.providerNames, answers, hint, admit);
      if (!admit) {
        if (aligned) this.metrics.incSeries(this.counters.alignmentFailures.container);
        this.metrics.incSeries(this.counters.errors);
        return run.rejectWith(MERGE_FAILURE, "merge");
      }
      this.setAffinity(pod.uid, container.name, hint, run);
      const err = this.allocateContainer(pod, container, run);
      if (err) {
        this.metrics.incSeries(this.counters.errors);
        return run.reject(err, "allocation");
      }
      if (aligned) this.metrics.incSeries(this.counters.aligned.container);
    }
    return run.admit();
  }

  /** §7.2 classic path: one merge of the pod hints, the same hint for every container. */
  private admitPodScope(pod: Pod, run: AdmissionRun): AdmitResult {
    const hint = this.mergePodHints(pod, run);
    if (hint === null) return run.rejectWith(MERGE_FAILURE, "merge");
    for (const container of containersInOrder(pod)) {
      this.setAffinity(pod.uid, container.name, hint, run);
      const err = this.allocateContainer(pod, container, run);
      if (err) {
        this.metrics.incSeries(this.counters.errors);
        return run.reject(err, "allocation");
      }
    }
    this.countPodAligned();
    return run.admit();
  }

  /**
   * §7.2 pod-level path (`admitUsingPodResources`): one merge, the hint stored for every
   * container, then one `AllocatePod` per provider. No rollback when a later provider fails;
   * the providers' stale-state cleanup reclaims what an earlier one allocated (§7.4).
   */
  private admitUsingPodResources(pod: Pod, run: AdmissionRun): AdmitResult {
    const hint = this.mergePodHints(pod, run);
    if (hint === null) return run.rejectWith(POD_LEVEL_MERGE_FAILURE, "merge");
    for (const container of containersInOrder(pod)) this.setAffinity(pod.uid, container.name, hint, run);
    for (const provider of this.hintProviders) {
      const err = provider.allocatePod(pod);
      run.recordAllocation(provider, "allocatePod", null, err);
      if (err) {
        this.metrics.incSeries(this.counters.errors);
        return run.reject(err, "allocation");
      }
    }
    this.countPodAligned();
    return run.admit();
  }

  /** The pod scopes' merge; null (after counting the failure) when the policy does not admit. */
  private mergePodHints(pod: Pod, run: AdmissionRun): TopologyHint | null {
    const answers = this.podAnswers(pod);
    const { hint, admit } = this.policy.merge(answers);
    run.recordMerge(null, this.providerNames, answers, hint, admit);
    if (admit) return hint;
    if (alignmentGuaranteed(this.policy)) this.metrics.incSeries(this.counters.alignmentFailures.pod);
    this.metrics.incSeries(this.counters.errors);
    return null;
  }

  private countPodAligned(): void {
    if (alignmentGuaranteed(this.policy)) this.metrics.incSeries(this.counters.aligned.pod);
  }

  /** Every provider's `Allocate` for one container, in provider order, stopping at the first error. */
  private allocateContainer(pod: Pod, container: Container, run: AdmissionRun): ManagerError | null {
    for (const provider of this.hintProviders) {
      const err = provider.allocate(pod, container);
      run.recordAllocation(provider, "allocate", container.name, err);
      if (err) return err;
    }
    return null;
  }

  private setAffinity(podUID: string, containerName: string, hint: TopologyHint, run: AdmissionRun): void {
    let pod = this.affinities.get(podUID);
    if (!pod) this.affinities.set(podUID, (pod = new Map()));
    pod.set(containerName, { affinity: hint.affinity, preferred: hint.preferred });
    run.recordAffinity(containerName, hint);
  }
}

/** Collects the trace of one admission and turns the outcome into an `AdmitResult`. */
class AdmissionRun {
  readonly trace: AdmitTrace;

  constructor(policy: TopologyPolicy, path: AdmitPath) {
    this.trace = {
      policy: policy.name,
      path,
      alignmentGuaranteed: path !== "none" && alignmentGuaranteed(policy),
      merges: [],
      affinities: [],
      allocations: [],
      rejectedBy: null,
    };
  }

  recordMerge(
    container: string | null,
    providers: readonly ProviderName[],
    answers: readonly ProviderAnswer[],
    hint: TopologyHint,
    admit: boolean,
  ): void {
    this.trace.merges.push(mergeData(container, providers, answers, hint, admit));
  }

  recordAffinity(container: string, hint: TopologyHint): void {
    this.trace.affinities.push({ container, hint: hintData(hint) });
  }

  recordAllocation(
    provider: HintProvider,
    call: "allocate" | "allocatePod",
    container: string | null,
    err: ManagerError | null,
  ): void {
    this.trace.allocations.push({
      provider: provider.resource,
      call,
      container,
      error: err ? { reason: err.reason, message: err.message } : null,
    });
  }

  reject(err: ManagerError, by: "merge" | "allocation"): AdmitResult {
    return this.rejectWith(admissionFailureOf(err), by);
  }

  rejectWith(failure: Readonly<AdmissionFailure>, by: "merge" | "allocation"): AdmitResult {
    this.trace.rejectedBy = by;
    return { admitted: false, reason: failure.reason, message: failure.message, trace: this.trace };
  }

  admit(): AdmitResult {
    return { admitted: true, reason: null, message: null, trace: this.trace };
  }
}
