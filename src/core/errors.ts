/**
 * An error from a resource manager. `reason` is the kubelet's error type when the error has one
 * (`TopologyAffinityError`, `SMTAlignmentError`, `EmptyPodSharedPoolError`); errors without a type
 * become `UnexpectedAdmissionError` at admission (topology-manager.md §8).
 */
export class ManagerError extends Error {
  override name = "ManagerError";
  readonly reason: string | null;
  constructor(message: string, reason: string | null = null) {
    super(message);
    this.reason = reason;
  }
}

/** The admission verdict text exactly as the kubelet words it. */
export interface AdmissionFailure {
  reason: string;
  message: string;
}

export function admissionFailureOf(err: ManagerError): AdmissionFailure {
  if (err.reason) return { reason: err.reason, message: err.message };
  return {
    reason: "UnexpectedAdmissionError",
    message: `Allocate failed due to ${err.message}, which is unexpected`,
  };
}
