import { qualifiedNameProblems } from "../../core/index.js";
import type { NodeSelectorRequirement, NodeSelectorTerm, Pod } from "../../k8s/index.js";

/**
 * The required node affinity of a pod (component-helpers `GetRequiredNodeAffinity(pod).Match`):
 * `nodeSelector` (every key present with exactly that value) and the required terms of
 * `affinity.nodeAffinity` (at least one term must match). Preferred terms are never looked at.
 */

const INT64 = /^[+-]?[0-9]+$/;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Go `strconv.ParseInt(s, 10, 64)`, or null. */
function parseInt64(s: string): bigint | null {
  if (!INT64.test(s)) return null;
  const v = BigInt(s);
  return v < INT64_MIN || v > INT64_MAX ? null : v;
}

const validLabelValue = (v: string): boolean => v.length <= 63 && LABEL_VALUE.test(v);

/**
 * A label requirement as `labels.NewRequirement` builds it, or null when it would refuse it
 * (which makes its whole term match nothing).
 */
function labelMatcher(r: NodeSelectorRequirement): ((labels: Record<string, string>) => boolean) | null {
  if (qualifiedNameProblems(r.key).length > 0) return null;
  const values = r.values ?? [];
  const has = (labels: Record<string, string>) => Object.hasOwn(labels, r.key);
  switch (r.operator) {
    case "In":
    case "NotIn": {
      if (values.length === 0 || !values.every(validLabelValue)) return null;
      const set = new Set(values);
      return r.operator === "In"
        ? (labels) => has(labels) && set.has(labels[r.key])
        : (labels) => !has(labels) || !set.has(labels[r.key]);
    }
    case "Exists":
      return values.length === 0 ? has : null;
    case "DoesNotExist":
      return values.length === 0 ? (labels) => !has(labels) : null;
    case "Gt":
    case "Lt": {
      if (values.length !== 1) return null;
      const bound = parseInt64(values[0]);
      if (bound === null) return null;
      return (labels) => {
        if (!has(labels)) return false;
        const v = parseInt64(labels[r.key]);
        if (v === null) return false;
        return r.operator === "Gt" ? v > bound : v < bound;
      };
    }
    default:
      return null;
  }
}

/** A `matchFields` requirement: only `metadata.name` with `In`/`NotIn` and exactly one value. */
function fieldMatcher(r: NodeSelectorRequirement): ((nodeName: string) => boolean) | null {
  const values = r.values ?? [];
  if (r.key !== "metadata.name" || values.length !== 1) return null;
  if (r.operator === "In") return (name) => name === values[0];
  if (r.operator === "NotIn") return (name) => name !== values[0];
  return null;
}

/** Whether a term matches; a term with no requirements, or with an invalid one, matches nothing. */
function termMatches(term: NodeSelectorTerm, labels: Record<string, string>, nodeName: string): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  for (const r of exprs) {
    const m = labelMatcher(r);
    if (!m?.(labels)) return false;
  }
  for (const r of fields) {
    const m = fieldMatcher(r);
    if (!m?.(nodeName)) return false;
  }
  return true;
}

/** Whether the node satisfies the pod's node selector and required node affinity. */
export function matchesRequiredNodeAffinity(
  pod: Pod,
  labels: Record<string, string>,
  nodeName: string,
): boolean {
  const selector = pod.nodeSelector;
  if (selector)
    for (const key in selector) {
      if (!Object.hasOwn(labels, key) || labels[key] !== selector[key]) return false;
    }
  const required = pod.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return true;
  return required.nodeSelectorTerms.some((t) => termMatches(t, labels, nodeName));
}
