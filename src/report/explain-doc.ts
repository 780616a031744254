import { jsonInteger } from "../core/index.js";
import type {
  DeviceFit,
  Explanation,
  PodBudgetFix,
  RejectionCause,
  RejectionRule,
  RequestFit,
  RequestTarget,
  RequestUnit,
} from "../node/index.js";
import type { AllocationData, HintData } from "../managers/topology/index.js";
import { type PredicateDoc, predicateDoc } from "./predicate-doc.js";
import { type AdmitStepDoc, admitStepDoc, type JSONInteger, type NodeDoc } from "./simulation-doc.js";

const int = (v: bigint): JSONInteger => jsonInteger(v);

export interface DeviceFitDoc {
  total: number;
  free: number;
  unhealthy: number;
  holders: string[];
}

/** A searched request: `cpu` in millicores, memory and hugepages in bytes, devices counted. */
export interface RequestFitDoc {
  resource: string;
  target: RequestTarget;
  container: string | null;
  unit: RequestUnit;
  requested: JSONInteger;
  /** Other pod budgets raised with it (those the pod-level rule refuses), in the same units; {} otherwise. */
  others: Record<string, JSONInteger>;
  below: JSONInteger | null;
  above: JSONInteger | null;
  min: JSONInteger;
  max: JSONInteger;
  trials: number;
  complete: boolean;
}

export interface PodBudgetFixDoc {
  problems: {
    resource: string;
    message: string;
    budget: JSONInteger;
    minimum: JSONInteger | null;
    exclusive: { container: string; amount: JSONInteger }[];
    shared: string[];
  }[];
  requests: Record<string, JSONInteger>;
  admitted: boolean;
  reason: string | null;
  message: string | null;
}

export interface RejectionDoc {
  handler: "topology" | "predicate";
  rule: RejectionRule;
  name: string;
  resources: string[];
  text: string;
  fix: string | null;
  reference: string | null;
  podBudget: PodBudgetFixDoc | null;
}

export interface ExplainDoc {
  apiVersion: "podpin/v1";
  kind: "Explanation";
  policy: string;
  scope: string;
  kubernetesVersion: string;
  decision: AdmitStepDoc;
  /** What refused the pod (named after the engine's result), and the fix the node would admit; null when admitted. */
  rejection: RejectionDoc | null;
  merges: {
    container: string | null;
    providers: {
      provider: string;
      hints: Record<string, HintData[] | null> | null;
      /** Resources listing only their first hints: how many more there are (null: too many to count). */
      unlisted?: Record<string, number | null>;
    }[];
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
    devicesWithoutNUMA: Record<string, DeviceFitDoc>;
    /** Each request changed alone: the nearest values the engine admits now. */
    requests: RequestFitDoc[];
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

function requestFitDoc(r: RequestFit): RequestFitDoc {
  return {
    resource: r.resource,
    target: r.target,
    container: r.container,
    unit: r.unit,
    requested: int(r.requested),
    others: Object.fromEntries(Object.entries(r.others).map(([k, v]) => [k, int(v)])),
    below: r.below === null ? null : int(r.below),
    above: r.above === null ? null : int(r.above),
    min: int(r.min),
    max: int(r.max),
    trials: r.trials,
    complete: r.complete,
  };
}

/** Pod budgets in the document's units: `cpu` in millicores (the rule counts whole CPUs). */
function podBudgetDoc(b: PodBudgetFix): PodBudgetFixDoc {
  const scale = (resource: string, v: bigint) => int(resource === "cpu" ? v * 1000n : v);
  return {
    problems: b.problems.map((p) => ({
      resource: p.resource,
      message: p.message,
      budget: scale(p.resource, p.budget),
      minimum: p.minimum === null ? null : scale(p.resource, p.minimum),
      exclusive: p.exclusive.map((e) => ({ container: e.container, amount: scale(p.resource, e.amount) })),
      shared: [...p.shared],
    })),
    requests: Object.fromEntries(Object.entries(b.requests).map(([r, v]) => [r, int(v)])),
    admitted: b.admitted,
    reason: b.reason,
    message: b.message,
  };
}

function rejectionDoc(c: RejectionCause): RejectionDoc {
  return {
    handler: c.handler,
    rule: c.rule,
    name: c.name,
    resources: [...c.resources],
    text: c.text,
    fix: c.fix,
    reference: c.reference,
    podBudget: c.podBudget ? podBudgetDoc(c.podBudget) : null,
  };
}

/**
 * The stable data form of `podpin explain -o json|yaml`. The policy, scope and version default to
 * the explanation's own; `node` (a `nodeDoc` of the node explained against) to none.
 */
export function explainDoc(
  e: Explanation,
  cfg: { policy?: string; scope?: string; version?: string; node?: NodeDoc | null } = {},
): ExplainDoc {
  return {
    apiVersion: "podpin/v1",
    kind: "Explanation",
    policy: cfg.policy ?? e.policy,
    scope: cfg.scope ?? e.scope,
    kubernetesVersion: cfg.version ?? e.kubernetesVersion,
    decision: admitStepDoc(e.result),
    rejection: e.rejection ? rejectionDoc(e.rejection) : null,
    merges: e.merges.map((m) => ({
      container: m.container,
      providers: m.merge.answers.map((a) => {
        const unlisted = a.unlisted ?? {};
        return Object.keys(unlisted).length > 0
          ? { provider: a.provider, hints: a.hints, unlisted: { ...unlisted } }
          : { provider: a.provider, hints: a.hints };
      }),
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
          devicesWithoutNUMA: fits(e.fit.devicesWithoutNUMA),
          requests: e.fit.requests.map(requestFitDoc),
        }
      : null,
    node: cfg.node ?? null,
    predicate: predicateDoc(e.predicate),
  };
}
