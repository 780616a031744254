import type { Quantity } from "../core/index.js";
import {
  type Container,
  isSidecar,
  type Pod,
  type ResourceList,
  type ResourceRequirements,
} from "./types.js";

/**
 * The effective resources of a pod's containers (component-helpers `AggregateContainerRequests` /
 * `AggregateContainerLimits`), sidecars included:
 * `max(Σ app + Σ sidecars, max over init containers of (own + sidecars declared before it))`,
 * where a sidecar's own init-phase use is the sum of the sidecars up to and including itself.
 * Sums keep Go's formatting rules (`Quantity.add`), so the totals print as the API server prints them.
 */
export type ResourcePick = (r: ResourceRequirements) => ResourceList;

export const pickRequests: ResourcePick = (r) => r.requests;
export const pickLimits: ResourcePick = (r) => r.limits;

/** Called with each container's contribution, as the kubelet's `ContainerFn` hook is. */
export type ContributionHook = (list: ResourceList, kind: "app" | "init") => void;

function addInto(target: Map<string, Quantity>, list: ResourceList): void {
  // Resource lists are plain records: `for…in` walks their own names, without a key array.
  for (const name in list) {
    const q = list[name];
    const prev = target.get(name);
    target.set(name, prev ? prev.add(q) : q);
  }
}

function maxInto(target: Map<string, Quantity>, list: ReadonlyMap<string, Quantity>): void {
  for (const [name, q] of list) {
    const prev = target.get(name);
    if (!prev || q.cmp(prev) > 0) target.set(name, q);
  }
}

/**
 * The totals as a resource list with names ascending. Most pods' totals are already in order
 * (one container, or containers naming the same resources): then no sort and no entry pairs.
 */
function sortedList(total: Map<string, Quantity>): ResourceList {
  const names: string[] = [];
  let ordered = true;
  for (const name of total.keys()) {
    if (names.length > 0 && !(names[names.length - 1] < name)) ordered = false;
    names.push(name);
  }
  // `__proto__` would set the prototype if assigned: the entry form defines it as a name.
  if (total.has("__proto__")) return Object.fromEntries(names.sort().map((n) => [n, total.get(n)!]));
  // The default sort compares UTF-16 code units, as `<` does on strings.
  if (!ordered) names.sort();
  const out: ResourceList = {};
  for (const name of names) out[name] = total.get(name)!;
  return out;
}

function own(c: Container, pick: ResourcePick): ResourceList {
  return c.resources ? pick(c.resources) : {};
}

/** Totals computed inside `withAggregateMemo`, per pod object: requests and limits. */
// A Map, not a WeakMap: it lives for one stretch of work, and weak tables cost the collector more.
let memo: Map<Pod, { requests?: ResourceList; limits?: ResourceList }> | null = null;

/**
 * Runs `fn` with the requests and limits aggregates remembered per pod: one admission asks for
 * them from the hint providers, the allocations, the predicate handler and the pod cgroup, each
 * a walk of every container. Only for a stretch of work that does not change the pods it reads
 * (one admission); the remembered lists are frozen, so a caller cannot change them for the next.
 */
export function withAggregateMemo<T>(fn: () => T): T {
  if (memo) return fn();
  memo = new Map();
  try {
    return fn();
  } finally {
    memo = null;
  }
}

export function aggregateContainerResources(
  pod: Pod,
  pick: ResourcePick,
  onContribution?: ContributionHook,
): ResourceList {
  const slot = pick === pickRequests ? "requests" : pick === pickLimits ? "limits" : null;
  if (memo === null || slot === null || onContribution) return computeAggregate(pod, pick, onContribution);
  let entry = memo.get(pod);
  if (!entry) memo.set(pod, (entry = {}));
  return (entry[slot] ??= Object.freeze(computeAggregate(pod, pick)));
}

function computeAggregate(pod: Pod, pick: ResourcePick, onContribution?: ContributionHook): ResourceList {
  const total = new Map<string, Quantity>();
  for (const c of pod.containers) {
    const list = own(c, pick);
    onContribution?.(list, "app");
    addInto(total, list);
  }
  if (pod.initContainers.length > 0) {
    const sidecarsSoFar = new Map<string, Quantity>();
    const initPeak = new Map<string, Quantity>();
    for (const c of pod.initContainers) {
      const list = own(c, pick);
      let phase: Map<string, Quantity>;
      if (isSidecar(c)) {
        addInto(total, list);
        addInto(sidecarsSoFar, list);
        phase = sidecarsSoFar;
      } else {
        phase = new Map<string, Quantity>();
        addInto(phase, list);
        for (const [name, q] of sidecarsSoFar) {
          const prev = phase.get(name);
          phase.set(name, prev ? prev.add(q) : q);
        }
      }
      // The hook gets a list of its own: the sidecars' running sums go on changing.
      onContribution?.(Object.fromEntries(phase), "init");
      maxInto(initPeak, phase);
    }
    maxInto(total, initPeak);
  }
  return sortedList(total);
}

export function aggregateContainerRequests(pod: Pod, onContribution?: ContributionHook): ResourceList {
  return aggregateContainerResources(pod, pickRequests, onContribution);
}

export function aggregateContainerLimits(pod: Pod, onContribution?: ContributionHook): ResourceList {
  return aggregateContainerResources(pod, pickLimits, onContribution);
}
