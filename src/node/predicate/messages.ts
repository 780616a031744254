import type { PredicateFailure, PredicateFailureError } from "./types.js";

/** The kubelet's reasons and messages of the predicate handler (`pkg/kubelet/lifecycle/predicate.go`). */

export const OS_LABEL_MISMATCH = {
  reason: "PodOSSelectorNodeLabelDoesNotMatch",
  message: "Failed to admit pod as the `kubernetes.io/os` label doesn't match node label",
} as const;

export const OS_NOT_SUPPORTED = {
  reason: "PodOSNotSupported",
  message: "Failed to admit pod as the OS field doesn't match node OS",
} as const;

export const SUPPLEMENTAL_GROUPS_NOT_SUPPORTED = {
  reason: "SupplementalGroupsPolicyNotSupported",
  message: "SupplementalGroupsPolicy=Strict is not supported in this node",
} as const;

export const UNEXPECTED_ADMISSION_ERROR = "UnexpectedAdmissionError";

/** The general predicates the kubelet applies besides the resource fit, with their texts. */
export const NODE_AFFINITY: PredicateFailureError = {
  kind: "Predicate",
  predicateName: "NodeAffinity",
  predicateDesc: "node(s) didn't match Pod's node affinity/selector",
};
export const NODE_NAME: PredicateFailureError = {
  kind: "Predicate",
  predicateName: "NodeName",
  predicateDesc: "node(s) didn't match the requested node name",
};
export const NODE_PORTS: PredicateFailureError = {
  kind: "Predicate",
  predicateName: "NodePorts",
  predicateDesc: "node(s) didn't have free ports for the requested pod ports",
};
export const TAINT_TOLERATION: PredicateFailureError = {
  kind: "Predicate",
  predicateName: "TaintToleration",
  predicateDesc: "node(s) had taints that the pod didn't tolerate",
};

/** `OutOfcpu`, `OutOfmemory`, `OutOfpods`, ..., `OutOf<name>`: the prefix and the resource name. */
export function insufficientReason(resourceName: string): string {
  return `OutOf${resourceName}`;
}

/** The admission result's reason and message for one failure. */
export function failureResult(f: PredicateFailure): { reason: string; message: string } {
  if (f.kind === "InsufficientResource") {
    return {
      reason: insufficientReason(f.resourceName),
      message: `Node didn't have enough resource: ${f.resourceName}, requested: ${f.requested}, used: ${f.used}, capacity: ${f.capacity}`,
    };
  }
  return { reason: f.predicateName, message: `Predicate ${f.predicateName} failed: ${f.predicateDesc}` };
}

/** The message of an error while a critical pod tries to preempt. */
export function preemptionErrorMessage(err: string): string {
  return `Unexpected error while attempting to recover from admission failure: preemption: error finding a set of pods to preempt: ${err}`;
}
