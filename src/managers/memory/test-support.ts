import { ManagerError, MetricsRegistry, Quantity } from "../../core/index.js";
import {
  type Container,
  DEFAULT_FEATURE_GATES,
  type FeatureGates,
  type KubernetesVersion,
  type Pod,
  type ResourceList,
} from "../../k8s/index.js";
import { maskOf, type TopologyHint } from "../topology/index.js";
import type { NUMAMemory } from "../../machine/index.js";
import { StaticPolicy } from "./static-policy.js";

/** Builders shared by the memory manager's tests. */
export const Gi = 1n << 30n;
export const Mi = 1n << 20n;

export function resources(list: Record<string, string>): ResourceList {
  return Object.fromEntries(Object.entries(list).map(([k, v]) => [k, Quantity.parse(v)]));
}

/** A container whose requests equal its limits. */
export function guaranteed(name: string, list: Record<string, string>, restartPolicy?: string): Container {
  const c: Container = { name, resources: { requests: resources(list), limits: resources(list) } };
  if (restartPolicy) c.restartPolicy = restartPolicy;
  return c;
}

export function pod(
  uid: string,
  spec: Partial<Pick<Pod, "initContainers" | "containers" | "resources" | "qosClass">>,
): Pod {
  return {
    uid,
    name: uid,
    namespace: "default",
    initContainers: spec.initContainers ?? [],
    containers: spec.containers ?? [],
    resources: spec.resources ?? null,
    ...(spec.qosClass ? { qosClass: spec.qosClass } : {}),
  };
}

export function hint(nodes: number[] | null, preferred = true): TopologyHint {
  return { affinity: nodes === null ? null : maskOf(...nodes), preferred };
}

export function gatesOn(): FeatureGates {
  return { ...DEFAULT_FEATURE_GATES, PodLevelResources: true, PodLevelResourceManagers: true };
}

/** `n` NUMA nodes with `memory` each and optional 1Gi hugepages, 1Gi of memory reserved on node 0. */
export function machine(nodes: number, memory: bigint, hugepages1Gi = 0n): Map<number, NUMAMemory> {
  const m = new Map<number, NUMAMemory>();
  for (let i = 0; i < nodes; i++) {
    m.set(i, {
      memory,
      hugepages: hugepages1Gi > 0n ? [{ pageSizeKiB: 1024 * 1024, numPages: hugepages1Gi }] : [],
    });
  }
  return m;
}

export interface Harness {
  policy: StaticPolicy;
  metrics: MetricsRegistry;
  setHint(h: TopologyHint): void;
}

/** A started policy over `memory` with `reserved` bytes of memory reserved on node 0. */
export function harness(opts: {
  memory: Map<number, NUMAMemory>;
  reserved?: bigint;
  gates?: FeatureGates;
  version?: KubernetesVersion;
}): Harness {
  let current: TopologyHint = hint(null, false);
  const metrics = new MetricsRegistry();
  const policy = StaticPolicy.create({
    machine: { memory: opts.memory },
    reservedMemory: new Map([[0, new Map([["memory", opts.reserved ?? Gi]])]]),
    gates: opts.gates ?? { ...DEFAULT_FEATURE_GATES },
    version: opts.version ?? "1.37",
    affinity: { getAffinity: () => current },
    metrics,
  });
  if (policy instanceof ManagerError) throw policy;
  const err = policy.start();
  if (err) throw err;
  return {
    policy,
    metrics,
    setHint(h) {
      current = h;
    },
  };
}

/** One container of a generated pod (the property tests' pod shapes). */
export interface GeneratedContainer {
  kind: "init" | "sidecar" | "app";
  memoryMi: number;
  hugepagesGi: number;
  exclusive: boolean;
}

export interface GeneratedPod {
  podLevel: boolean;
  budgetMi: number;
  containers: GeneratedContainer[];
}

/**
 * A Guaranteed pod from a generated shape: every container 1 CPU and its memory (and 1Gi
 * hugepages when asked), a pod-level budget when `podLevel` (then only exclusive containers carry
 * their own requests), and an app container of `fallbackMemory` when the shape has none.
 */
export function generatedPod(
  uid: string,
  spec: GeneratedPod,
  opts: { fallbackMemory: string; budgetHugepages?: string },
): Pod {
  const init: Container[] = [];
  const apps: Container[] = [];
  spec.containers.forEach((c, i) => {
    const list: Record<string, string> = { cpu: "1", memory: `${c.memoryMi}Mi` };
    if (c.hugepagesGi > 0) list["hugepages-1Gi"] = `${c.hugepagesGi}Gi`;
    const name = `${c.kind}${i}`;
    const container =
      spec.podLevel && !c.exclusive
        ? { name, resources: null }
        : guaranteed(name, list, c.kind === "sidecar" ? "Always" : undefined);
    if (c.kind === "sidecar") container.restartPolicy = "Always";
    (c.kind === "app" ? apps : init).push(container);
  });
  if (apps.length === 0) apps.push(guaranteed("app", { cpu: "1", memory: opts.fallbackMemory }));
  const budget: Record<string, string> = { cpu: "8", memory: `${spec.budgetMi}Mi` };
  if (opts.budgetHugepages) budget["hugepages-1Gi"] = opts.budgetHugepages;
  return pod(uid, {
    initContainers: init,
    containers: apps,
    ...(spec.podLevel ? { resources: { requests: resources(budget), limits: resources(budget) } } : {}),
    qosClass: "Guaranteed",
  });
}
