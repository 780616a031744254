/** The Node engine: the admission pipeline every front end drives. */
export {
  DuplicatePodError,
  Node,
  NodeConfigError,
  type NodeOptions,
  type RemovalResult,
  type RestoredState,
} from "./node.js";
export { defaultNodeConfig, nodeConfigFromKubelet } from "./config.js";
export { MAX_CONTAINERS_PER_POD, MAX_PODS_PER_RUN, NodeLimitError } from "./limits.js";
export {
  cpuReservationRefusal,
  kubeletStartRefusal,
  reservedCPUsRefusal,
  reservedMemoryRefusal,
} from "./startup.js";
export {
  type DeviceUpdateResult,
  findAdmittedPod,
  runSimulation,
  type SimulationEvent,
  type SimulationStep,
} from "./simulation.js";
export {
  type DeviceHolder,
  type DeviceInventorySource,
  deviceInventory,
  deviceNUMANodes,
  type InventoryDevice,
  type InventoryResource,
  isFree,
} from "./device-inventory.js";
export { exportedMetricName, metricsText } from "./metrics-text.js";
export { buildDecisions, type DecisionSource } from "./decisions.js";
export * from "./types.js";
export {
  admitPredicate,
  amountsOf,
  type DeviceManagerView,
  failureResult,
  type InsufficientResource,
  isCriticalPod,
  isScalarResourceName,
  isStaticPod,
  type NodeObject,
  type NodeResources,
  nodeResources,
  type PredicateDecision,
  type PredicateFailure,
  type PredicateFailureError,
  type PredicateInput,
  type PredicateStep,
  podRequestAmounts,
  podRequestList,
  type ResourceAmounts,
  type ResourceFit,
} from "./predicate/index.js";
export {
  type Candidate,
  copyNode,
  type DeviceErrorExplanation,
  type DeviceFit,
  explainAdmission,
  type ExplainOptions,
  type Explanation,
  type FitReport,
  type MergeExplanation,
  type NUMAFit,
  type RequestFit,
} from "./explain.js";
export type { MergeCause } from "./explain-causes.js";
export {
  amountText,
  type PodBudgetFix,
  type RejectionCause,
  type RejectionRule,
  requestLabel,
} from "./explain-rejection.js";
export type { PodBudgetProblem } from "./explain-pod-budget.js";
export type { RequestTarget, RequestUnit } from "./explain-requests.js";
export {
  type ContainerCPUState,
  type CPUStateOf,
  containerHasExclusiveCPUs,
  podHasExclusiveCPUs,
} from "./cgroup-rules.js";
