import type { CPUSet } from "../core/index.js";
import type { MemoryBlock } from "../managers/memory/index.js";
import type {
  EvictionThreshold,
  FeatureGates,
  KubernetesVersion,
  ResourceList,
  Taint,
} from "../k8s/index.js";
import type { DeferredContainerStart, DeviceAllocationCall } from "../managers/device/index.js";
import type { AdmitTrace } from "../managers/topology/index.js";
import type { PredicateDecision } from "./predicate/index.js";

export type TopologyManagerPolicyName = "none" | "best-effort" | "restricted" | "single-numa-node";
export type TopologyManagerScopeName = "container" | "pod";
export type CPUManagerPolicyName = "none" | "static";
export type MemoryManagerPolicyName = "None" | "Static";

/** The kubelet settings the Node engine decides with (already parsed and validated). */
export interface NodeConfig {
  kubernetesVersion: KubernetesVersion;
  featureGates: FeatureGates;
  cpuManagerPolicy: CPUManagerPolicyName;
  cpuManagerPolicyOptions: Record<string, string>;
  /** `reservedSystemCPUs` when set; otherwise CPUs are taken by topology. */
  reservedSystemCPUs: CPUSet | null;
  /** ceil(kubeReserved.cpu + systemReserved.cpu). */
  numReservedCPUs: number;
  memoryManagerPolicy: MemoryManagerPolicyName;
  /** NUMA node -> resource -> bytes. */
  reservedMemory: Map<number, Map<string, bigint>>;
  topologyManagerPolicy: TopologyManagerPolicyName;
  topologyManagerScope: TopologyManagerScopeName;
  topologyManagerPolicyOptions: Record<string, string>;
  cpuCFSQuota: boolean;
  /** CFS period in microseconds (default 100000). */
  cpuCFSQuotaPeriodUs: number;
  /** Node allocatable and the predicate handler: `maxPods` (default 110). */
  maxPods: number;
  /** `podsPerCore` (0: no per-core limit). */
  podsPerCore: number;
  /** `systemReserved` as given (with `reservedSystemCPUs` the kubelet overrides its cpu). */
  systemReserved: ResourceList;
  /** `kubeReserved` as given. */
  kubeReserved: ResourceList;
  /** The effective hard eviction thresholds (the kubelet's defaults when none are given). */
  evictionHard: Record<string, EvictionThreshold>;
  /** `registerWithTaints`: taints the node object starts with. */
  registerWithTaints: Taint[];
  /** The node's name when set on the kubelet (`--hostname-override`); else the machine's. */
  nodeName?: string;
  /** Labels the kubelet adds to the node's (`--node-labels`). */
  nodeLabels?: Record<string, string>;
}

export type IsolationLevel = "host" | "pod" | "container";

/** The admit handlers podpin runs, in the kubelet's order. */
export type AdmitHandlerName = "topology" | "predicate";

/** The `assignment_type` of a container; `node_shared` = no assignment (the node shared pool). */
export type AssignmentType = "node_exclusive" | "pod_exclusive" | "pod_shared" | "node_shared";

export type ContainerKind = "init" | "sidecar" | "app";

/** What the node decided for one container of an admitted pod. */
export interface ContainerDecision {
  name: string;
  kind: ContainerKind;
  /** The container's CPU assignment, or the node shared pool (default set) after the admission. */
  cpus: CPUSet;
  /** True when `cpus` is the container's own stored assignment (not the default set). */
  hasCPUAssignment: boolean;
  isolation: IsolationLevel;
  /** How the container holds its CPUs. */
  assignmentType: AssignmentType;
  /** How the container holds its memory (`node_shared` = no blocks). */
  memoryAssignmentType: AssignmentType;
  /** NUMA affinity the Topology Manager stored for the container (null = any node). */
  numaAffinity: number[] | null;
  /** Memory blocks; null when the container has no memory entry. */
  memory: MemoryBlock[] | null;
  /** `cpuset.mems` (NUMA ids, ascending); null when not written (all nodes allowed). */
  cpusetMems: number[] | null;
  /** Container `cpu.cfs_quota_us`: -1 unlimited, a positive quota, or null when none is set. */
  cfsQuotaUs: number | null;
  /** Devices the Device Manager gave the container, by resource name ascending. */
  devices: DeviceAssignment[];
  /**
   * Pod-level pods only: the error of the container-creation step that allocates the container's
   * devices after admission (the pod stays admitted; the container would fail to start).
   */
  deviceError: string | null;
}

/** One resource's devices held by a container. */
export interface DeviceAssignment {
  resource: string;
  /** Ids ascending, each with the NUMA nodes it was recorded under (`[-1]`: no NUMA information). */
  devices: { id: string; numaNodes: number[] }[];
}

/** The pod cgroup settings the kubelet derives (pod-level.md §4.3). */
export interface PodCgroup {
  cpuShares: number;
  /** -1 unlimited, a positive quota, or null when none is set. */
  cpuQuotaUs: number | null;
  cpuPeriodUs: number;
  memoryLimitBytes: bigint | null;
  hugepageLimitsBytes: Record<string, bigint>;
  /** OPEN PL-1: the quota the documentation describes when it differs from the kubelet's. */
  documentedCpuQuotaUs: number | null;
}

export interface PodDecision {
  /** The pod's CPU bubble (pod scope, pod-level resources), else null. */
  bubble: CPUSet | null;
  /** What is left of the bubble for non-exclusive containers, else null. */
  podSharedPool: CPUSet | null;
  /** Pod-level memory blocks, else null. */
  memory: MemoryBlock[] | null;
  cgroup: PodCgroup;
}

export interface PodRef {
  uid: string;
  name: string;
  namespace: string;
}

/** The answer to `Node.admit(pod)`. */
export interface AdmissionResult {
  pod: PodRef;
  admitted: boolean;
  /** Kubelet reason (`TopologyAffinityError`, `SMTAlignmentError`, `EmptyPodSharedPoolError`, `UnexpectedAdmissionError`). */
  reason: string | null;
  /** Kubelet message, without the `Pod was rejected: ` prefix the pod status shows. */
  message: string | null;
  /** Every init and app container in container order; null when rejected. */
  containers: ContainerDecision[] | null;
  podDecision: PodDecision | null;
  /** The node shared pool right after this admission. */
  defaultCpuSet: CPUSet;
  /**
   * A rejected pod left state behind (no rollback across providers, nor after a predicate
   * rejection: the managers allocate first); the next admission cleans it.
   */
  leftoverState: boolean;
  /** Which admit handler refused the pod: the Topology Manager or the predicate handler; null when admitted. */
  rejectedBy: AdmitHandlerName | null;
  /**
   * The predicate handler's decision with its details (allocatable, requested and used per
   * resource, every failure); null when the Topology Manager rejected first (it never ran).
   */
  predicate: PredicateDecision | null;
  /** Pods evicted to admit this critical pod (UIDs ascending); empty otherwise. */
  preempted: PodRef[];
  /** How the Topology Manager reached the verdict: every provider's hints, merges and allocations. */
  trace: AdmitTrace;
  /** Every device choice the Device Manager made in this admission, in call order. */
  deviceAllocations: DeviceAllocationCall[];
  /**
   * Pod-level path only: no device is reserved at admission; each container gets its devices when
   * it is created. The creation step run right after admission, per container; null otherwise.
   */
  deferredDevices: DeferredContainerStart[] | null;
  /** Requests no handler checks: the kubelet admits the pod, but the user should know. */
  warnings: string[];
}
