import type { Quantity } from "../core/index.js";
import { podMemo } from "./admission-memo.js";
import {
  type Container,
  isEmptyRecord,
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

const NO_RESOURCES: ResourceList = Object.freeze({});

function own(c: Container, pick: ResourcePick): ResourceList {
  return c.resources ? pick(c.resources) : NO_RESOURCES;
}

/**
 * The aggregate of `pick`'s lists; inside `withAdmissionMemo` the requests and limits aggregates
 * are worked out once per pod and frozen, so a caller cannot change them for the next.
 */
export function aggregateContainerResources(
  pod: Pod,
  pick: ResourcePick,
  onContribution?: ContributionHook,
): ResourceList {
  const slot = pick === pickRequests ? "requests" : pick === pickLimits ? "limits" : null;
  const memo = slot === null || onContribution ? null : podMemo(pod);
  if (memo === null || slot === null) return computeAggregate(pod, pick, onContribution);
  return (memo[slot] ??= Object.freeze(computeAggregate(pod, pick)));
}

/**
 * The one container list that names any resource, undefined when two or more do (null when none
 * does). With a single contributor the aggregate is that list: sums and maxima of one term.
 */
function soleContribution(pod: Pod, pick: ResourcePick): ResourceList | null | undefined {
  const sole = soleIn(pod.containers, pick, null);
  return sole === undefined ? undefined : soleIn(pod.initContainers, pick, sole);
}

function soleIn(
  containers: readonly Container[],
  pick: ResourcePick,
  found: ResourceList | null,
): ResourceList | null | undefined {
  let sole = found;
  for (const c of containers) {
    const list = own(c, pick);
    if (isEmptyRecord(list)) continue;
    if (sole !== null) return undefined;
    sole = list;
  }
  return sole;
}

/** `list` copied with names ascending, or null where the general path must sort (or define `__proto__`). */
function orderedCopy(list: ResourceList): ResourceList | null {
  const out: ResourceList = {};
  let last: string | null = null;
  for (const name in list) {
    if ((last !== null && !(last < name)) || name === "__proto__") return null;
    out[name] = list[name];
    last = name;
  }
  return out;
}

function computeAggregate(pod: Pod, pick: ResourcePick, onContribution?: ContributionHook): ResourceList {
  if (!onContribution) {
    const sole = soleContribution(pod, pick);
    if (sole === null) return {};
    const copy = sole === undefined ? null : orderedCopy(sole);
    if (copy !== null) return copy;
  }
  const total = new Map<string, Quantity>();
  for (const c of pod.containers) {
    const list = own(c, pick);
    onContribution?.(list, "app");
    addInto(total, list);
  }
  if (pod.initContainers.length > 0) {
    // Created on first need: most init containers and sidecars ask for nothing, and then (with no
    // hook to tell) they change neither the totals nor the init peak beyond the sidecars so far.
    let sidecarsSoFar: Map<string, Quantity> | null = null;
    let initPeak: Map<string, Quantity> | null = null;
    for (const c of pod.initContainers) {
      const list = own(c, pick);
      if (!onContribution && sidecarsSoFar === null && isEmptyRecord(list)) continue;
      let phase: Map<string, Quantity>;
      if (isSidecar(c)) {
        addInto(total, list);
        sidecarsSoFar ??= new Map();
        addInto(sidecarsSoFar, list);
        phase = sidecarsSoFar;
      } else {
        phase = new Map<string, Quantity>();
        addInto(phase, list);
        if (sidecarsSoFar)
          for (const [name, q] of sidecarsSoFar) {
            const prev = phase.get(name);
            phase.set(name, prev ? prev.add(q) : q);
          }
      }
      // The hook gets a list of its own: the sidecars' running sums go on changing.
      onContribution?.(Object.fromEntries(phase), "init");
      initPeak ??= new Map();
      maxInto(initPeak, phase);
    }
    if (initPeak) maxInto(total, initPeak);
  }
  return sortedList(total);
}

export function aggregateContainerRequests(pod: Pod, onContribution?: ContributionHook): ResourceList {
  return aggregateContainerResources(pod, pickRequests, onContribution);
}

export function aggregateContainerLimits(pod: Pod, onContribution?: ContributionHook): ResourceList {
  return aggregateContainerResources(pod, pickLimits, onContribution);
}
