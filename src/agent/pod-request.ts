import { InputError, type Pod, parseYamlDocument, readPodInputs } from "../k8s/index.js";

/** A pod as a client sent it: the object (kept by the state directory) and the validated Pod. */
export interface PodRequest {
  pod: Pod;
  /** The parsed JSON/YAML object, before validation and defaulting. */
  object: unknown;
}

/** How request bodies are named in error messages, as `<stdin>` names standard input on the CLI. */
export const REQUEST_BODY = "<request body>";

/**
 * One Pod from a request body (JSON or YAML): read, validated and given the API server's canonical
 * quantities exactly as `podpin simulate` reads a pod file, so the same mistake gets the same
 * one-line error. A workload, a List or several documents are refused: the agent admits what a
 * kubelet is sent, one pod at a time.
 */
export function podFromRequest(text: string, source = REQUEST_BODY): PodRequest {
  const inputs = readPodInputs(text, source);
  if (inputs.length !== 1 || inputs[0].origin.kind !== "Pod") {
    const found =
      inputs.length === 0
        ? "no pod"
        : inputs[0].origin.kind !== "Pod"
          ? `a ${inputs[0].origin.kind} (the agent admits the pods a kubelet is sent, not workloads)`
          : `${inputs.length} pods`;
    throw new InputError({ file: source }, "", `expected exactly one Pod, found ${found}`);
  }
  const object = parseYamlDocument(text, source)?.data ?? null;
  const { kind } = object as { kind?: unknown };
  if ((kind !== undefined && kind !== "Pod") || Object.hasOwn(object as object, "items"))
    throw new InputError(
      { file: source },
      "",
      `expected exactly one Pod, found a ${String(kind ?? "List")} holding one`,
    );
  return { pod: inputs[0].pod, object };
}
