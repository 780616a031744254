import {
  amountsOf,
  failureResult,
  type Node,
  type PodRef,
  type PredicateDecision,
  type PredicateFailure,
  podRequestAmounts,
} from "../node/index.js";

/**
 * The predicate admit handler in the documented output (docs/output-format.md): its verdict with
 * every failure, allocatable vs used vs requested per resource, and the node object's capacity and
 * allocatable. Amounts are the kubelet's integers: `cpu` in millicores, `pods` a count, every
 * other resource in its unit (bytes, devices).
 */

export type Amount = number | string;

/** An integer as JSON: a number, or a string beyond 2^53 where a number would lose precision. */
export function amount(v: bigint): Amount {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(v)
    : v.toString();
}

function amounts(m: Readonly<Record<string, bigint>> | ReadonlyMap<string, bigint>): Record<string, Amount> {
  const entries = m instanceof Map ? [...m] : Object.entries(m);
  return Object.fromEntries(
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, amount(v)]),
  );
}

export interface PredicateFailureDoc {
  /** `InsufficientResource` (a fit failure) or `Predicate` (NodeAffinity, NodeName, NodePorts, TaintToleration). */
  kind: PredicateFailure["kind"];
  /** The kubelet's reason (`OutOfcpu`, `NodeAffinity`) and message, as if this failure were reported. */
  reason: string;
  message: string;
  /** Fit failures only: the resource and the kubelet's three integers. */
  resource: string | null;
  requested: Amount | null;
  used: Amount | null;
  allocatable: Amount | null;
}

export interface ResourceFitDoc {
  resource: string;
  allocatable: Amount;
  /** Σ of the other admitted pods' requests (for `pods`: how many other pods). */
  used: Amount;
  /** This pod's request (for `pods`: 1). */
  requested: Amount;
  /** allocatable − used; negative on an over-committed node. */
  free: Amount;
  /** False when the check does not look at the resource (a zero request, or the node's disk unknown). */
  checked: boolean;
  fits: boolean;
}

export interface PredicateDoc {
  admitted: boolean;
  /** The step that refused the pod: os-label, os-field, supplemental-groups, general-filter, preemption. */
  rejectedAt: string | null;
  /** The failures that decide, in the kubelet's order; the first is the reported one. */
  failures: PredicateFailureDoc[];
  /** Resource failures a critical pod's failure handler set aside for a non-resource one. */
  ignoredFailures: PredicateFailureDoc[];
  /** pods, cpu, memory, ephemeral-storage, then every other resource (ascending). */
  resources: ResourceFitDoc[];
  /** How many other pods the node runs. */
  otherPods: number;
  critical: boolean;
  /** Extended resources the pod asks for that the node does not list: dropped, never checked. */
  droppedExtendedResources: string[];
  /** Resources whose allocatable the Device Manager's in-use set raised for this pod. */
  raisedByDevices: string[];
  /** False when the ephemeral-storage check was skipped (the machine description gives no disk). */
  ephemeralStorageChecked: boolean;
}

function failureDoc(f: PredicateFailure): PredicateFailureDoc {
  const { reason, message } = failureResult(f);
  if (f.kind === "InsufficientResource")
    return {
      kind: f.kind,
      reason,
      message,
      resource: f.resourceName,
      requested: amount(f.requested),
      used: amount(f.used),
      allocatable: amount(f.capacity),
    };
  return { kind: f.kind, reason, message, resource: null, requested: null, used: null, allocatable: null };
}

export function predicateDoc(d: PredicateDecision): PredicateDoc {
  return {
    admitted: d.admitted,
    rejectedAt: d.rejectedAt,
    failures: d.failures.map(failureDoc),
    ignoredFailures: d.ignoredFailures.map(failureDoc),
    resources: d.resources.map((r) => ({
      resource: r.resourceName,
      allocatable: amount(r.allocatable),
      used: amount(r.used),
      requested: amount(r.requested),
      free: amount(r.free),
      checked: r.checked,
      fits: r.fits,
    })),
    otherPods: d.podCount,
    critical: d.critical,
    droppedExtendedResources: [...d.droppedExtendedResources],
    raisedByDevices: [...d.raisedByDevices],
    ephemeralStorageChecked: d.ephemeralStorageChecked,
  };
}

export function podRefDocs(refs: readonly PodRef[]): { namespace: string; name: string; uid: string }[] {
  return refs.map((p) => ({ namespace: p.namespace, name: p.name, uid: p.uid }));
}

/** The node object as the predicate handler reads it, and what the admitted pods request of it. */
export interface NodeAllocatableDoc {
  name: string;
  labels: Record<string, string>;
  taints: { key: string; value?: string; effect: string }[];
  capacity: Record<string, Amount>;
  allocatable: Record<string, Amount>;
  /** Σ of the admitted pods' requests. */
  requested: Record<string, Amount>;
  /** Admitted pods (each takes one of allocatable `pods`). */
  pods: number;
  /** False when the machine description gives no root filesystem (no ephemeral-storage, no check). */
  ephemeralStorageKnown: boolean;
}

export function nodeAllocatableDoc(node: Node): NodeAllocatableDoc {
  const obj = node.nodeObject();
  const requested = new Map<string, bigint>();
  const pods = node.admittedPods();
  for (const p of pods)
    for (const [k, v] of podRequestAmounts(p, node.config.featureGates))
      requested.set(k, (requested.get(k) ?? 0n) + v);
  return {
    name: obj.name,
    labels: { ...obj.labels },
    taints: obj.taints.map((t) => ({ ...t })),
    capacity: amounts(amountsOf(obj.capacity)),
    allocatable: amounts(amountsOf(obj.allocatable)),
    requested: amounts(requested),
    pods: pods.length,
    ephemeralStorageKnown: obj.ephemeralStorageKnown,
  };
}
