/**
 * Small pure building blocks every other module stands on: CPU sets in the Linux list format,
 * exact Kubernetes quantities, resource-name rules, the resource managers' named errors, the kubelet's
 * metric names, JSON parsing that keeps 64-bit integers exact, and a seeded random generator.
 */
export { CPUSet, CPUSetParseError, cpuIdTooLarge, MAX_CPU_ID, quoteShort } from "./cpuset.js";
export { type AdmissionFailure, admissionFailureOf, ManagerError } from "./errors.js";
export { JSONParseError, parseJSONExact, toBigInt } from "./json-bigint.js";
export { jsonInteger, plainJSON, withPlainJSON } from "./plain-json.js";
export {
  DURATION_BUCKETS,
  type HistogramData,
  METRICS,
  type MetricName,
  type MetricSpec,
  MetricsRegistry,
  type MetricType,
  seriesKey,
} from "./metrics.js";
export { RecentWeakMap } from "./recent-weak-map.js";
export { Quantity, type QuantityFormat, QuantityParseError } from "./quantity.js";
export {
  DEFAULT_RESOURCE_NAMESPACE,
  extendedResourceNameProblem,
  isExtendedResourceName,
  isNativeResourceName,
  qualifiedNameProblems,
  REQUESTS_PREFIX,
} from "./resource-names.js";
export { seededRandom } from "./seeded-random.js";
