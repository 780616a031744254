import { type FeatureGates, type Pod, podQOS } from "../../k8s/index.js";
import { preemptable } from "./critical.js";
import { CPU, MEMORY } from "./resources.js";
import { preemptionRequest } from "./request.js";
import type { InsufficientResource } from "./types.js";

/**
 * The critical-pod admission-failure handler's victim choice (`pkg/kubelet/preemption`): free the
 * shortfall of every failed resource by evicting as few and as small pods as possible, Guaranteed
 * pods last. Reproduced step for step, including its float distance, its tie rule and the
 * swap-with-last removal that reorders the candidates between rounds.
 */

type Gates = Pick<FeatureGates, "PodLevelResources">;

interface Requirement {
  resourceName: string;
  quantity: bigint;
}

export type VictimChoice = { victims: Pod[]; error: null } | { victims: null; error: string };

/** What is still missing after evicting `pods` (resources whose remainder is positive). */
function subtract(reqs: readonly Requirement[], pods: readonly Pod[], gates: Gates): Requirement[] {
  const out: Requirement[] = [];
  for (const req of reqs) {
    let q = req.quantity;
    for (const pod of pods) {
      q -= preemptionRequest(pod, req.resourceName, gates);
      if (q <= 0n) break;
    }
    if (q > 0n) out.push({ resourceName: req.resourceName, quantity: q });
  }
  return out;
}

/** Σ over requirements of (what the pod leaves missing / the requirement)², positive remainders only. */
function distance(reqs: readonly Requirement[], pod: Pod, gates: Gates): number {
  let dist = 0;
  for (const req of reqs) {
    const remaining = Number(req.quantity - preemptionRequest(pod, req.resourceName, gates));
    if (remaining > 0) {
      const f = remaining / Number(req.quantity);
      dist += f * f;
    }
  }
  return dist;
}

/** Memory first, then CPU; a full tie counts as smaller (so a later equal pod wins). */
function smallerResourceRequest(a: Pod, b: Pod, gates: Gates): boolean {
  for (const name of [MEMORY, CPU]) {
    const ra = preemptionRequest(a, name, gates);
    const rb = preemptionRequest(b, name, gates);
    if (ra < rb) return true;
    if (ra > rb) return false;
  }
  return true;
}

export function requirementsText(reqs: readonly Requirement[]): string {
  return `[${reqs.map((r) => `(res: ${r.resourceName}, q: ${r.quantity}), `).join("")}]`;
}

const noSet = (reqs: readonly Requirement[]) =>
  `no set of running pods found to reclaim resources: ${requirementsText(reqs)}`;

function byDistance(candidates: readonly Pod[], start: Requirement[], gates: Gates): Pod[] | string {
  const pods = [...candidates];
  const out: Pod[] = [];
  let reqs = start;
  while (reqs.length > 0) {
    if (pods.length === 0) return noSet(reqs);
    let best = reqs.length + 1;
    let bestIndex = 0;
    pods.forEach((pod, i) => {
      const d = distance(reqs, pod, gates);
      if (d < best || (d === best && smallerResourceRequest(pod, pods[bestIndex], gates))) {
        best = d;
        bestIndex = i;
      }
    });
    const chosen = pods[bestIndex];
    reqs = subtract(reqs, [chosen], gates);
    out.push(chosen);
    pods[bestIndex] = pods[pods.length - 1];
    pods.pop();
  }
  return out;
}

/**
 * The pods to evict so that `preemptor` fits, or the kubelet's error text when no set of
 * preemptable pods can free every shortfall. `others` are the node's other pods in the kubelet's
 * pod-manager order (podpin: admission order, OPEN NA-4).
 */
export function choosePreemptionVictims(
  preemptor: Pod,
  others: readonly Pod[],
  failures: readonly InsufficientResource[],
  gates: Gates,
): VictimChoice {
  const reqs: Requirement[] = failures.map((f) => ({
    resourceName: f.resourceName,
    quantity: f.requested - (f.capacity - f.used),
  }));
  const bestEffort: Pod[] = [];
  const burstable: Pod[] = [];
  const guaranteed: Pod[] = [];
  for (const pod of others) {
    if (!preemptable(preemptor, pod)) continue;
    const qos = podQOS(pod, gates);
    (qos === "BestEffort" ? bestEffort : qos === "Burstable" ? burstable : guaranteed).push(pod);
  }
  const unmet = subtract(reqs, [...bestEffort, ...burstable, ...guaranteed], gates);
  if (unmet.length > 0) return { victims: null, error: noSet(unmet) };
  const g = byDistance(guaranteed, subtract(reqs, [...bestEffort, ...burstable], gates), gates);
  if (typeof g === "string") return { victims: null, error: g };
  const bu = byDistance(burstable, subtract(reqs, [...bestEffort, ...g], gates), gates);
  if (typeof bu === "string") return { victims: null, error: bu };
  const be = byDistance(bestEffort, subtract(reqs, [...bu, ...g], gates), gates);
  if (typeof be === "string") return { victims: null, error: be };
  return { victims: [...be, ...bu, ...g], error: null };
}
