import type { Explanation } from "../node/index.js";
import type { AllocationData, HintData } from "../managers/topology/index.js";
import { type AdmitStepDoc, admitStepDoc, type JSONInteger } from "./simulation-doc.js";

const int = (v: bigint): JSONInteger => (v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString());

export interface ExplainDoc {
  apiVersion: "podpin/v1";
  kind: "Explanation";
  policy: string;
  scope: string;
  kubernetesVersion: string;
  decision: AdmitStepDoc;
  merges: {
    container: string | null;
    providers: { provider: string; hints: Record<string, HintData[] | null> | null }[];
    candidates: { numaNodes: number[]; preferred: boolean; permutations: number; winner: boolean }[];
    candidatesTruncated: boolean;
    result: HintData;
    admitted: boolean;
    why: string;
  }[];
  allocations: AllocationData[];
  notes: string[];
  fit: {
    numaNodes: {
      id: number;
      freeCpus: number;
      freeCpuList: string;
      memory: Record<string, { free: JSONInteger; allocatable: JSONInteger }>;
      holders: string[];
    }[];
    wanted: number[][];
    largestCpus: number | null;
    largestMemoryBytes: JSONInteger | null;
  } | null;
}

/** The stable data form of `podpin explain -o json|yaml`. */
export function explainDoc(
  e: Explanation,
  cfg: { policy: string; scope: string; version: string },
): ExplainDoc {
  return {
    apiVersion: "podpin/v1",
    kind: "Explanation",
    policy: cfg.policy,
    scope: cfg.scope,
    kubernetesVersion: cfg.version,
    decision: admitStepDoc(e.result),
    merges: e.merges.map((m) => ({
      container: m.container,
      providers: m.merge.answers.map((a) => ({ provider: a.provider, hints: a.hints })),
      candidates: m.candidates,
      candidatesTruncated: m.truncated,
      result: m.merge.hint,
      admitted: m.merge.admit,
      why: m.why,
    })),
    allocations: e.result.trace.allocations,
    notes: e.notes,
    fit: e.fit
      ? {
          numaNodes: e.fit.numaNodes.map((n) => ({
            ...n,
            memory: Object.fromEntries(
              Object.entries(n.memory).map(([r, t]) => [
                r,
                { free: int(t.free), allocatable: int(t.allocatable) },
              ]),
            ),
          })),
          wanted: e.fit.wanted,
          largestCpus: e.fit.largestCpus,
          largestMemoryBytes: e.fit.largestMemory === null ? null : int(e.fit.largestMemory),
        }
      : null,
  };
}
