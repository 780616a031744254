import { readFileSync } from "node:fs";
import { InputError } from "./input-error.js";
import { type KubeletConfig, parseKubeletConfig } from "./kubelet-config.js";
import { type ParsePodsOptions, parsePods } from "./pod.js";
import type { Pod } from "./types.js";

/**
 * The Kubernetes objects podpin reads — Pods and the KubeletConfiguration — parsed, defaulted and
 * validated as the API server and the kubelet would, plus QoS and the pod-level predicates.
 * This module may read files; the engine modules never do.
 */

export {
  aggregateContainerLimits,
  aggregateContainerRequests,
  aggregateContainerResources,
} from "./aggregate.js";
export { parseGoDuration } from "./duration.js";
export {
  MODELLED_FEATURE_GATES,
  type FeatureGateSettings,
  parseFeatureGates,
  parseGoBool,
} from "./feature-gates.js";
export { type FieldError, type FieldErrorType, fieldErrorString } from "./field-error.js";
export { type FieldPath, formatFieldPath, InputError, type InputLocation } from "./input-error.js";
export {
  type CPUManagerPolicy,
  type EvictionThreshold,
  type KubeletConfig,
  kubeletConfigFromObject,
  type MemoryManagerPolicy,
  parseKubeletConfig,
  reservedMemoryMismatch,
  type TopologyManagerPolicy,
  type TopologyManagerScope,
} from "./kubelet-config.js";
export { type ParsePodsOptions, parsePods, podFromObject } from "./pod.js";
export { applyApiDefaults } from "./pod-defaults.js";
export {
  computePodQOS,
  isContainerEquivalentGuaranteed,
  isPodLevelResourcesSet,
  isSupportedPodLevelResource,
  podLevelGatesOn,
  podQOS,
  usesPodLevelResources,
} from "./podlevel.js";
export * from "./types.js";
export { podUIDFor } from "./uid.js";
export { assertValidPod, podValidationMessage, validatePod } from "./validate.js";

function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new InputError({ file: path }, "", `cannot read the file (${code})`);
  }
}

/** Every Pod in a YAML/JSON file (single Pod, multi-document stream or `kind: List`). */
export function loadPodsFromFile(path: string, options: ParsePodsOptions = {}): Pod[] {
  return parsePods(readText(path), path, options);
}

/** A `KubeletConfiguration` file (YAML or JSON). */
export function loadKubeletConfigFromFile(path: string): KubeletConfig {
  return parseKubeletConfig(readText(path), path);
}
