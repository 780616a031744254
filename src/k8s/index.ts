import { readFileSync, statSync } from "node:fs";
import { InputError } from "./input-error.js";
import { type KubeletConfig, parseKubeletConfig } from "./kubelet-config.js";
import { type ParsePodsOptions, parsePods } from "./pod.js";
import { YAML_LIMITS } from "./yaml-source.js";
import type { Pod } from "./types.js";

/**
 * The Kubernetes objects podpin reads — Pods, the workloads that create them, and the
 * KubeletConfiguration (alone or in a kubeadm configuration) — parsed, defaulted and
 * validated as the API server and the kubelet would, plus QoS and the pod-level predicates.
 * This module may read files; the engine modules never do.
 */

export {
  aggregateContainerLimits,
  aggregateContainerRequests,
  aggregateContainerResources,
} from "./aggregate.js";
export {
  canonicalizePodQuantities,
  canonicalQuantity,
  canonicalQuantityText,
  memoryQuantityNote,
  writtenQuantity,
} from "./canonical-quantity.js";
export { AdmissionKey, admissionValue, withAdmissionMemo } from "./admission-memo.js";
export { parseGoDuration } from "./duration.js";
export {
  defaultFeatureGates,
  featureGateSpec,
  type FeatureGateSettings,
  type GateSpec,
  type GateStage,
  knownFeatureGates,
  MODELLED_FEATURE_GATES,
  otherGateEnabled,
  parseFeatureGateMap,
  parseFeatureGates,
  parseGoBool,
} from "./feature-gates.js";
export { type FieldError, type FieldErrorType, fieldErrorString } from "./field-error.js";
export { type FieldPath, formatFieldPath, InputError, type InputLocation } from "./input-error.js";
export {
  type ParsedYaml,
  type ParseYamlOptions,
  parseYamlDocument,
  parseYamlStream,
  YAML_LIMITS,
} from "./yaml-source.js";
export {
  type CPUManagerPolicy,
  type EvictionThreshold,
  type KubeletConfig,
  kubeletConfigFromDefaults,
  kubeletConfigFromObject,
  type MemoryManagerPolicy,
  parseKubeletConfig,
  reservedMemoryMismatch,
  type TopologyManagerPolicy,
  type TopologyManagerScope,
} from "./kubelet-config.js";
export { type KubeletArg, kubeletArgsFromText } from "./kubelet-args-text.js";
export type { KubeletConfigOverrides } from "./kubelet-config-overlay.js";
export { type FlagOrigin, type KubeletFlagSettings, parseKubeletFlags } from "./kubelet-flags.js";
export {
  IGNORED_FLAGS,
  type KubeletFlagType,
  READ_FLAGS,
  type ReadFlag,
  REMOVED_FLAGS,
} from "./kubelet-flags-data.js";
export { type ParsePodsOptions, parsePods, podFromObject } from "./pod.js";
export { applyApiDefaults } from "./pod-defaults.js";
export { type PodInput, type PodInputOptions, readPodInputs } from "./pod-inputs.js";
export {
  computePodQOS,
  isContainerEquivalentGuaranteed,
  isPodLevelResourcesSet,
  isSupportedPodLevelResource,
  podLevelGatesOn,
  podQOS,
  usesPodLevelResources,
} from "./podlevel.js";
export * from "./scheduling-types.js";
export * from "./types.js";
export { podUIDFor } from "./uid.js";
export { assertValidPod, podValidationMessage, validatePod } from "./validate.js";
export { tolerationWarnings } from "./validate-scheduling.js";
export { MAX_PODS_PER_WORKLOAD, type WorkloadKind } from "./workload-kinds.js";

function readText(path: string): string {
  let size: number;
  let text: string;
  try {
    size = statSync(path).size;
    text = size > YAML_LIMITS.maxBytes ? "" : readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new InputError({ file: path }, "", `cannot read the file (${code})`);
  }
  if (size > YAML_LIMITS.maxBytes)
    throw new InputError(
      { file: path },
      "",
      `file too large: ${size} bytes (at most ${YAML_LIMITS.maxBytes}, 16 MiB)`,
    );
  return text;
}

/** Every Pod in a YAML/JSON file (single Pod, multi-document stream or `kind: List`). */
export function loadPodsFromFile(path: string, options: ParsePodsOptions = {}): Pod[] {
  return parsePods(readText(path), path, options);
}

/** A `KubeletConfiguration` file (YAML or JSON). */
export function loadKubeletConfigFromFile(path: string): KubeletConfig {
  return parseKubeletConfig(readText(path), path);
}
