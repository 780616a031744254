import type { CPUStateData } from "../managers/cpu/index.js";
import type { MemoryStateData } from "../managers/memory/index.js";
import { Quantity } from "../core/index.js";
import {
  type Container,
  containersInOrder,
  isContainerEquivalentGuaranteed,
  isPodLevelResourcesSet,
  memoryQuantityNote,
  type Pod,
  podQOS,
  type ResourceRequirements,
} from "../k8s/index.js";
import { machineNUMANodes } from "../machine/index.js";
import { cpuHintSettings } from "../managers/cpu/index.js";
import {
  type DeviceAllocationCall,
  type DeviceRequest,
  containerDeviceRequest,
  podDeviceRequest,
} from "../managers/device/index.js";
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
import { deviceInventory, deviceNUMANodes, isFree } from "./device-inventory.js";
import { type MergeCause, mergeCauses } from "./explain-causes.js";
import { explainDeviceError } from "./explain-device-errors.js";
import { predicateNotes, predicateView } from "./explain-predicate.js";
import { afterCalls, type DeviceSnapshot, snapshotForContainer, snapshotOf } from "./explain-devices.js";
import { Node } from "./node.js";
import type { PredicateDecision } from "./predicate/index.js";
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
  /** What kept the result from being a preferred one (empty when it is preferred). */
  causes: MergeCause[];
  why: string;
}

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

/** A failed device choice, with the kubelet's text and what it means here. */
export interface DeviceErrorExplanation {
  container: string;
  resource: string;
  error: string;
  /** On the pod-level path: the choice at container creation, after admission. */
  atContainerStart: boolean;
  /** Plain words on the cause; null for a text podpin does not know. */
  explanation: string | null;
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

export interface FitReport {
  numaNodes: NUMAFit[];
  /** NUMA masks of the preferred hints the providers offered (what the pod wanted). */
  wanted: number[][];
  /** Largest CPU count a Guaranteed pod of the same shape and memory would be admitted with now. */
  largestCpus: number | null;
  /** Largest memory (bytes) a Guaranteed pod of the same shape and CPUs would be admitted with now. */
  largestMemory: bigint | null;
  /** Devices whose plugin gives no NUMA node the machine has, per resource. */
  devicesWithoutNUMA: Record<string, DeviceFit>;
  /** The device limits the probe pods keep (the pod's whole device request), so the largest values respect them. */
  probeDevices: Record<string, number>;
  /**
   * Per device resource the pod asks for: the largest count this pod (its own CPUs, memory and
   * other devices unchanged) would be admitted with now, its devices really obtained; null if none.
   */
  largestDevices: Record<string, number | null>;
}

export interface Explanation {
  result: AdmissionResult;
  merges: MergeExplanation[];
  /** Every failed device choice of the admission and, on the pod-level path, of container creation. */
  deviceErrors: DeviceErrorExplanation[];
  notes: string[];
  fit: FitReport | null;
  /**
   * The predicate admit handler's view: allocatable, used by other pods and requested per resource,
   * with its failures. When the Topology Manager refused first, what the handler would have found.
   */
  predicate: PredicateDecision;
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

function whyOf(
  node: Node,
  merge: MergeData,
  candidates: Candidate[],
  truncated: boolean,
  causes: readonly MergeCause[],
): string {
  const blame = causes.map((c) => c.text).join("; ");
  const policy = node.config.topologyManagerPolicy;
  const h = merge.hint;
  const where = h.numaNodes === null ? "any NUMA node" : `NUMA ${h.numaNodes.join(",")}`;
  if (policy === "none")
    return "policy none: no hints are merged; every container is allocated without alignment";
  const verdict = merge.admit ? "admitted" : `not admitted (${policy} admits only a preferred hint)`;
  if (!truncated && candidates.length === 0)
    return `${blame ? `${blame}; so ` : ""}no permutation left a usable affinity${policy === "single-numa-node" ? " once hints spanning several NUMA nodes or not preferred were dropped" : ""}: the result is {${where}, preferred=${h.preferred}}, ${verdict}`;
  const preferred = candidates.filter((c) => c.preferred);
  let reason: string;
  if (h.preferred) {
    const sameWidth = preferred.filter((c) => c.numaNodes.length === (h.numaNodes?.length ?? 0));
    reason =
      sameWidth.length > 1
        ? `the narrowest preferred candidate; ${sameWidth.length} candidates tie on width and the ${node.config.topologyManagerPolicyOptions["prefer-closest-numa-nodes"] === "true" && policy !== "single-numa-node" ? "closest (smallest average distance), then " : ""}lowest-numbered mask wins`
        : "the narrowest preferred candidate";
  } else {
    reason = blame
      ? blame
      : preferred.length === 0
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
        notes.push(memoryQuantityNote(name, q));
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

function totalOf(pod: Pod, name: string): Quantity {
  const podLevel = quantityOf(pod.resources, name);
  if (podLevel && isPodLevelResourcesSet(pod)) return podLevel;
  return pod.containers.reduce((sum, c) => {
    const q = quantityOf(c.resources, name);
    return q ? sum.add(q) : sum;
  }, Quantity.zero());
}

/**
 * A one-container Guaranteed pod with the same pod-level shape and the pod's whole device request,
 * for "what would fit" probes: the devices' hints constrain the NUMA choice as the pod's do.
 */
function probePod(pod: Pod, cpus: bigint, memory: bigint, devices: DeviceRequest): Pod {
  const list = { cpu: Quantity.fromInt(cpus), memory: Quantity.fromInt(memory, "BinarySI") };
  const deviceList = Object.fromEntries([...devices].map(([r, n]) => [r, Quantity.fromInt(BigInt(n))]));
  const resources: ResourceRequirements = {
    requests: { ...list, ...deviceList },
    limits: { ...list, ...deviceList },
  };
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

/**
 * Admitted, and every container gets its devices: on the pod-level path they are chosen only at
 * container start, where a failure does not reject the pod but the container cannot run.
 */
function admitsWithDevices(node: Node, pod: Pod): boolean {
  const r = copyNode(node).admit(pod);
  return r.admitted && (r.deferredDevices ?? []).every((d) => d.error === null);
}

/**
 * The pod with `resource` limited to `total` in all: the container asking for most of it takes
 * the difference, the others keep theirs; null when the others alone ask for more.
 */
function withDeviceTotal(pod: Pod, resource: string, total: number): Pod | null {
  const all = containersInOrder(pod);
  const count = (c: Container) => Number(c.resources?.limits[resource]?.value() ?? 0n);
  const main = all.reduce((best, c) => (count(c) > count(best) ? c : best), all[0]);
  const rest = all.reduce((n, c) => (c === main ? n : n + count(c)), 0);
  if (total < rest || !main.resources) return null;
  const q = Quantity.fromInt(BigInt(total - rest));
  const scaled: Container = {
    ...main,
    resources: {
      requests: main.resources.requests[resource]
        ? { ...main.resources.requests, [resource]: q }
        : main.resources.requests,
      limits: { ...main.resources.limits, [resource]: q },
    },
  };
  const swap = (c: Container) => (c === main ? scaled : c);
  return {
    ...pod,
    uid: `${pod.uid}-probe-${resource}-${total}`,
    initContainers: pod.initContainers.map(swap),
    containers: pod.containers.map(swap),
  };
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

type DeviceFits = {
  perNode: Map<number, Record<string, DeviceFit>>;
  withoutNUMA: Record<string, DeviceFit>;
  /** Every device of each resource, each once. */
  total: Map<string, number>;
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
  const total = new Map<string, number>();
  for (const r of deviceInventory(purged))
    for (const d of r.devices) {
      total.set(r.name, (total.get(r.name) ?? 0) + 1);
      const nodes = deviceNUMANodes(d, known);
      if (nodes.length === 0) add(withoutNUMA, r.name, d);
      for (const n of nodes) add(perNode.get(n)!, r.name, d);
    }
  return { perNode, withoutNUMA, total };
}

function fitReport(node: Node, purged: Node, pod: Pod, result: AdmissionResult): FitReport {
  const topo = node.machine.topology;
  const available = node.defaultCpuSet().difference(node.reservedCPUs());
  const holders = holdersByNUMA(node);
  const ms = node.memoryPolicy?.state.machineState;
  const devices = deviceFits(purged);
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
  const probeDevices = podDeviceRequest(pod, (r) => purged.deviceManager.isDevicePluginResource(r));
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
          const v = largest(1n, BigInt(available.size), (c) =>
            admits(node, probePod(pod, c, memNow, probeDevices)),
          );
          return v === null ? null : Number(v);
        })()
      : null,
    largestMemory:
      guaranteed && ms && maxMemory >= MiB
        ? (() => {
            const v = largest(1n, maxMemory / MiB, (m) =>
              admits(node, probePod(pod, cpuNow, m * MiB, probeDevices)),
            );
            return v === null ? null : v * MiB;
          })()
        : null,
    devicesWithoutNUMA: devices.withoutNUMA,
    probeDevices: Object.fromEntries(probeDevices),
    largestDevices: Object.fromEntries(
      [...probeDevices.keys()].map((resource) => {
        const total = devices.total.get(resource) ?? 0;
        const v = largest(1n, BigInt(total), (k) => {
          const probe = withDeviceTotal(pod, resource, Number(k));
          return probe !== null && admitsWithDevices(node, probe);
        });
        return [resource, v === null ? null : Number(v)];
      }),
    ),
  };
}

/** The state each merge saw and the request it weighed, for the device clauses of `why`. */
function deviceContextOf(
  purged: Node,
  before: DeviceSnapshot,
  pod: Pod,
  merge: MergeData,
  result: AdmissionResult,
): { snapshot: DeviceSnapshot; request: DeviceRequest } {
  const isPlugin = (r: string) => purged.deviceManager.isDevicePluginResource(r);
  if (merge.container === null) return { snapshot: before, request: podDeviceRequest(pod, isPlugin) };
  const c = containersInOrder(pod).find((x) => x.name === merge.container);
  return {
    snapshot: snapshotForContainer(before, pod, merge.container, result),
    request: c ? containerDeviceRequest(c, isPlugin) : new Map(),
  };
}

/** Every failed device choice, explained from the device state just before it. */
function deviceErrorsOf(
  node: Node,
  before: DeviceSnapshot,
  result: AdmissionResult,
): DeviceErrorExplanation[] {
  const calls: { call: DeviceAllocationCall; atContainerStart: boolean }[] = [
    ...result.deviceAllocations.map((call) => ({ call, atContainerStart: false })),
    ...(result.deferredDevices ?? []).flatMap((d) =>
      d.devicesToAllocate.map((call) => ({ call, atContainerStart: true })),
    ),
  ];
  const out: DeviceErrorExplanation[] = [];
  calls.forEach(({ call, atContainerStart }, i) => {
    if (call.error === null) return;
    const state = afterCalls(
      before,
      calls.slice(0, i).map((x) => x.call),
    ).get(call.resource);
    out.push({
      container: call.container,
      resource: call.resource,
      error: call.error,
      atContainerStart,
      explanation: explainDeviceError(call.error, call.resource, state, {
        policy: node.config.topologyManagerPolicy,
        atContainerStart,
        hasTopology: state?.hasTopology ?? false,
      }),
    });
  });
  // Container-creation errors that are not a device choice (a plugin's PreStartContainer needs).
  for (const d of result.deferredDevices ?? [])
    if (
      d.error !== null &&
      !out.some((e) => e.atContainerStart && e.container === d.container && e.error === d.error)
    ) {
      const resource = /, resource (\S+)$/.exec(d.error)?.[1] ?? /: (\S+)$/.exec(d.error)?.[1] ?? "";
      out.push({
        container: d.container,
        resource,
        error: d.error,
        atContainerStart: true,
        explanation: explainDeviceError(d.error, resource, before.get(resource), {
          policy: node.config.topologyManagerPolicy,
          atContainerStart: true,
          hasTopology: before.get(resource)?.hasTopology ?? false,
        }),
      });
    }
  return out;
}

/** Device behaviour worth a note: deferred choice on the pod-level path, no alignment at all. */
function deviceNotes(node: Node, pod: Pod, result: AdmissionResult, before: DeviceSnapshot): string[] {
  const isPlugin = (r: string) => node.deviceManager.isDevicePluginResource(r);
  const request = [...podDeviceRequest(pod, isPlugin)].filter(([, n]) => n > 0);
  if (request.length === 0) return [];
  const notes: string[] = [];
  if (result.trace.path === "pod-level")
    notes.push(
      "devices on the pod-level path (KEP-5526): the Device Manager's hints join the pod's NUMA choice, but no device is reserved at admission; each container gets its devices when it is created, aligned only by the stored pod hint, and until then other pods may take them",
    );
  if (node.config.topologyManagerPolicy === "none")
    notes.push(
      "topologyManagerPolicy none: no hints are asked, so devices are chosen without regard to the NUMA nodes of the CPUs and memory",
    );
  for (const [resource] of request) {
    const r = before.get(resource);
    if (r && !r.hasTopology)
      notes.push(
        `${resource}: no device reports a NUMA node, so the Device Manager states no preference and the devices are not aligned with the CPUs and memory`,
      );
  }
  return notes;
}

/**
 * What the node would do with `pod`, and why, without changing the node: the verdict, every merge
 * with the providers' hints and the distinct candidates the merge weighed, what sank a merge,
 * device errors in plain words, behaviour notes, and for a rejection what would fit now.
 */
export function explainAdmission(node: Node, pod: Pod): Explanation {
  const trial = copyNode(node);
  const result = trial.admit(pod);
  // The next admission's first hint request purges the pods that are no longer active.
  const purged = copyNode(node);
  purged.deviceManager.updateAllocatedDevices();
  const before = snapshotOf(purged);
  const policy = node.config.topologyManagerPolicy;
  const numaCount = machineNUMANodes(node.machine).length;
  const merges = result.trace.merges.map((merge) => {
    const { candidates, truncated } = candidatesOf(node, merge);
    const causes = mergeCauses(merge, policy, deviceContextOf(purged, before, pod, merge, result), numaCount);
    return {
      container: merge.container,
      merge,
      candidates,
      truncated,
      causes,
      why: whyOf(node, merge, candidates, truncated, causes),
    };
  });
  const predicate = predicateView(node, pod, result);
  return {
    result,
    merges,
    deviceErrors: deviceErrorsOf(node, before, result),
    notes: [
      ...notesFor(node, pod, result),
      ...deviceNotes(node, pod, result, before),
      ...predicateNotes(node, result, predicate),
    ],
    fit: result.admitted ? null : fitReport(node, purged, pod, result),
    predicate,
  };
}
