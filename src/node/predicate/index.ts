/**
 * The kubelet's predicate admit handler, which runs after the resource managers: node capacity
 * and allocatable, the pod's effective request, the resource fit (`OutOfcpu` …), node name,
 * host ports, node affinity, `NoExecute` taints, the OS checks, and critical-pod preemption.
 */
export {
  type AllocatableSettings,
  type CapacityFacts,
  type NodeResources,
  nodeResources,
  podCapacity,
  reservationProblem,
} from "./allocatable.js";
export {
  isCriticalPod,
  isMirrorPod,
  isStaticPod,
  preemptable,
  SYSTEM_CRITICAL_PRIORITY,
} from "./critical.js";
export { hardEvictionReservation, percentageOfCapacity } from "./eviction.js";
export { admitPredicate } from "./handler.js";
export { failureResult, insufficientReason } from "./messages.js";
export { matchesRequiredNodeAffinity } from "./node-affinity.js";
export {
  capacityFacts,
  DEFAULT_NODE_NAME,
  nodeLabelsOf,
  nodeNameOf,
  nodeObjectFor,
  nodeResourcesFor,
} from "./node-object.js";
export { HostPortInfo, type HostPort, podHostPorts } from "./host-ports.js";
export { NodeUsage } from "./node-view.js";
export { choosePreemptionVictims } from "./preemption.js";
export { isPodLevelRequestsSet, podRequestAmounts, podRequestList, preemptionRequest } from "./request.js";
export { amountsOf, isScalarResourceName } from "./resources.js";
export { toleratesTaint, untoleratedNoExecuteTaint } from "./taints.js";
export type {
  DeviceManagerView,
  InsufficientResource,
  NodeObject,
  NodeUsageView,
  PredicateDecision,
  PredicateFailure,
  PredicateFailureError,
  PredicateInput,
  PredicateStep,
  ResourceAmounts,
  ResourceFit,
} from "./types.js";
