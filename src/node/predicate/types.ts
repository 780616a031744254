import type { FeatureGates, Pod, ResourceList, Taint } from "../../k8s/index.js";
import type { HostPortInfo } from "./host-ports.js";

/**
 * Integer amounts per resource name, as the scheduler framework's `Resource` holds them: `cpu` in
 * millicores, `pods` a count, every other resource `Value()` (bytes, devices). Keys ascending.
 */
export type ResourceAmounts = Record<string, bigint>;

/** The node object the predicate handler reads (its status and the few spec fields it uses). */
export interface NodeObject {
  name: string;
  /** `metadata.labels`, used exactly. */
  labels: Record<string, string>;
  /** `spec.taints`. */
  taints: Taint[];
  /** `status.features.supplementalGroupsPolicy`; false when the node reports nothing. */
  supplementalGroupsPolicy: boolean;
  /** `status.capacity` (informative: the handler reads allocatable only). */
  capacity: ResourceList;
  /** `status.allocatable`; a resource that is absent has allocatable 0. */
  allocatable: ResourceList;
  /**
   * False when podpin does not know the root filesystem: the node lists no `ephemeral-storage` and
   * the ephemeral-storage check is skipped (OPEN NA-1, node-admission.md §11). A node object given
   * as status (the kubelet's tests) always has it true: an absent allocatable is 0 there.
   */
  ephemeralStorageKnown: boolean;
}

/** What the Device Manager holds right after the allocation handler ran for the pod. */
export interface DeviceManagerView {
  /** Whether podDevices has an entry for the pod being admitted. */
  podHoldsDevices: boolean;
  /** The number of devices in the in-use set, per resource. */
  devicesInUse: ReadonlyMap<string, number>;
}

export interface PredicateInput {
  node: NodeObject;
  pod: Pod;
  /** The admitted, not finished pods other than `pod`, in admission order. */
  otherPods: readonly Pod[];
  gates: Pick<FeatureGates, "PodLevelResources">;
  /** `podRequestAmounts(pod, gates)` when the caller has it already (it is read, never changed). */
  request?: ReadonlyMap<string, bigint>;
  /** Absent: the Device Manager holds nothing for the pod. */
  deviceManager?: DeviceManagerView;
  /**
   * What `otherPods` take, when the caller keeps it up to date (a `NodeUsage` holding exactly
   * those pods); absent, it is summed from `otherPods`.
   */
  usage?: NodeUsageView;
}

/** Running totals of the other pods: requests, count, host ports. */
export interface NodeUsageView {
  readonly used: ReadonlyMap<string, bigint>;
  readonly podCount: number;
  readonly usedPorts: HostPortInfo;
}

/** A node-resources fit failure (`InsufficientResourceError`). */
export interface InsufficientResource {
  kind: "InsufficientResource";
  resourceName: string;
  requested: bigint;
  used: bigint;
  /** The node's allocatable for the resource. */
  capacity: bigint;
}

/** A failed general predicate (`PredicateFailureError`): NodeAffinity, NodeName, NodePorts, TaintToleration. */
export interface PredicateFailureError {
  kind: "Predicate";
  predicateName: string;
  predicateDesc: string;
}

export type PredicateFailure = InsufficientResource | PredicateFailureError;

/** Which step of the handler rejected the pod. */
export type PredicateStep = "os-label" | "os-field" | "supplemental-groups" | "general-filter" | "preemption";

/** One resource as the fit check saw it. */
export interface ResourceFit {
  resourceName: string;
  /** The node view's allocatable (after device sanitisation); 0 when the node lists none. */
  allocatable: bigint;
  /** Σ of the other pods' requests (for `pods`: how many other pods). */
  used: bigint;
  /** The pod's request (for `pods`: 1). */
  requested: bigint;
  /** allocatable − used; may be negative on an over-committed node. */
  free: bigint;
  /** False when the check does not look at this resource (a zero request, or NA-1). */
  checked: boolean;
  fits: boolean;
}

/** The predicate handler's answer, with everything a report needs to say why. */
export interface PredicateDecision {
  admitted: boolean;
  /** The kubelet's reason (`OutOfcpu`, `NodeAffinity`, ...) and message; null when admitted. */
  reason: string | null;
  message: string | null;
  /** The step that rejected the pod; null when admitted. */
  rejectedAt: PredicateStep | null;
  /**
   * The failures that decide, in the kubelet's order (scalar resources ascending): every failure
   * of the general filter, except that for a critical pod with a non-resource failure only those
   * are kept (its handler drops the resource ones, which go to `ignoredFailures`).
   */
  failures: PredicateFailure[];
  /** Resource failures a critical pod's failure handler set aside (see `failures`). */
  ignoredFailures: PredicateFailure[];
  /** Static, mirror, or priority ≥ 2000000000: may preempt on resource failures only. */
  critical: boolean;
  /** UIDs of the pods evicted to admit a critical pod, ascending. */
  preempted: string[];
  /** pods, then cpu, memory, ephemeral-storage, then every other requested or listed resource. */
  resources: ResourceFit[];
  /** The node view's allocatable, as integers. */
  allocatable: ResourceAmounts;
  /** The pod's effective request after unknown extended resources were dropped. */
  requested: ResourceAmounts;
  /** Σ of the other pods' requests. */
  used: ResourceAmounts;
  /** How many other pods the node runs. */
  podCount: number;
  /** Extended resources the pod asked for that the node does not list (dropped, never checked). */
  droppedExtendedResources: string[];
  /** Resources whose allocatable the Device Manager's in-use set raised. */
  raisedByDevices: string[];
  /** False when the ephemeral-storage check was skipped (the node's disk is unknown). */
  ephemeralStorageChecked: boolean;
}
