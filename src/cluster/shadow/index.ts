/**
 * Shadow mode: the agent beside a kubelet that runs its own resource managers. It reads the
 * kubelet's checkpoints (never writes them), shows what the kubelet allocated through the
 * agent's API, and reports where podpin would have decided otherwise (the
 * `podpin_kubelet_decision_drift` gauge, a `PodpinDecisionDrift` event on the pod, a log line).
 */
export {
  DEFAULT_KUBELET_STATE_PERIOD_MS,
  NO_POD_SOURCE,
  type KubeletShadow,
  type KubeletShadowOptions,
  openKubeletShadow,
} from "./shadow.js";
export { type DriftResource, DRIFT_RESOURCES, POD_LEVEL } from "./allocation.js";
export { type ContainerDrift, decisionDrift, type DriftInput, type PodDrift } from "./drift.js";
export { DRIFT_METRIC, DRIFT_REASON, DriftReporter, driftMessage } from "./report.js";
export { KubeletFiles, KUBELET_FILES, type KubeletReading } from "./kubelet-files.js";
export { type ShadowStateDir, shadowReadOnlyReason, shadowStateDir } from "./state-dir.js";
