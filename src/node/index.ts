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
export { findAdmittedPod, runSimulation, type SimulationEvent, type SimulationStep } from "./simulation.js";
export { exportedMetricName, metricsText } from "./metrics-text.js";
export { buildDecisions, type DecisionSource } from "./decisions.js";
export * from "./types.js";
export {
  type Candidate,
  copyNode,
  explainAdmission,
  type Explanation,
  type FitReport,
  type MergeExplanation,
  type NUMAFit,
} from "./explain.js";
export {
  type ContainerCPUState,
  type CPUStateOf,
  containerHasExclusiveCPUs,
  podHasExclusiveCPUs,
} from "./cgroup-rules.js";
