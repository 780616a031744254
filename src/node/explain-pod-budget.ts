import { Quantity } from "../core/index.js";
import { containersInOrder, isSidecar, type Pod, podQOS } from "../k8s/index.js";
import {
  guaranteedCPUs,
  podGuaranteedCPUs,
  validatePodScopeResources as cpuPodScopeProblem,
} from "../managers/cpu/index.js";
import {
  containerRequestedResources,
  isMemoryManagerResource,
  validatePodScopeResources as memoryPodScopeProblem,
} from "../managers/memory/index.js";
import type { NodeConfig } from "./types.js";

/*
 * The pod-level rule of the resource managers in pod scope (`validatePodScopeResources`, CPU and
 * memory versions, pod-level.md §2.4): the exclusive containers must leave the pod budget room for
 * the containers that share it. `explain` asks the managers' own rule, per resource, which budget
 * it would accept, so the advice is the rule's, not a restatement of it.
 */

/** One resource whose pod budget the rule refuses. */
export interface PodBudgetProblem {
  resource: string;
  /** The kubelet's text for this resource. */
  message: string;
  /** The budget as asked (cpu in whole CPUs, the rest in bytes). */
  budget: bigint;
  /** The smallest budget the rule accepts, the other requests unchanged; null when none does. */
  minimum: bigint | null;
  /** Long-running containers with their own share of the budget, and the amount each takes. */
  exclusive: { container: string; amount: bigint }[];
  /** Long-running containers that would run in the pod shared pool. */
  shared: string[];
}

/** `pod` with its pod budget of `resource` set to `v` (requests and limits alike). */
export function withPodBudget(pod: Pod, resource: string, v: Quantity): Pod {
  const r = pod.resources ?? { requests: {}, limits: {} };
  return {
    ...pod,
    resources: {
      requests: { ...r.requests, [resource]: v },
      limits: resource in r.limits ? { ...r.limits, [resource]: v } : { ...r.limits },
    },
  };
}

const longRunning = (pod: Pod) => [...pod.initContainers.filter((c) => isSidecar(c)), ...pod.containers];

/** The smallest value in [lo, hi] that `ok` accepts, the rule being monotone in the budget; null if none. */
function smallest(lo: bigint, hi: bigint, ok: (v: bigint) => boolean): bigint | null {
  if (!ok(hi)) return null;
  while (lo < hi) {
    const mid = (lo + hi) / 2n;
    if (ok(mid)) hi = mid;
    else lo = mid + 1n;
  }
  return lo;
}

function cpuProblem(pod: Pod, config: NodeConfig): PodBudgetProblem | null {
  const gates = config.featureGates;
  if (config.cpuManagerPolicy !== "static" || podGuaranteedCPUs(pod, gates) === 0) return null;
  const message = cpuPodScopeProblem(pod, gates);
  if (message === null) return null;
  const budget = BigInt(podGuaranteedCPUs(pod, gates));
  const all = containersInOrder(pod).reduce((s, c) => s + BigInt(guaranteedCPUs(pod, c, gates)), 0n);
  const accepts = (b: bigint) =>
    cpuPodScopeProblem(withPodBudget(pod, "cpu", Quantity.fromInt(b)), gates) === null;
  const exclusive = longRunning(pod)
    .map((c) => ({ container: c.name, amount: BigInt(guaranteedCPUs(pod, c, gates)) }))
    .filter((e) => e.amount > 0n);
  const shared = longRunning(pod)
    .filter((c) => guaranteedCPUs(pod, c, gates) === 0)
    .map((c) => c.name);
  return {
    resource: "cpu",
    message,
    budget,
    minimum: smallest(budget + 1n, budget + all + 1n, accepts),
    exclusive,
    shared,
  };
}

/** Memory and each hugepage size on its own: the other budgets are made large enough to pass. */
function memoryProblems(pod: Pod, config: NodeConfig): PodBudgetProblem[] {
  const gates = config.featureGates;
  if (config.memoryManagerPolicy !== "Static" || podQOS(pod, gates) !== "Guaranteed") return [];
  if (memoryPodScopeProblem(pod, gates) === null) return [];
  const requested = new Map<string, bigint>();
  const perContainer = new Map<string, ReadonlyMap<string, bigint>>();
  for (const c of containersInOrder(pod)) {
    const r = containerRequestedResources(pod, c, gates);
    if (r instanceof Error) return [];
    perContainer.set(c.name, r);
    for (const [name, v] of r) requested.set(name, (requested.get(name) ?? 0n) + v);
  }
  const names = Object.keys(pod.resources?.requests ?? {})
    .filter(isMemoryManagerResource)
    .sort();
  const out: PodBudgetProblem[] = [];
  for (const resource of names) {
    const budget = pod.resources?.requests[resource]?.value() ?? 0n;
    const roomy = (q: bigint) => Quantity.fromInt(q + (requested.get(resource) ?? 0n) + 1n, "BinarySI");
    // Every other memory budget large enough that only `resource` can fail the rule.
    let alone = pod;
    for (const other of names)
      if (other !== resource)
        alone = withPodBudget(alone, other, roomy(alone.resources?.requests[other]?.value() ?? 0n));
    const problem = memoryPodScopeProblem(alone, gates);
    if (problem === null) continue;
    const accepts = (b: bigint) =>
      memoryPodScopeProblem(withPodBudget(alone, resource, Quantity.fromInt(b, "BinarySI")), gates) === null;
    const all = requested.get(resource) ?? 0n;
    const exclusive = longRunning(pod)
      .map((c) => ({ container: c.name, amount: perContainer.get(c.name)?.get(resource) ?? 0n }))
      .filter((e) => e.amount > 0n);
    const shared = longRunning(pod)
      .filter((c) => (perContainer.get(c.name)?.size ?? 0) === 0)
      .map((c) => c.name);
    out.push({
      resource,
      message: problem.message,
      budget,
      minimum: smallest(budget + 1n, budget + all + 1n, accepts),
      exclusive,
      shared,
    });
  }
  return out;
}

/**
 * Every resource whose pod budget the pod-level rule refuses, CPU first, then memory and hugepages
 * in name order; empty when the rule accepts the pod or does not apply to it.
 */
export function podBudgetProblems(pod: Pod, config: NodeConfig): PodBudgetProblem[] {
  const cpu = cpuProblem(pod, config);
  return [...(cpu ? [cpu] : []), ...memoryProblems(pod, config)];
}

/**
 * Whether the pod-level rule accepts `pod` on a node with `config`: true also where the rule does
 * not apply (container scope, policy none, the gates off, no pod budget), as on the kubelet's
 * pod-level path only.
 */
export function podLevelRuleAccepts(pod: Pod, config: NodeConfig): boolean {
  const gates = config.featureGates;
  const applies =
    config.topologyManagerScope === "pod" &&
    config.topologyManagerPolicy !== "none" &&
    gates.PodLevelResources &&
    gates.PodLevelResourceManagers &&
    pod.resources !== null;
  if (!applies) return true;
  if (
    config.cpuManagerPolicy === "static" &&
    podGuaranteedCPUs(pod, gates) > 0 &&
    cpuPodScopeProblem(pod, gates)
  )
    return false;
  return !(
    config.memoryManagerPolicy === "Static" &&
    podQOS(pod, gates) === "Guaranteed" &&
    memoryPodScopeProblem(pod, gates) !== null
  );
}
