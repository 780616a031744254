import { hintToJSON, type ProviderHints, type TopologyHint } from "./hint.js";
import type { TopologyPolicyName } from "./policy.js";
import type { HintProvider } from "./provider.js";

/*
 * What the Topology Manager did for one admission, as plain JSON-ready data (no bigints, no
 * class instances), so that `explain` can render it and tests can compare it.
 */

/** A hint as data: NUMA ids ascending, or null for "any node". */
export interface HintData {
  numaNodes: number[] | null;
  preferred: boolean;
}

export type ProviderName = HintProvider["resource"];

/** One provider's answer: null = no preference at all; per resource null = no preference, [] = cannot be satisfied. */
export interface ProviderAnswerData {
  provider: ProviderName;
  hints: Record<string, HintData[] | null> | null;
}

/** One merge: for a container (container scope) or for the whole pod (`container` null). */
export interface MergeData {
  container: string | null;
  answers: ProviderAnswerData[];
  /** The policy's best hint (single-numa-node already rewritten to null when it spans every node). */
  hint: HintData;
  admit: boolean;
}

/** One `Allocate` (per container) or `AllocatePod` (container null) call on a provider. */
export interface AllocationData {
  provider: ProviderName;
  call: "allocate" | "allocatePod";
  container: string | null;
  /** The provider's error: its kubelet reason (null when it has none) and text. */
  error: { reason: string | null; message: string } | null;
}

export type AdmitPath = "container" | "pod" | "pod-level" | "none";

export interface AdmitTrace {
  policy: TopologyPolicyName;
  path: AdmitPath;
  alignmentGuaranteed: boolean;
  merges: MergeData[];
  /** The hint stored for each container, in the order they were stored. */
  affinities: { container: string; hint: HintData }[];
  allocations: AllocationData[];
  /** Why the pod was rejected, if it was: the merge did not admit, or a provider failed. */
  rejectedBy: "merge" | "allocation" | null;
}

export interface AdmitResult {
  admitted: boolean;
  /** The admission result's `Reason` and `Message` (kubelet wording); null when admitted. */
  reason: string | null;
  message: string | null;
  trace: AdmitTrace;
}

export function hintData(h: TopologyHint): HintData {
  return hintToJSON(h);
}

export function providerAnswerData(provider: ProviderName, answer: ProviderHints): ProviderAnswerData {
  if (answer === null) return { provider, hints: null };
  const hints: Record<string, HintData[] | null> = {};
  for (const resource of [...answer.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    const list = answer.get(resource) ?? null;
    hints[resource] = list === null ? null : list.map(hintData);
  }
  return { provider, hints };
}
