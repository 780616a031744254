import { Quantity } from "../core/index.js";
import type { Pod } from "../k8s/index.js";
import { machineNUMANodes } from "../machine/index.js";
import { buildDecisions } from "./decisions.js";
import { deviceInventory, deviceNUMANodes, isFree } from "./device-inventory.js";
import { withPodBudget } from "./explain-pod-budget.js";
import {
  podAndContainerDimension,
  type RequestDimension,
  requestDimensions,
  withinValid,
} from "./explain-requests.js";
import type { SearchedRequest } from "./explain-rejection.js";
import { nearestPassing, TrialBudget } from "./explain-search.js";
import { runsOnCopy, TrialNode } from "./explain-trial.js";
import type { Node } from "./node.js";
import type { AdmissionResult } from "./types.js";

/*
 * "What would fit now" for a rejected pod: what each NUMA node has free and who holds the rest,
 * and, for each request of the pod changed alone, the nearest values the engine itself admits on a
 * copy of the node, under every configured policy, option and admit handler.
 */

/** Devices of one resource on one NUMA node (or without NUMA information), for "what would fit". */
export interface DeviceFit {
  /** Every device listing the node, any health. */
  total: number;
  /** Healthy and not in use. */
  free: number;
  unhealthy: number;
  /** Pods holding devices here (`namespace/name`). */
  holders: string[];
}

export interface NUMAFit {
  id: number;
  freeCpus: number;
  freeCpuList: string;
  memory: Record<string, { free: bigint; allocatable: bigint }>;
  /** Device-plugin devices listing this node, per resource ({} when none). */
  devices: Record<string, DeviceFit>;
  /** Pods holding exclusive CPUs, pinned memory or devices on this node. */
  holders: string[];
}

/** One request of the pod, changed alone: the nearest values on each side the node admits now. */
export interface RequestFit extends SearchedRequest {
  /**
   * Other pod budgets changed with this request: those the pod-level rule refuses, raised to what
   * it accepts (`cpu` in millicores, bytes), so that this request alone can decide; {} otherwise.
   */
  others: Record<string, bigint>;
  /** The values searched: from the smallest request to what the machine has. */
  min: bigint;
  max: bigint;
  /** Trial admissions run for this request. */
  trials: number;
  /** False when the trial allowance ran out before both sides were settled. */
  complete: boolean;
}

export interface FitReport {
  numaNodes: NUMAFit[];
  /** NUMA masks of the preferred hints the providers offered (what the pod wanted). */
  wanted: number[][];
  /** Devices whose plugin gives no NUMA node the machine has, per resource. */
  devicesWithoutNUMA: Record<string, DeviceFit>;
  /**
   * Each request of the pod (pod budget, or the container asking for most, or the one whose
   * allocation failed), changed alone, with the nearest values the engine admits now; empty when
   * a check no request changes refused the pod (node affinity, taints, ...).
   */
  requests: RequestFit[];
}

/**
 * Trial admissions one explanation may run: one to a few milliseconds each on a 512-CPU machine,
 * so that an explanation stays near 100 ms there even when no request size admits the pod.
 */
export const MAX_TRIAL_ADMISSIONS = 64;

/** Which pods hold exclusive CPUs, pinned memory or devices on each NUMA node. */
function holdersByNUMA(node: Node): Map<number, string[]> {
  const out = new Map<number, string[]>();
  const topo = node.machine.topology;
  for (const pod of node.admittedPods()) {
    const { containers, podDecision } = buildDecisions(node, pod);
    const nodes = new Set<number>();
    const cpus = podDecision.bubble ?? null;
    const held = containers.filter((c) => c.hasCPUAssignment).map((c) => c.cpus);
    for (const set of cpus ? [cpus, ...held] : held) for (const n of topo.numaNodesOf(set)) nodes.add(n);
    for (const b of [...(podDecision.memory ?? []), ...containers.flatMap((c) => c.memory ?? [])])
      for (const n of b.numaAffinity) nodes.add(n);
    for (const c of containers)
      for (const a of c.devices)
        for (const d of a.devices) for (const n of d.numaNodes) if (n >= 0) nodes.add(n);
    for (const n of nodes) {
      const list = out.get(n) ?? [];
      list.push(pod.namespace ? `${pod.namespace}/${pod.name}` : pod.name);
      out.set(n, list);
    }
  }
  return out;
}

type DeviceFits = {
  perNode: Map<number, Record<string, DeviceFit>>;
  withoutNUMA: Record<string, DeviceFit>;
};

/** Devices per NUMA node and resource as the next admission finds them (`purged`: stale pods purged). */
function deviceFits(purged: Node): DeviceFits {
  const ids = machineNUMANodes(purged.machine);
  const known = new Set(ids);
  const perNode = new Map<number, Record<string, DeviceFit>>(ids.map((id) => [id, {}]));
  const withoutNUMA: Record<string, DeviceFit> = {};
  const add = (
    into: Record<string, DeviceFit>,
    resource: string,
    d: ReturnType<typeof deviceInventory>[number]["devices"][number],
  ) => {
    const fit = (into[resource] ??= { total: 0, free: 0, unhealthy: 0, holders: [] });
    fit.total++;
    if (isFree(d)) fit.free++;
    if (!d.healthy) fit.unhealthy++;
    for (const h of d.holders)
      if (h.pod) {
        const name = h.pod.namespace ? `${h.pod.namespace}/${h.pod.name}` : h.pod.name;
        if (!fit.holders.includes(name)) fit.holders.push(name);
      }
  };
  for (const r of deviceInventory(purged))
    for (const d of r.devices) {
      const nodes = deviceNUMANodes(d, known);
      if (nodes.length === 0) add(withoutNUMA, r.name, d);
      for (const n of nodes) add(perNode.get(n)!, r.name, d);
    }
  return { perNode, withoutNUMA };
}

/**
 * The nearest passing values of `d`, each confirmed on a fresh copy of the node (unless the trial
 * that found it already ran on one). Each side starts on its own copy.
 */
function search(
  node: Node,
  asked: RequestDimension,
  budget: TrialBudget,
  others: Record<string, bigint>,
): RequestFit {
  const d = withinValid(node, asked);
  if (d === null)
    return {
      resource: asked.resource,
      target: asked.target,
      container: asked.container,
      unit: asked.unit,
      requested: asked.requested,
      others,
      below: null,
      above: null,
      min: asked.space.min,
      max: asked.space.max,
      trials: 0,
      complete: true,
    };
  const trials = new TrialNode(node);
  const freshPasses = new Set<bigint>();
  let found = nearestPassing(
    d.space,
    (v) => {
      const pod = d.podWith(v);
      const ok = pod !== null && trials.runs(pod);
      if (ok && trials.lastWasFresh) freshPasses.add(v);
      return ok;
    },
    budget,
    () => trials.restart(),
  );
  const confirmed = (v: bigint | null) => {
    if (v === null || freshPasses.has(v)) return true;
    const pod = d.podWith(v);
    return pod !== null && runsOnCopy(node, pod);
  };
  if (!confirmed(found.below) || !confirmed(found.above))
    // The reused copy and a fresh one disagree: search again, every trial on a fresh copy.
    found = nearestPassing(
      d.space,
      (v) => {
        const pod = d.podWith(v);
        return pod !== null && runsOnCopy(node, pod);
      },
      budget,
    );
  return {
    resource: d.resource,
    target: d.target,
    container: d.container,
    unit: d.unit,
    requested: d.requested,
    others,
    below: found.below,
    above: found.above,
    min: d.space.min,
    max: d.space.max,
    trials: found.trials,
    complete: found.complete,
  };
}

/** `pod` with the pod budgets of `raised` (`cpu` in millicores, bytes) except `resource`'s. */
function raisedExcept(
  pod: Pod,
  raised: Readonly<Record<string, bigint>>,
  resource: string,
): {
  pod: Pod;
  others: Record<string, bigint>;
} {
  let out = pod;
  const others: Record<string, bigint> = {};
  for (const [r, v] of Object.entries(raised)) {
    if (r === resource) continue;
    others[r] = v;
    out = withPodBudget(out, r, r === "cpu" ? Quantity.fromMilli(v) : Quantity.fromInt(v, "BinarySI"));
  }
  return { pod: out, others };
}

/**
 * The nearest admitted value of each request: the cause's resources first, and the others only
 * when none of those admits the pod (or the cause names none). A pod budget that no value admits
 * is searched again with its largest container moved by the same amount.
 */
function requestFits(node: Node, pod: Pod, inputs: FitInputs): RequestFit[] {
  const budget = new TrialBudget(MAX_TRIAL_ADMISSIONS);
  const raised = inputs.raised ?? {};
  const dims = requestDimensions(node, pod, inputs.preferred);
  const decisive = (d: RequestDimension) => inputs.first.includes(d.resource);
  const ordered = [...dims.filter(decisive), ...dims.filter((d) => !decisive(d))];
  const out: RequestFit[] = [];
  for (const d of ordered) {
    // The other requests are searched only when none of the cause's own admits the pod.
    if (!decisive(d) && out.some((f) => f.below !== null || f.above !== null)) break;
    const base = raisedExcept(pod, raised, d.resource);
    const dim =
      Object.keys(base.others).length === 0
        ? d
        : (requestDimensions(node, base.pod, inputs.preferred).find(
            (x) => x.resource === d.resource && x.target === d.target,
          ) ?? d);
    const fit = search(node, dim, budget, base.others);
    out.push(fit);
    // Moving a container with the budget keeps the pod shared pool as it is: no help for the pod-level rule.
    if (dim.target === "pod" && fit.below === null && fit.above === null && fit.complete && !inputs.raised) {
      const both = podAndContainerDimension(node, pod, d.resource);
      if (both) out.push(search(node, both, budget, {}));
    }
  }
  // Back in the pod's own order of resources.
  const order = dims.map((d) => d.resource);
  return out.sort((a, b) => order.indexOf(a.resource) - order.indexOf(b.resource));
}

export interface FitInputs {
  /** The node after the Device Manager's purge, as the next admission sees its devices. */
  purged: Node;
  /** Resources to search first (those of the rejection's cause). */
  first: readonly string[];
  /** Per resource, the container to vary (the one whose allocation failed). */
  preferred: ReadonlyMap<string, string>;
  /** False when no request size can change the verdict. */
  searchRequests: boolean;
  /** The pod budgets the pod-level rule refuses, raised to what it accepts (see `RequestFit.others`). */
  raised?: Readonly<Record<string, bigint>>;
}

export function fitReport(node: Node, pod: Pod, result: AdmissionResult, inputs: FitInputs): FitReport {
  const topo = node.machine.topology;
  const available = node.defaultCpuSet().difference(node.reservedCPUs());
  const holders = holdersByNUMA(node);
  const ms = node.memoryPolicy?.state.machineState;
  const devices = deviceFits(inputs.purged);
  const numaNodes = machineNUMANodes(node.machine).map((id) => {
    const free = topo.cpusInNUMANode(id).intersect(available);
    const memory: Record<string, { free: bigint; allocatable: bigint }> = {};
    for (const [r, t] of ms?.get(id)?.memoryMap ?? [])
      memory[r] = { free: t.free, allocatable: t.allocatable };
    return {
      id,
      freeCpus: free.size,
      freeCpuList: free.toString(),
      memory,
      devices: devices.perNode.get(id) ?? {},
      holders: holders.get(id) ?? [],
    };
  });
  const wanted = new Map<string, number[]>();
  for (const m of result.trace.merges)
    for (const a of m.answers)
      for (const hints of Object.values(a.hints ?? {}))
        for (const h of hints ?? [])
          if (h.preferred && h.numaNodes) wanted.set(h.numaNodes.join(","), h.numaNodes);
  return {
    numaNodes,
    wanted: [...wanted.values()].sort((a, b) => a.length - b.length || a[0] - b[0]),
    devicesWithoutNUMA: devices.withoutNUMA,
    requests: inputs.searchRequests ? requestFits(node, pod, inputs) : [],
  };
}
