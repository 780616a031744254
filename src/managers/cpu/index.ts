/**
 * The CPU Manager's `static` policy: options, state, allocation (container and pod-level), hints
 * and the take-by-topology algorithms it uses.
 */
export { StaticPolicy, type StaticPolicyConfig, type ResourceIsolationLevel } from "./static-policy.js";
export { CPUState, type ContainerKey } from "./state.js";
export type { CPUStateData } from "./state-data.js";
export {
  type StaticPolicyOptions,
  type OptionMaturity,
  CPU_POLICY_OPTION_NAMES,
  DEFAULT_STATIC_POLICY_OPTIONS,
  FULL_PCPUS_ONLY,
  DISTRIBUTE_CPUS_ACROSS_NUMA,
  ALIGN_BY_SOCKET,
  DISTRIBUTE_CPUS_ACROSS_CORES,
  STRICT_CPU_RESERVATION,
  PREFER_ALIGN_CPUS_BY_UNCORECACHE,
  parseGoBool,
  parseStaticPolicyOptions,
  validateStaticPolicyOptions,
  optionsToMap,
} from "./options.js";
export {
  guaranteedCPUs,
  podGuaranteedCPUs,
  isIntegralCPUAmount,
  resourcesQualifyForExclusiveCPUs,
} from "./requests.js";
export { validatePodScopeResources } from "./validate-pod-scope.js";
export { validateState, type StateCheck } from "./validate-state.js";
export { generateCPUTopologyHints } from "./hints.js";
export { takeByPolicy, pickCPUs } from "./allocate-cpus.js";
export { classifyStoredPod, type StoredPodState } from "./pod-state.js";
export type { CPUAssignmentType } from "./policy-metrics.js";
export { type SortStrategy, takeByTopologyNUMAPacked, takeByTopologyNUMADistributed } from "./take.js";
export { type CPUHintSettings, cpuHintSettings } from "./hints-settings.js";
/** Readers of the CPU Manager's conformance vector shapes, shared by the conformance suites and tests. */
export * as cpuVectors from "./testing.js";
