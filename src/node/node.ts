import {
  CPUSet,
  isExtendedResourceName,
  ManagerError,
  MetricsRegistry,
  withPlainJSON,
} from "../core/index.js";
import type { CPUStateData } from "../managers/cpu/index.js";
import type { MemoryStateData } from "../managers/memory/index.js";
import {
  type Container,
  type Pod,
  type ResourceList,
  tolerationWarnings,
  withAdmissionMemo,
} from "../k8s/index.js";
import {
  type DeviceResource,
  type DeviceResources,
  type DeviceSpec,
  type Machine,
  machineNUMANodes,
  NO_PLUGIN_OPTIONS,
  sortedDeviceResources,
} from "../machine/index.js";
import { CPUState, StaticPolicy as CPUStaticPolicy } from "../managers/cpu/index.js";
import {
  type DeferredContainerStart,
  DeviceManager,
  type DeviceStateData,
} from "../managers/device/index.js";
import { StaticPolicy as MemoryStaticPolicy } from "../managers/memory/index.js";
import { type AdmitResult, createTopologyManager, type TopologyManager } from "../managers/topology/index.js";
import { decisionsOf } from "./decisions.js";
import { checkContainerCount, checkPodCount, MAX_PODS_PER_RUN } from "./limits.js";
import { ResourceManager } from "./managers.js";
import { cpuReservationRefusal } from "./startup.js";
import {
  admitPredicate,
  type DeviceManagerView,
  type NodeObject,
  type NodeResources,
  nodeObjectFor,
  nodeResourcesFor,
  NodeUsage,
  type NodeUsageView,
  type PredicateDecision,
  type PredicateInput,
  podRequestAmounts,
  reservationProblem,
} from "./predicate/index.js";
import type { AdmissionResult, NodeConfig, PodRef } from "./types.js";

/** A configuration the kubelet itself would refuse to start with. */
export class NodeConfigError extends Error {
  override name = "NodeConfigError";
}

/** An admission request the kubelet would never make: the pod is already admitted. */
export class DuplicatePodError extends Error {
  override name = "DuplicatePodError";
}

/** State restored from checkpoints, to start the node from (as a kubelet restart does). */
export interface RestoredState {
  cpu?: CPUStateData;
  memory?: MemoryStateData;
  device?: DeviceStateData;
  /** The Device Manager's in-use sets when they differ from the union of its records (before a purge). */
  devicesInUse?: ReadonlyMap<string, Iterable<string>>;
}

export interface NodeOptions {
  machine: Machine;
  config: NodeConfig;
  restored?: RestoredState;
  /** Pods already running (admitted before a restart); their containers count as active. */
  runningPods?: Pod[];
  /** A clock for the admission-duration histogram (milliseconds); the engine itself reads none. */
  now?: () => number;
  /**
   * Admissions this node answers in its lifetime before refusing with `NodeLimitError`: a bound
   * for one simulated run (default `MAX_PODS_PER_RUN`); `null` for a long-running agent, whose
   * memory is bounded by its live pods, not by how many came and went.
   */
  admissionLimit?: number | null;
}

export interface RemovalResult {
  pod: PodRef;
  removed: boolean;
  defaultCpuSet: CPUSet;
}

/** The in-use counts the predicate handler gets for a pod holding no devices (it reads none). */
const NO_DEVICES_IN_USE: ReadonlyMap<string, number> = new Map();

/**
 * The predicate handler's input during an admission. The other pods are listed only when read
 * (critical-pod preemption, or no running totals): an admission must not copy every live pod. A
 * class, not a literal with a getter, which costs more to make than the rest of the input.
 */
class AdmissionPredicateInput implements PredicateInput {
  constructor(
    readonly node: NodeObject,
    readonly pod: Pod,
    private readonly pods: ReadonlyMap<string, Pod>,
    private readonly podAdmitted: boolean,
    readonly gates: PredicateInput["gates"],
    readonly request: ReadonlyMap<string, bigint> | undefined,
    readonly deviceManager: DeviceManagerView,
    readonly usage: NodeUsageView | undefined,
  ) {}

  get otherPods(): Pod[] {
    const all = [...this.pods.values()];
    return this.podAdmitted ? all.filter((p) => p.uid !== this.pod.uid) : all;
  }
}

/** `[...a, ...b]` for two fresh lists, mostly empty: no copy when one is. */
function joined(a: string[], b: string[]): string[] {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  return [...a, ...b];
}

function refOf(pod: Pod): PodRef {
  return { uid: pod.uid, name: pod.name, namespace: pod.namespace };
}

/**
 * The node: one kubelet's Topology, CPU and Memory Managers wired as the kubelet wires them (CPU,
 * then memory, as hint providers), answering `admit` and `remove` with values. Deterministic and
 * free of effects: no file, clock (unless given one) or network is touched.
 */
export class Node {
  readonly machine: Machine;
  readonly config: NodeConfig;
  readonly metrics = new MetricsRegistry();
  readonly topologyManager: TopologyManager;
  readonly cpuPolicy: CPUStaticPolicy | null;
  readonly memoryPolicy: MemoryStaticPolicy | null;
  readonly deviceManager: DeviceManager;
  private readonly cpuManager: ResourceManager;
  private readonly memoryManager: ResourceManager;
  /** Admitted, not yet removed pods by UID, in admission order. */
  private readonly pods = new Map<string, Pod>();
  /** What the admitted pods request (for the predicate handler), kept as pods come and go. */
  private readonly usage: NodeUsage;
  private pending: Pod | null = null;
  /** Admissions asked of this node so far (bounded by `admissionLimit`). */
  private admissions = 0;
  private readonly admissionLimit: number | null;
  /** The device plugins' current device lists (the machine's, then every `updateDevices`). */
  private devices: Map<string, DeviceResource>;
  /** Pod-level pods: per container, the error of the deferred device allocation at creation. */
  private readonly deviceStartErrors = new Map<string, Map<string, string>>();
  private readonly now: (() => number) | null;
  private nodeObjectCache: NodeObject | null = null;

  constructor(opts: NodeOptions) {
    this.machine = opts.machine;
    this.config = opts.config;
    this.now = opts.now ?? null;
    this.admissionLimit = opts.admissionLimit === undefined ? MAX_PODS_PER_RUN : opts.admissionLimit;
    const cfg = opts.config;
    const tm = createTopologyManager({
      policy: cfg.topologyManagerPolicy,
      scope: cfg.topologyManagerScope,
      policyOptions: cfg.topologyManagerPolicyOptions,
      featureGates: cfg.featureGates,
      numaNodes: machineNUMANodes(opts.machine),
      distances: opts.machine.distances,
      metrics: this.metrics,
    });
    if (tm instanceof ManagerError) throw new NodeConfigError(`topology manager: ${tm.message}`);
    this.topologyManager = tm;
    this.usage = new NodeUsage(cfg.featureGates);
    for (const pod of opts.runningPods ?? []) {
      this.pods.set(pod.uid, pod);
      this.usage.add(pod);
    }
    const active = () => this.activePods();
    this.devices = new Map(opts.machine.devices);
    this.deviceManager = new DeviceManager({
      resources: opts.machine.devices,
      numaNodes: machineNUMANodes(opts.machine),
      activePods: active,
      isActivePod: (uid) => this.activePod(uid) !== undefined,
      reportsInactivePods: true,
      affinity: tm,
      state: opts.restored?.device,
      allocatedDevices: opts.restored?.devicesInUse,
      topologyManagerPolicy: cfg.topologyManagerPolicy,
    });

    if (cfg.cpuManagerPolicy === "static") {
      const refusal = cpuReservationRefusal(cfg);
      if (refusal) throw new NodeConfigError(refusal);
      try {
        this.cpuPolicy = new CPUStaticPolicy({
          topology: opts.machine.topology,
          numReservedCPUs: cfg.numReservedCPUs,
          reservedSystemCPUs: cfg.reservedSystemCPUs,
          options: cfg.cpuManagerPolicyOptions,
          gates: cfg.featureGates,
          kubernetesVersion: cfg.kubernetesVersion,
          topologyManagerPolicy: cfg.topologyManagerPolicy,
          affinity: tm,
          metrics: this.metrics,
          state: opts.restored?.cpu ? new CPUState(opts.restored.cpu) : undefined,
        });
      } catch (err) {
        // The kubelet's wording: NewManager wraps the policy's error, ContainerManager.Start the start's.
        throw new NodeConfigError(`cpu manager: new static policy error: ${(err as Error).message}`);
      }
      const err = this.cpuPolicy.start();
      if (err) throw new NodeConfigError(`start cpu manager error: ${err.message}`);
    } else {
      this.cpuPolicy = null;
    }

    if (cfg.memoryManagerPolicy === "Static") {
      const policy = MemoryStaticPolicy.create({
        machine: opts.machine,
        reservedMemory: cfg.reservedMemory,
        gates: cfg.featureGates,
        version: cfg.kubernetesVersion,
        affinity: tm,
        metrics: this.metrics,
        state: opts.restored?.memory,
        topologyManagerPolicy: cfg.topologyManagerPolicy,
      });
      if (policy instanceof ManagerError) throw new NodeConfigError(`memory manager: ${policy.message}`);
      const err = policy.start();
      if (err) throw new NodeConfigError(`start memory manager error: ${err.message}`);
      this.memoryPolicy = policy;
    } else {
      this.memoryPolicy = null;
    }

    const reservation = reservationProblem(this.nodeResources());
    if (reservation) throw new NodeConfigError(reservation);

    const lookup = (uid: string) => this.activePod(uid);
    this.cpuManager = new ResourceManager("cpu", this.cpuPolicy, lookup);
    this.memoryManager = new ResourceManager("memory", this.memoryPolicy, lookup);
    // The kubelet registers the Device Manager first, then the CPU and Memory Managers
    // (OPEN DM-7, device-manager.md §8): device hints lead the merge and devices are chosen first.
    tm.addHintProvider(this.deviceManager);
    tm.addHintProvider(this.cpuManager);
    tm.addHintProvider(this.memoryManager);
  }

  /** Admitted pods plus the one being admitted (the kubelet's active pods). */
  activePods(): Pod[] {
    const pods = [...this.pods.values()];
    if (this.pending && !this.pods.has(this.pending.uid)) pods.push(this.pending);
    return pods;
  }

  /** The active pod with this UID (admitted, or the one being admitted), if any. */
  private activePod(uid: string): Pod | undefined {
    return this.pods.get(uid) ?? (this.pending?.uid === uid ? this.pending : undefined);
  }

  /** Tells the managers' stale-state cleanup that the pod may have stopped being active. */
  private podMayBeInactive(uid: string): void {
    this.resourceManagersMayLose(uid);
    this.deviceManager.podMayBeInactive(uid);
  }

  /** `podMayBeInactive` for the CPU and Memory Managers only. */
  private resourceManagersMayLose(uid: string): void {
    this.cpuManager.podMayBeInactive(uid);
    this.memoryManager.podMayBeInactive(uid);
  }

  /** Admitted pods that have not been removed, in admission order. */
  admittedPods(): Pod[] {
    return [...this.pods.values()];
  }

  pod(uid: string): Pod | undefined {
    return this.pods.get(uid);
  }

  /** The node shared pool (the CPU Manager's default set); every CPU without the static policy. */
  defaultCpuSet(): CPUSet {
    return this.cpuPolicy ? this.cpuPolicy.state.getDefaultCPUSet() : this.machine.topology.all;
  }

  reservedCPUs(): CPUSet {
    return this.cpuPolicy ? this.cpuPolicy.reserved : CPUSet.empty;
  }

  /** Capacity, reservation and allocatable of the node object, from the machine and the configuration. */
  nodeResources(): NodeResources {
    return nodeResourcesFor(this.machine, this.config, this.deviceManager.getCapacity());
  }

  /** The node object the predicate handler reads (name, labels, taints, capacity, allocatable). */
  nodeObject(): NodeObject {
    return nodeObjectFor(this.machine, this.config, this.deviceManager.getCapacity());
  }

  /**
   * The node object for admissions, built again only when a device list changes (the machine and
   * the configuration never do); only the engine reads it, so nobody can change it.
   */
  private admissionNodeObject(): NodeObject {
    this.nodeObjectCache ??= this.nodeObject();
    return this.nodeObjectCache;
  }

  /**
   * The predicate admit handler for `pod` against the admitted pods, with the Device Manager's
   * state as it is now (right after the allocation handler, during an admission). `request`, if
   * given, is the pod's `podRequestAmounts`.
   */
  predicateFor(
    pod: Pod,
    node: NodeObject = this.nodeObject(),
    request?: ReadonlyMap<string, bigint>,
  ): PredicateDecision {
    const podHoldsDevices = this.deviceManager.holdsDevicesFor(pod.uid);
    // The handler reads the in-use counts only for a pod holding devices.
    let devicesInUse: ReadonlyMap<string, number> = NO_DEVICES_IN_USE;
    if (podHoldsDevices) {
      const counts = new Map<string, number>();
      for (const [resource, ids] of this.deviceManager.allocatedDeviceIDs()) counts.set(resource, ids.length);
      devicesInUse = counts;
    }
    const admitted = this.pods.has(pod.uid);
    return admitPredicate(
      new AdmissionPredicateInput(
        node,
        pod,
        this.pods,
        admitted,
        this.config.featureGates,
        request,
        { podHoldsDevices, devicesInUse },
        // The running totals hold exactly the other pods unless `pod` itself is admitted.
        admitted ? undefined : this.usage,
      ),
    );
  }

  /**
   * Admits a pod as the kubelet's admit handlers do: the Topology Manager (which has the Device,
   * CPU and Memory Managers allocate), then, if it admitted, the predicate handler against the
   * admitted pods. A predicate rejection keeps what the managers allocated: there is no rollback;
   * the next admission's stale-state cleanup and device purge reclaim it. A pod UID that is
   * already admitted is refused with an input error: the kubelet never admits the same pod twice.
   */
  admit(pod: Pod): AdmissionResult {
    // `JSON.stringify(result)` prints the documents' conventions (bigints as safe numbers or text).
    return withPlainJSON(withAdmissionMemo(() => this.admitOnce(pod)));
  }

  private admitOnce(pod: Pod): AdmissionResult {
    if (this.pods.has(pod.uid))
      throw new DuplicatePodError(
        `pod ${pod.namespace}/${pod.name} (uid ${pod.uid}) is already admitted on this node (a pod uid is admitted once; remove it first)`,
      );
    checkContainerCount(pod);
    if (this.admissionLimit !== null) checkPodCount(this.admissions + 1, this.admissionLimit);
    this.admissions++;
    const started = this.now?.();
    this.pending = pod;
    this.deviceManager.beginAdmission();
    let result: AdmitResult;
    try {
      result = this.topologyManager.admit(pod);
    } catch (err) {
      this.pending = null;
      this.podMayBeInactive(pod.uid);
      throw err;
    }
    // Not admitted yet: until the predicate handler admits it, the pod is not active.
    this.pending = null;
    this.deviceManager.podMayBeInactive(pod.uid);
    try {
      return this.decide(pod, result, started);
    } finally {
      // The CPU and Memory Managers hear of it only if the pod did not become active after all: an
      // admitted pod would leave their suspects at once (`podIsActive`), and nothing asks them
      // anything in between (finding out whether they hold its state is the costly part).
      if (this.pods.get(pod.uid) !== pod) this.resourceManagersMayLose(pod.uid);
    }
  }

  /** The rest of an admission after the Topology Manager: the predicate handler and the result. */
  private decide(pod: Pod, result: AdmitResult, started: number | undefined): AdmissionResult {
    if (started !== undefined && this.now)
      this.metrics.observe("topology_manager_admission_duration_ms", this.now() - started);
    const deviceAllocations = [...this.deviceManager.admissionTrace()];
    const node = this.admissionNodeObject();
    const warnings = joined(this.unservedExtendedResources(pod, node), tolerationWarnings(pod));
    if (!result.admitted) {
      return {
        pod: refOf(pod),
        admitted: false,
        reason: result.reason,
        message: result.message,
        containers: null,
        podDecision: null,
        defaultCpuSet: this.defaultCpuSet(),
        leftoverState: this.holdsStateFor(pod.uid),
        rejectedBy: "topology",
        predicate: null,
        preempted: [],
        trace: result.trace,
        deviceAllocations,
        deferredDevices: null,
        warnings,
      };
    }
    // Both the predicate handler and the running totals read it.
    const request = podRequestAmounts(pod, this.config.featureGates);
    const predicate = this.predicateFor(pod, node, request);
    if (!predicate.admitted) {
      return {
        pod: refOf(pod),
        admitted: false,
        reason: predicate.reason,
        message: predicate.message,
        containers: null,
        podDecision: null,
        defaultCpuSet: this.defaultCpuSet(),
        // The managers already allocated (they run first) and nothing is rolled back.
        leftoverState: this.holdsStateFor(pod.uid),
        rejectedBy: "predicate",
        predicate,
        preempted: [],
        trace: result.trace,
        deviceAllocations,
        deferredDevices: null,
        warnings,
      };
    }
    const preempted = predicate.preempted.map((uid) => this.evict(uid));
    this.pods.set(pod.uid, pod);
    this.cpuManager.podIsActive(pod.uid);
    this.memoryManager.podIsActive(pod.uid);
    this.usage.add(pod, request);
    const deferredDevices = result.trace.path === "pod-level" ? this.startContainers(pod) : null;
    const { containers, podDecision } = decisionsOf(this, pod, this.deviceManager.holdsDevicesFor(pod.uid));
    return {
      pod: refOf(pod),
      admitted: true,
      reason: null,
      message: null,
      containers,
      podDecision,
      defaultCpuSet: this.defaultCpuSet(),
      leftoverState: false,
      rejectedBy: null,
      predicate,
      preempted,
      trace: result.trace,
      deviceAllocations,
      deferredDevices,
      warnings,
    };
  }

  /**
   * A pod evicted to admit a critical pod (phase `Failed`): it stops being active at once, and, as
   * for a rejected pod, its CPUs, memory and devices are reclaimed by the next admission's
   * stale-state cleanup and device purge (OPEN NA-4, node-admission.md §9.2).
   */
  private evict(uid: string): PodRef {
    const pod = this.pods.get(uid);
    this.pods.delete(uid);
    this.podMayBeInactive(uid);
    this.usage.remove(uid);
    this.deviceStartErrors.delete(uid);
    return pod ? refOf(pod) : { uid, name: "", namespace: "" };
  }

  /**
   * The container-creation step of a pod admitted on the pod-level path, where the Device Manager
   * reserved nothing at admission (OPEN DM-3, device-manager.md §14): each container's devices are
   * allocated now, in container order, with the stored pod hint. Errors stay on the container.
   */
  private startContainers(pod: Pod): DeferredContainerStart[] {
    const starts = this.deviceManager.runDeferredAllocation(pod);
    let errors: Map<string, string> | null = null;
    for (const s of starts) if (s.error !== null) (errors ??= new Map()).set(s.container, s.error);
    if (errors !== null) this.deviceStartErrors.set(pod.uid, errors);
    return starts;
  }

  /**
   * Extended resources the pod asks for that no device plugin on this node serves. The Device
   * Manager ignores them, and the kubelet's node-fit check drops extended resources its node
   * does not list (`removeMissingExtendedResources`), so the kubelet admits such a pod without
   * giving it anything; a scheduler would not have placed it here.
   */
  private unservedExtendedResources(pod: Pod, node: NodeObject): string[] {
    // The names are sorted below: the containers' order does not matter.
    let names = this.noteUnservedOf(null, pod.initContainers, node);
    names = this.noteUnservedOf(names, pod.containers, node);
    if (names === null) return [];
    return [...names]
      .sort()
      .map(
        (name) =>
          `${name}: no device plugin on this node advertises it; the kubelet admits the pod without any ${name} (its node-fit check drops extended resources the node does not list), while a scheduler would not place the pod on this node`,
      );
  }

  private noteUnservedOf(
    names: Set<string> | null,
    containers: readonly Container[],
    node: NodeObject,
  ): Set<string> | null {
    for (const c of containers) {
      names = this.noteUnserved(names, c.resources?.limits, node);
      names = this.noteUnserved(names, c.resources?.requests, node);
    }
    return names;
  }

  /** `names` with the list's unserved extended resources added (a set made only when one is). */
  private noteUnserved(
    names: Set<string> | null,
    list: ResourceList | undefined,
    node: NodeObject,
  ): Set<string> | null {
    if (list === undefined) return names;
    // The name tests come first: most resources are cpu and memory, and isZero reads the quantity.
    for (const name of Object.keys(list))
      if (
        isExtendedResourceName(name) &&
        !list[name].isZero() &&
        !this.deviceManager.isDevicePluginResource(name) &&
        !(name in node.allocatable)
      )
        (names ??= new Set()).add(name);
    return names;
  }

  /** The container-creation error of a pod-level pod's deferred device allocation, if any. */
  deviceStartError(podUID: string, container: string): string | null {
    return this.deviceStartErrors.get(podUID)?.get(container) ?? null;
  }

  /** The device plugins' current device lists, by resource name. */
  deviceResources(): DeviceResources {
    return sortedDeviceResources(this.devices.values());
  }

  /**
   * A plugin sends a new device list for `resource` (`ListAndWatch`; health changes included). It
   * replaces the old list; devices already held stay held (the kubelet checks health only when a
   * container allocates again).
   */
  updateDevices(resource: string, devices: readonly DeviceSpec[]): void {
    const known = this.devices.get(resource);
    this.devices.set(resource, {
      name: resource,
      registered: true,
      devices: devices.map((d) => ({ ...d })),
      plugin: known?.plugin ?? NO_PLUGIN_OPTIONS,
    });
    this.deviceManager.updateDevices(resource, devices);
    this.nodeObjectCache = null;
  }

  private holdsStateFor(podUID: string): boolean {
    return (
      this.cpuManager.holdsStateFor(podUID) ||
      this.memoryManager.holdsStateFor(podUID) ||
      this.deviceManager.holdsDevicesFor(podUID) ||
      this.cpuPolicy?.getPodCPUSet(podUID) !== undefined ||
      (this.memoryPolicy?.getPodMemoryBlocks(podUID) ?? null) !== null
    );
  }

  /**
   * Removes an admitted pod: every container (init first, then app) leaves the CPU, memory and
   * topology managers; then the pod is no longer active. No stale-state cleanup runs here.
   */
  remove(podUID: string): RemovalResult {
    const pod = this.pods.get(podUID);
    if (!pod)
      return {
        pod: { uid: podUID, name: "", namespace: "" },
        removed: false,
        defaultCpuSet: this.defaultCpuSet(),
      };
    // `containersInOrder`: init containers first, then app containers.
    for (const c of pod.initContainers) this.removeContainer(podUID, c.name);
    for (const c of pod.containers) this.removeContainer(podUID, c.name);
    this.pods.delete(podUID);
    this.podMayBeInactive(podUID);
    this.usage.remove(podUID);
    this.deviceStartErrors.delete(podUID);
    return { pod: refOf(pod), removed: true, defaultCpuSet: this.defaultCpuSet() };
  }

  /**
   * One container leaves the managers (container deletion); its pod stays admitted. The Device
   * Manager has no per-container removal: a pod's devices go at the first purge after it stops
   * being active (device-manager.md §7).
   */
  removeContainer(podUID: string, containerName: string): void {
    this.cpuManager.removeContainer(podUID, containerName);
    this.memoryManager.removeContainer(podUID, containerName);
    this.topologyManager.removeContainer(podUID, containerName);
  }
}
