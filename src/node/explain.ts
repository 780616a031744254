import type { CPUStateData } from "../managers/cpu/index.js";
import type { MemoryStateData } from "../managers/memory/index.js";
import { Quantity } from "../core/index.js";
import {
  type Container,
  containersInOrder,
  isContainerEquivalentGuaranteed,
  isPodLevelResourcesSet,
  type Pod,
  podQOS,
  type ResourceRequirements,
} from "../k8s/index.js";
import { machineNUMANodes } from "../machine/index.js";
import { cpuHintSettings } from "../managers/cpu/index.js";
import { cloneMemoryState } from "../managers/memory/index.js";
import {
  type BitMask,
  filterProvidersHints,
  filterSingleNumaHints,
  type HintData,
  iterateAllProviderTopologyHints,
  maskBits,
  maskFromBits,
  type MergeData,
  mergePermutation,
  type TopologyHint,
} from "../managers/topology/index.js";
import { buildDecisions } from "./decisions.js";
import { Node } from "./node.js";
import type { AdmissionResult } from "./types.js";

/** One distinct merged hint the Topology Manager's permutation walk produced. */
export interface Candidate {
  numaNodes: number[];
  preferred: boolean;
  /** How many permutations merged to it. */
  permutations: number;
  winner: boolean;
}

export interface MergeExplanation {
  container: string | null;
  merge: MergeData;
  candidates: Candidate[];
  /** Candidates were not listed because the cross product is too large to walk. */
  truncated: boolean;
  why: string;
}

export interface NUMAFit {
  id: number;
  freeCpus: number;
  freeCpuList: string;
  memory: Record<string, { free: bigint; allocatable: bigint }>;
  /** Pods holding exclusive CPUs or pinned memory on this node. */
  holders: string[];
}

export interface FitReport {
  numaNodes: NUMAFit[];
  /** NUMA masks of the preferred hints the providers offered (what the pod wanted). */
  wanted: number[][];
  /** Largest CPU count a Guaranteed pod of the same shape and memory would be admitted with now. */
  largestCpus: number | null;
  /** Largest memory (bytes) a Guaranteed pod of the same shape and CPUs would be admitted with now. */
  largestMemory: bigint | null;
}

export interface Explanation {
  result: AdmissionResult;
  merges: MergeExplanation[];
  notes: string[];
  fit: FitReport | null;
}

const MAX_PERMUTATIONS = 200_000;

/** A node with the same machine, configuration, running pods and state, to try admissions on. */
export function copyNode(node: Node): Node {
  const cpu: CPUStateData | undefined = node.cpuPolicy ? node.cpuPolicy.state.clone().data : undefined;
  const memory: MemoryStateData | undefined = node.memoryPolicy
    ? cloneMemoryState(node.memoryPolicy.state)
    : undefined;
  return new Node({
    machine: { ...node.machine, devices: node.deviceResources() },
    config: node.config,
    restored: {
      cpu,
      memory,
      device: node.deviceManager.stateData(),
      devicesInUse: node.deviceManager.allocatedDeviceIDs(),
    },
    runningPods: node.admittedPods(),
  });
}

function hintFromData(h: HintData): TopologyHint {
  return { affinity: h.numaNodes === null ? null : maskFromBits(h.numaNodes), preferred: h.preferred };
}

function candidatesOf(node: Node, merge: MergeData): { candidates: Candidate[]; truncated: boolean } {
  const answers = merge.answers.map((a) =>
    a.hints === null
      ? null
      : new Map(
          Object.entries(a.hints).map(([r, list]) => [r, list === null ? null : list.map(hintFromData)]),
        ),
  );
  let slots = filterProvidersHints(answers);
  const policy = node.config.topologyManagerPolicy;
  if (policy === "single-numa-node") slots = filterSingleNumaHints(slots);
  const total = slots.reduce((n, s) => n * s.length, 1);
  if (total > MAX_PERMUTATIONS) return { candidates: [], truncated: true };
  const all = maskFromBits(machineNUMANodes(node.machine));
  const seen = new Map<string, Candidate>();
  iterateAllProviderTopologyHints(slots, (perm) => {
    const m = mergePermutation(all, perm);
    if (m.affinity === 0n) return;
    const key = `${m.affinity}:${m.preferred}`;
    const c = seen.get(key);
    if (c) c.permutations++;
    else
      seen.set(key, {
        numaNodes: maskBits(m.affinity),
        preferred: m.preferred,
        permutations: 1,
        winner: false,
      });
  });
  const hint = merge.hint;
  const winnerMask: BitMask | null =
    hint.numaNodes === null ? (policy === "single-numa-node" ? all : null) : maskFromBits(hint.numaNodes);
  const candidates = [...seen.values()].sort(
    (a, b) =>
      Number(b.preferred) - Number(a.preferred) ||
      a.numaNodes.length - b.numaNodes.length ||
      Number(maskFromBits(a.numaNodes) - maskFromBits(b.numaNodes)),
  );
  for (const c of candidates)
    c.winner =
      winnerMask !== null && maskFromBits(c.numaNodes) === winnerMask && c.preferred === hint.preferred;
  return { candidates, truncated: false };
}

function whyOf(node: Node, merge: MergeData, candidates: Candidate[], truncated: boolean): string {
  const policy = node.config.topologyManagerPolicy;
  const h = merge.hint;
  const where = h.numaNodes === null ? "any NUMA node" : `NUMA ${h.numaNodes.join(",")}`;
  if (policy === "none")
    return "policy none: no hints are merged; every container is allocated without alignment";
  const verdict = merge.admit ? "admitted" : `not admitted (${policy} admits only a preferred hint)`;
  if (!truncated && candidates.length === 0)
    return `no permutation left a usable affinity${policy === "single-numa-node" ? " once hints spanning several NUMA nodes or not preferred were dropped" : ""}: the result is {${where}, preferred=${h.preferred}}, ${verdict}`;
  const preferred = candidates.filter((c) => c.preferred);
  let reason: string;
  if (h.preferred) {
    const sameWidth = preferred.filter((c) => c.numaNodes.length === (h.numaNodes?.length ?? 0));
    reason =
      sameWidth.length > 1
        ? `the narrowest preferred candidate; ${sameWidth.length} candidates tie on width and the ${node.config.topologyManagerPolicyOptions["prefer-closest-numa-nodes"] === "true" && policy !== "single-numa-node" ? "closest (smallest average distance), then " : ""}lowest-numbered mask wins`
        : "the narrowest preferred candidate";
  } else {
    reason =
      preferred.length === 0
        ? "no candidate is preferred (the providers' preferred hints never agree on one mask)"
        : "a non-preferred result";
  }
  if (policy === "single-numa-node" && h.numaNodes === null && h.preferred)
    reason += "; single-numa-node reports an all-nodes result as no preference";
  return `${where}, preferred=${h.preferred}: ${reason}; ${verdict}`;
}

function quantityOf(r: ResourceRequirements | null, name: string): Quantity | undefined {
  return r?.requests[name] ?? r?.limits[name];
}

/** Behaviour a user is unlikely to expect, named with the kubelet rule or fix behind it. */
function notesFor(node: Node, pod: Pod, result: AdmissionResult): string[] {
  const cfg = node.config;
  const gates = cfg.featureGates;
  const podLevel = isPodLevelResourcesSet(pod);
  const notes: string[] = [];
  if (podLevel && !(gates.PodLevelResources && gates.PodLevelResourceManagers))
    notes.push(
      "the pod sets .spec.resources but PodLevelResources and PodLevelResourceManagers are not both on: the resource managers ignore the pod budget (no NUMA alignment, no exclusive CPUs, no memory pinning)",
    );
  if (podLevel && gates.PodLevelResourceManagers && cfg.topologyManagerPolicy === "none")
    notes.push(
      "topologyManagerPolicy none: the documentation lists only best-effort, restricted and single-numa-node for pod-level resource managers; the kubelet allocates container by container without alignment",
    );
  const podCPU = pod.resources?.requests.cpu;
  if (podLevel && gates.PodLevelResourceManagers && podCPU && !podCPU.isIntegral())
    notes.push(
      `the pod-level CPU request ${podCPU.toString()} is not a whole number: no CPU bubble and no exclusive CPUs for any container`,
    );
  for (const c of [...containersInOrder(pod).map((x) => x.resources), pod.resources]) {
    for (const [name, q] of Object.entries(c?.requests ?? {})) {
      if ((name === "memory" || name.startsWith("hugepages-")) && q.asInt64() === null) {
        notes.push(
          `${name} request ${q.toString()} is not a whole-byte quantity in the kubelet's integer form (write e.g. 1536Mi instead of 1.5Gi): the Memory Manager cannot pin it`,
        );
      }
    }
  }
  if (
    cfg.kubernetesVersion === "1.36" &&
    cfg.memoryManagerPolicy === "Static" &&
    cfg.topologyManagerScope === "container" &&
    podLevel &&
    gates.PodLevelResourceManagers &&
    podQOS(pod, gates) === "Guaranteed" &&
    containersInOrder(pod).some((c) => !isContainerEquivalentGuaranteed(c))
  )
    notes.push(
      "kubelet 1.36 sends containers without exclusive memory through the Memory Manager with an empty request (a null hint fails with 'failed to get the default NUMA affinity'); 1.37 skips them (kubernetes/kubernetes#138770)",
    );
  const numaCount = machineNUMANodes(node.machine).length;
  if (
    cfg.topologyManagerPolicy === "single-numa-node" &&
    cpuHintSettings.singleNUMAFastPath &&
    numaCount > cpuHintSettings.singleNUMAFastPathAboveNodes
  )
    notes.push(
      `this machine has ${numaCount} NUMA nodes: a provider whose full answer would list up to 2^${numaCount}-1 masks lists its single-node hints only (single-numa-node drops every other hint before merging, so the verdict is the kubelet's)`,
    );
  const quota = result.podDecision?.cgroup;
  if (quota && quota.documentedCpuQuotaUs !== null)
    notes.push(
      `pod CPU quota: the kubelet sets ${quota.cpuQuotaUs} (a container holds exclusive CPUs and none runs in a pod shared pool); the documentation describes ${quota.documentedCpuQuotaUs} per ${quota.cpuPeriodUs} us`,
    );
  return [...new Set(notes)];
}

/** Which pods hold exclusive CPUs or pinned memory on each NUMA node. */
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
    for (const n of nodes) {
      const list = out.get(n) ?? [];
      list.push(pod.namespace ? `${pod.namespace}/${pod.name}` : pod.name);
      out.set(n, list);
    }
  }
  return out;
}

function totalOf(pod: Pod, name: string): Quantity {
  const podLevel = quantityOf(pod.resources, name);
  if (podLevel && isPodLevelResourcesSet(pod)) return podLevel;
  return pod.containers.reduce((sum, c) => {
    const q = quantityOf(c.resources, name);
    return q ? sum.add(q) : sum;
  }, Quantity.zero());
}

/** A one-container Guaranteed pod with the same pod-level shape, for "what would fit" probes. */
function probePod(pod: Pod, cpus: bigint, memory: bigint): Pod {
  const list = { cpu: Quantity.fromInt(cpus), memory: Quantity.fromInt(memory, "BinarySI") };
  const resources: ResourceRequirements = { requests: { ...list }, limits: { ...list } };
  const probe: Container = { name: "probe", resources };
  return {
    uid: `${pod.uid}-probe-${cpus}-${memory}`,
    name: `${pod.name}-probe`,
    namespace: pod.namespace,
    initContainers: [],
    containers: [probe],
    resources: isPodLevelResourcesSet(pod) ? { requests: { ...list }, limits: { ...list } } : null,
  };
}

function admits(node: Node, pod: Pod): boolean {
  return copyNode(node).admit(pod).admitted;
}

/** The largest value in [lo, hi] for which `ok` holds, assuming it is monotone; null if none. */
function largest(lo: bigint, hi: bigint, ok: (v: bigint) => boolean): bigint | null {
  if (hi < lo || !ok(lo)) return null;
  while (lo < hi) {
    const mid = (lo + hi + 1n) / 2n;
    if (ok(mid)) lo = mid;
    else hi = mid - 1n;
  }
  return lo;
}

const MiB = 1024n * 1024n;

function fitReport(node: Node, pod: Pod, result: AdmissionResult): FitReport {
  const topo = node.machine.topology;
  const available = node.defaultCpuSet().difference(node.reservedCPUs());
  const holders = holdersByNUMA(node);
  const ms = node.memoryPolicy?.state.machineState;
  const numaNodes = machineNUMANodes(node.machine).map((id) => {
    const free = topo.cpusInNUMANode(id).intersect(available);
    const memory: Record<string, { free: bigint; allocatable: bigint }> = {};
    for (const [r, t] of ms?.get(id)?.memoryMap ?? [])
      memory[r] = { free: t.free, allocatable: t.allocatable };
    return { id, freeCpus: free.size, freeCpuList: free.toString(), memory, holders: holders.get(id) ?? [] };
  });
  const wanted = new Map<string, number[]>();
  for (const m of result.trace.merges)
    for (const a of m.answers)
      for (const list of Object.values(a.hints ?? {}))
        for (const h of list ?? [])
          if (h.preferred && h.numaNodes) wanted.set(h.numaNodes.join(","), h.numaNodes);
  const cpuTotal = totalOf(pod, "cpu");
  const memTotal = totalOf(pod, "memory");
  const guaranteed = podQOS(pod, node.config.featureGates) === "Guaranteed";
  const cpuNow = cpuTotal.isIntegral() && !cpuTotal.isZero() ? cpuTotal.value() : 1n;
  const memNow = memTotal.isZero() ? 100n * MiB : memTotal.value();
  const maxMemory = [...(ms?.values() ?? [])].reduce(
    (s, n) => s + (n.memoryMap.get("memory")?.free ?? 0n),
    0n,
  );
  return {
    numaNodes,
    wanted: [...wanted.values()].sort((a, b) => a.length - b.length || a[0] - b[0]),
    largestCpus: guaranteed
      ? (() => {
          const v = largest(1n, BigInt(available.size), (c) => admits(node, probePod(pod, c, memNow)));
          return v === null ? null : Number(v);
        })()
      : null,
    largestMemory:
      guaranteed && ms && maxMemory >= MiB
        ? (() => {
            const v = largest(1n, maxMemory / MiB, (m) => admits(node, probePod(pod, cpuNow, m * MiB)));
            return v === null ? null : v * MiB;
          })()
        : null,
  };
}

/**
 * What the node would do with `pod`, and why, without changing the node: the verdict, every merge
 * with the providers' hints and the distinct candidates the merge weighed, behaviour notes, and for
 * a rejection what would fit now.
 */
export function explainAdmission(node: Node, pod: Pod): Explanation {
  const trial = copyNode(node);
  const result = trial.admit(pod);
  const merges = result.trace.merges.map((merge) => {
    const { candidates, truncated } = candidatesOf(node, merge);
    return {
      container: merge.container,
      merge,
      candidates,
      truncated,
      why: whyOf(node, merge, candidates, truncated),
    };
  });
  return {
    result,
    merges,
    notes: notesFor(node, pod, result),
    fit: result.admitted ? null : fitReport(node, pod, result),
  };
}
