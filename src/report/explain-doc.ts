import type { DeviceFit, Explanation } from "../node/index.js";
import type { AllocationData, HintData } from "../managers/topology/index.js";
import { type PredicateDoc, predicateDoc } from "./predicate-doc.js";
import { type AdmitStepDoc, admitStepDoc, type JSONInteger, type NodeDoc } from "./simulation-doc.js";

const int = (v: bigint): JSONInteger => (v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString());

export interface DeviceFitDoc {
  total: number;
  free: number;
  unhealthy: number;
  holders: string[];
}

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
    /** What kept the result from being preferred: a provider's resource, or (both null) hints with no node in common. */
    causes: { provider: string | null; resource: string | null; text: string }[];
    why: string;
  }[];
  allocations: AllocationData[];
  /** Failed device choices, at admission and (pod-level path) at container creation, in plain words. */
  deviceErrors: {
    container: string;
    resource: string;
    error: string;
    atContainerStart: boolean;
    explanation: string | null;
  }[];
  notes: string[];
  fit: {
    numaNodes: {
      id: number;
      freeCpus: number;
      freeCpuList: string;
      memory: Record<string, { free: JSONInteger; allocatable: JSONInteger }>;
      devices: Record<string, DeviceFitDoc>;
      holders: string[];
    }[];
    wanted: number[][];
    largestCpus: number | null;
    largestMemoryBytes: JSONInteger | null;
    devicesWithoutNUMA: Record<string, DeviceFitDoc>;
    probeDevices: Record<string, number>;
    largestDevices: Record<string, number | null>;
  } | null;
  /** The node the pod was explained against, before the admission (the simulate document's `node`). */
  node: NodeDoc | null;
  /**
   * The predicate admit handler: allocatable, used by other pods and requested per resource, and
   * its failures; when the Topology Manager refused first, what the handler would have found.
   */
  predicate: PredicateDoc;
}

function fits(r: Record<string, DeviceFit>): Record<string, DeviceFitDoc> {
  return Object.fromEntries(Object.entries(r).map(([k, f]) => [k, { ...f, holders: [...f.holders] }]));
}

/** The stable data form of `podpin explain -o json|yaml`. */
export function explainDoc(
  e: Explanation,
  cfg: { policy: string; scope: string; version: string; node?: NodeDoc | null },
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
      causes: m.causes.map((c) => ({ ...c })),
      why: m.why,
    })),
    allocations: e.result.trace.allocations,
    deviceErrors: e.deviceErrors.map((d) => ({ ...d })),
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
            devices: fits(n.devices),
          })),
          wanted: e.fit.wanted,
          largestCpus: e.fit.largestCpus,
          largestMemoryBytes: e.fit.largestMemory === null ? null : int(e.fit.largestMemory),
          devicesWithoutNUMA: fits(e.fit.devicesWithoutNUMA),
          probeDevices: { ...e.fit.probeDevices },
          largestDevices: { ...e.fit.largestDevices },
        }
      : null,
    node: cfg.node ?? null,
    predicate: predicateDoc(e.predicate),
  };
}
