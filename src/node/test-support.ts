import { CPUSet, Quantity } from "../core/index.js";
import type { MemoryBlock, NUMANodeMap } from "../managers/memory/index.js";
import { DEFAULT_FEATURE_GATES, parsePods, type Pod, podFromObject } from "../k8s/index.js";
import { type Machine, presetMachine } from "../machine/index.js";
import { cloneMachineState } from "../managers/memory/index.js";
import { defaultNodeConfig } from "./config.js";
import type { Node } from "./node.js";
import type { AdmissionResult, ContainerDecision, NodeConfig, TopologyManagerScopeName } from "./types.js";

/**
 * Builders shared by the Node engine's tests (worked examples, scenarios, properties). Test-only:
 * nothing in the engine imports this file.
 */

export const Mi = 1n << 20n;
export const Gi = 1n << 30n;

/** Machine M of pod-level.md §7 (machines.md §1). */
export function machineM(): Machine {
  const m = presetMachine("worked-example");
  if (!m) throw new Error("preset worked-example is missing");
  return m;
}

/**
 * The kubelet configuration of pod-level.md §7: static CPU Manager with 2 reserved CPUs, Memory
 * Manager `Static` with 1100Mi reserved on NUMA 0, `single-numa-node`, both pod-level gates on,
 * no CPU policy options, CFS period 100000 µs; kube and system reserved 1 CPU and 500Mi each, hard
 * eviction at 100Mi of memory (node allocatable).
 */
export function workedExampleConfig(
  scope: TopologyManagerScopeName,
  overrides: Partial<NodeConfig> = {},
): NodeConfig {
  return defaultNodeConfig({
    featureGates: { ...DEFAULT_FEATURE_GATES, PodLevelResources: true, PodLevelResourceManagers: true },
    cpuManagerPolicy: "static",
    numReservedCPUs: 2,
    memoryManagerPolicy: "Static",
    reservedMemory: new Map([[0, new Map([["memory", 1100n * Mi]])]]),
    topologyManagerPolicy: "single-numa-node",
    topologyManagerScope: scope,
    kubeReserved: { cpu: Quantity.parse("1"), memory: Quantity.parse("500Mi") },
    systemReserved: { cpu: Quantity.parse("1"), memory: Quantity.parse("500Mi") },
    evictionHard: { "memory.available": { quantity: Quantity.parse("100Mi") } },
    ...overrides,
  });
}

/** A Guaranteed pod with one container `app` of `cpu` CPUs and `memory`, as YAML. */
export function guaranteedPodYaml(name: string, cpu: string | number, memory = "1Gi"): string {
  return `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: default, uid: uid-${name}}
spec:
  containers:
    - name: app
      image: busybox
      resources:
        requests: {cpu: "${cpu}", memory: ${memory}}
        limits: {cpu: "${cpu}", memory: ${memory}}
`;
}

/** pod-level.md §7.3 "empty-shared-pool": the exclusive containers use the whole pod budget. */
export const EMPTY_SHARED_POOL_YAML = `apiVersion: v1
kind: Pod
metadata: {name: empty-shared-pool, namespace: default, uid: uid-esp}
spec:
  resources:
    requests: {cpu: "4", memory: 4Gi}
    limits: {cpu: "4", memory: 4Gi}
  initContainers:
    - name: metrics-sidecar
      image: busybox
      restartPolicy: Always
      resources:
        requests: {cpu: "1", memory: 1Gi}
        limits: {cpu: "1", memory: 1Gi}
    - name: logging-sidecar
      image: busybox
      restartPolicy: Always
  containers:
    - name: main-app
      image: busybox
      resources:
        requests: {cpu: "3", memory: 3Gi}
        limits: {cpu: "3", memory: 3Gi}
`;

/** The one pod of a YAML document (API defaults applied, as the kubelet sees pods). */
export function podFromYaml(text: string, what = "test pod"): Pod {
  const pods = parsePods(text, what);
  if (pods.length !== 1) throw new Error(`${what}: expected one pod, got ${pods.length}`);
  return pods[0];
}

export function cpus(text: string): CPUSet {
  return CPUSet.parse(text);
}

/** The decision for container `name` of an admitted pod. */
export function containerOf(result: AdmissionResult, name: string): ContainerDecision {
  const c = result.containers?.find((d) => d.name === name);
  if (!c) throw new Error(`no decision for container ${name} (admitted: ${result.admitted})`);
  return c;
}

/** Every series whose value changed between two registry snapshots, with the change. */
export function metricDelta(
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    const d = (after[k] ?? 0) - (before[k] ?? 0);
    if (d !== 0) out[k] = d;
  }
  return out;
}

/** Blocks as plain comparable data (sizes as bigint, affinity ascending). */
export function block(numaAffinity: number[], type: string, size: bigint): MemoryBlock {
  return { numaAffinity, type, size };
}

/** What the node holds, as plain data: enough to tell two states apart. */
export interface NodeSnapshot {
  defaultCpuSet: string;
  cpuEntries: Record<string, Record<string, string>>;
  podCpuEntries: Record<string, string>;
  machineState: NUMANodeMap | null;
  memoryEntries: Record<string, Record<string, MemoryBlock[]>>;
  podMemoryEntries: Record<string, MemoryBlock[]>;
}

export function snapshotNode(node: Node): NodeSnapshot {
  const cpu = node.cpuPolicy?.state.data;
  const mem = node.memoryPolicy?.state;
  const nested = <T, U>(m: ReadonlyMap<string, ReadonlyMap<string, T>> | undefined, f: (v: T) => U) =>
    Object.fromEntries(
      [...(m ?? new Map<string, ReadonlyMap<string, T>>()).entries()].map(([k, inner]) => [
        k,
        Object.fromEntries([...inner.entries()].map(([n, v]) => [n, f(v)])),
      ]),
    );
  return {
    defaultCpuSet: node.defaultCpuSet().toString(),
    cpuEntries: nested(cpu?.entries, (s: CPUSet) => s.toString()),
    podCpuEntries: Object.fromEntries(
      [...(cpu?.podEntries ?? new Map<string, CPUSet>()).entries()].map(([k, v]) => [k, v.toString()]),
    ),
    machineState: mem ? cloneMachineState(mem.machineState) : null,
    memoryEntries: nested(mem?.entries, (b: MemoryBlock[]) => b.map((x) => ({ ...x }))),
    podMemoryEntries: Object.fromEntries(
      [...(mem?.podEntries ?? new Map<string, MemoryBlock[]>()).entries()].map(([k, v]) => [
        k,
        v.map((x) => ({ ...x })),
      ]),
    ),
  };
}

/** A container of `testPod`: requests = limits when `cpu`/`memory` are given, no resources otherwise. */
export interface TestContainer {
  name: string;
  cpu?: string;
  memory?: string;
  sidecar?: boolean;
}

/**
 * A pod built as the API object and read by the real pod reader (API defaults applied): optional
 * pod-level budget with requests = limits, init containers (sidecars with `sidecar: true`) and app
 * containers.
 */
export function testPod(
  uid: string,
  spec: { budget?: { cpu?: string; memory?: string }; init?: TestContainer[]; containers: TestContainer[] },
): Pod {
  const list = (r: { cpu?: string; memory?: string }) =>
    Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined));
  const container = (c: TestContainer) => {
    const res = list({ cpu: c.cpu, memory: c.memory });
    return {
      name: c.name,
      image: "image",
      ...(Object.keys(res).length > 0 ? { resources: { requests: res, limits: res } } : {}),
      ...(c.sidecar ? { restartPolicy: "Always" } : {}),
    };
  };
  const budget = spec.budget ? list(spec.budget) : null;
  return podFromObject(
    {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: uid, namespace: "default", uid },
      spec: {
        ...(budget ? { resources: { requests: budget, limits: budget } } : {}),
        ...(spec.init ? { initContainers: spec.init.map(container) } : {}),
        containers: spec.containers.map(container),
      },
    },
    `test pod ${uid}`,
  );
}

/** A BestEffort pod with one container: admitting it only runs the managers' stale-state cleanup. */
export function bestEffortPod(uid: string): Pod {
  return {
    uid,
    name: uid,
    namespace: "default",
    initContainers: [],
    containers: [{ name: "c", resources: null }],
    resources: null,
  };
}

/** Pods the invariants are checked against, by UID, with what happened to them. */
export interface InvariantContext {
  /** Every pod the node may hold state for: admitted ones and rejected ones not yet cleaned. */
  pods: ReadonlyMap<string, Pod>;
  /** Pods whose containers were removed one by one (their bubble may hold finished slices). */
  partiallyRemoved?: ReadonlySet<string>;
}

const U64 = 1n << 64n;

function isStandardInit(pod: Pod, name: string): boolean {
  const c = pod.initContainers.find((x) => x.name === name);
  return c !== undefined && c.restartPolicy !== "Always";
}

/**
 * Every broken invariant of the node's CPU and memory state (empty when all hold):
 * - no CPU has two exclusive owners, except a standard init container's CPUs reused later in the
 *   same pod (pod-level.md §2.3, cpu-manager.md §6.6); pods hold disjoint CPUs;
 * - an exclusive container holds exactly `guaranteedCPUs` CPUs; a bubble exactly `podGuaranteedCPUs`;
 * - every container set of a pod with a bubble lies inside the bubble, and for an admitted, intact
 *   pod the pod shared pool is the bubble minus the sidecar and app exclusive slices (§2.3 step 11);
 * - the default set meets no assignment or bubble, and default ∪ assignments ∪ bubbles ∪ reserved
 *   covers every CPU; reserved CPUs are never assigned;
 * - under `single-numa-node`, exclusive sets, bubbles and memory blocks of admitted pods sit on one
 *   NUMA node;
 * - memory: free + reserved = allocatable for every node and resource (modulo 2^64).
 */
export function invariantViolations(node: Node, ctx: InvariantContext): string[] {
  const out: string[] = [];
  const admitted = new Set(node.admittedPods().map((p) => p.uid));
  const singleNUMA = node.config.topologyManagerPolicy === "single-numa-node";
  const topology = node.machine.topology;
  const policy = node.cpuPolicy;
  if (policy) {
    const data = policy.state.data;
    const def = data.defaultCpuSet;
    let owned = CPUSet.empty;
    const uids = [...new Set([...data.entries.keys(), ...data.podEntries.keys()])].sort();
    for (const uid of uids) {
      const pod = ctx.pods.get(uid);
      if (!pod) {
        out.push(`cpu state for unknown pod ${uid}`);
        continue;
      }
      const where = `pod ${pod.name}`;
      const bubble = data.podEntries.get(uid) ?? null;
      const sets = data.entries.get(uid) ?? new Map<string, CPUSet>();
      let podOwned = bubble ?? CPUSet.empty;
      for (const s of sets.values()) podOwned = podOwned.union(s);
      if (podOwned.intersects(owned))
        out.push(`${where}: CPUs ${podOwned.intersect(owned)} also held by another pod`);
      owned = owned.union(podOwned);
      if (podOwned.intersects(def))
        out.push(`${where}: CPUs ${podOwned.intersect(def)} are also in the default set`);
      if (podOwned.intersects(policy.reserved))
        out.push(`${where}: holds reserved CPUs ${podOwned.intersect(policy.reserved)}`);
      const isAdmitted = admitted.has(uid);
      const intact = isAdmitted && !ctx.partiallyRemoved?.has(uid);
      if (bubble) {
        if (bubble.size !== policy.podGuaranteedCPUs(pod))
          out.push(
            `${where}: bubble ${bubble} has ${bubble.size} CPUs, pod budget ${policy.podGuaranteedCPUs(pod)}`,
          );
        if (singleNUMA && isAdmitted && topology.numaNodesOf(bubble).length > 1)
          out.push(`${where}: bubble ${bubble} spans NUMA nodes under single-numa-node`);
      }
      const exclusive: { name: string; set: CPUSet; init: boolean }[] = [];
      const sharedSets = new Set<string>();
      let longExclusive = CPUSet.empty;
      let sidecarsSoFar = CPUSet.empty;
      for (const c of [...pod.initContainers, ...pod.containers]) {
        const set = sets.get(c.name);
        const init = isStandardInit(pod, c.name);
        if (!set) continue;
        if (bubble && !set.isSubsetOf(bubble))
          out.push(`${where}/${c.name}: ${set} outside the bubble ${bubble}`);
        const level = policy.getResourceIsolationLevel(pod, c);
        if (level === "container") {
          const want = policy.guaranteedCPUs(pod, c);
          if (set.size !== want)
            out.push(`${where}/${c.name}: exclusive set ${set} has ${set.size} CPUs, wants ${want}`);
          if (singleNUMA && isAdmitted && topology.numaNodesOf(set).length > 1)
            out.push(`${where}/${c.name}: exclusive set ${set} spans NUMA nodes under single-numa-node`);
          for (const other of exclusive) {
            if (!init && !other.init && other.set.intersects(set))
              out.push(
                `${where}: ${c.name} and ${other.name} share exclusive CPUs ${set.intersect(other.set)}`,
              );
          }
          exclusive.push({ name: c.name, set, init });
          if (!init) longExclusive = longExclusive.union(set);
          if (c.restartPolicy === "Always") sidecarsSoFar = sidecarsSoFar.union(set);
        } else if (level === "pod") {
          if (!bubble) out.push(`${where}/${c.name}: isolation pod without a bubble`);
          else if (init) {
            if (intact && !set.equals(bubble.difference(sidecarsSoFar)))
              out.push(
                `${where}/${c.name}: runnable pool ${set}, expected ${bubble.difference(sidecarsSoFar)}`,
              );
          } else sharedSets.add(set.toString());
        } else out.push(`${where}/${c.name}: holds ${set} but its isolation level is ${level}`);
      }
      if (sharedSets.size > 1)
        out.push(`${where}: pod-shared containers hold different sets ${[...sharedSets]}`);
      if (bubble && intact) {
        if (!longExclusive.isSubsetOf(bubble)) out.push(`${where}: exclusive slices outside the bubble`);
        const pool = bubble.difference(longExclusive);
        for (const s of sharedSets)
          if (s !== pool.toString())
            out.push(`${where}: pod shared pool ${s}, expected bubble − exclusive = ${pool}`);
      }
    }
    const covered = def.union(owned, policy.reserved);
    if (!covered.equals(topology.all)) out.push(`CPUs ${topology.all.difference(covered)} are nowhere`);
  }
  const mem = node.memoryPolicy?.state;
  if (mem) {
    for (const [id, ns] of mem.machineState) {
      for (const [resource, t] of ns.memoryMap) {
        if ((t.free + t.reserved) % U64 !== t.allocatable % U64)
          out.push(
            `NUMA ${id} ${resource}: free ${t.free} + reserved ${t.reserved} != allocatable ${t.allocatable}`,
          );
      }
    }
    for (const uid of admitted) {
      const pod = ctx.pods.get(uid);
      const podBlocks = mem.podEntries.get(uid);
      for (const [name, blocks] of mem.entries.get(uid) ?? new Map<string, MemoryBlock[]>()) {
        for (const b of blocks) {
          if (singleNUMA && b.numaAffinity.length > 1)
            out.push(`pod ${pod?.name}/${name}: block on NUMA ${b.numaAffinity} under single-numa-node`);
          if (podBlocks && podBlocks.length > 0 && b.numaAffinity.join() !== podBlocks[0].numaAffinity.join())
            out.push(
              `pod ${pod?.name}/${name}: block on NUMA ${b.numaAffinity}, bubble on ${podBlocks[0].numaAffinity}`,
            );
        }
      }
    }
  }
  return out;
}

/** The NUMA ids of blocks, ascending and unique. */
function blockNodes(blocks: readonly MemoryBlock[]): number[] {
  return [...new Set(blocks.flatMap((b) => b.numaAffinity))].sort((a, b) => a - b);
}

/**
 * Every way the decisions of an admitted pod disagree with the node's state or with the rules of
 * pod-level.md §4-§5 (empty when they agree):
 * - `cpus` is the stored assignment, or the default set after the admission for containers at
 *   isolation `host`; the assignment type follows the isolation level and the bubble;
 * - `cpuset.mems` is the NUMA ids of the container's blocks, not written without blocks;
 * - exclusive containers have quota -1 (`DisableCPUQuotaWithExclusiveCPUs`);
 * - under `single-numa-node` and `restricted`, a container's CPUs and blocks lie inside its stored
 *   NUMA affinity (its CPUs inside the affinity's sockets with `align-by-socket`);
 * - the pod shared pool is the set of the pod-shared sidecar and app containers.
 */
export function decisionViolations(node: Node, pod: Pod, result: AdmissionResult): string[] {
  const out: string[] = [];
  if (!result.admitted || !result.containers || !result.podDecision) return ["not admitted"];
  const policy = node.cpuPolicy;
  const bubble = result.podDecision.bubble;
  const strict = ["single-numa-node", "restricted"].includes(node.config.topologyManagerPolicy);
  const sharedSets = new Set<string>();
  for (const c of result.containers) {
    const where = `${pod.name}/${c.name}`;
    const stored = policy?.getAssignedCPUs(pod.uid, c.name);
    if (c.hasCPUAssignment !== (c.isolation !== "host"))
      out.push(`${where}: hasCPUAssignment ${c.hasCPUAssignment} at isolation ${c.isolation}`);
    const want = c.isolation === "host" ? result.defaultCpuSet : stored;
    if (!want || !c.cpus.equals(want)) out.push(`${where}: cpus ${c.cpus}, state says ${want}`);
    const type =
      c.isolation === "host"
        ? "node_shared"
        : c.isolation === "pod"
          ? "pod_shared"
          : bubble
            ? "pod_exclusive"
            : "node_exclusive";
    if (c.assignmentType !== type)
      out.push(`${where}: assignment type ${c.assignmentType}, expected ${type}`);
    if (c.isolation === "pod" && c.kind !== "init") sharedSets.add(c.cpus.toString());
    const mems = c.memory && c.memory.length > 0 ? blockNodes(c.memory) : null;
    if (JSON.stringify(c.cpusetMems) !== JSON.stringify(mems))
      out.push(`${where}: cpuset.mems ${c.cpusetMems}, blocks on ${mems}`);
    if (
      c.isolation === "container" &&
      node.config.featureGates.DisableCPUQuotaWithExclusiveCPUs &&
      c.cfsQuotaUs !== -1
    )
      out.push(`${where}: exclusive container with quota ${c.cfsQuotaUs}`);
    if (strict && c.numaAffinity && c.isolation !== "host") {
      // `align-by-socket` aligns to the sockets of the hint's NUMA nodes (cpu-manager.md), not to them.
      const topology = node.machine.topology;
      const allowed =
        node.config.cpuManagerPolicyOptions["align-by-socket"] === "true"
          ? topology.cpusInSockets(topology.socketsInNUMANodes(c.numaAffinity))
          : topology.cpusInNUMANodes(c.numaAffinity);
      if (!c.cpus.isSubsetOf(allowed))
        out.push(`${where}: cpus ${c.cpus} outside its affinity ${c.numaAffinity}`);
    }
    if (strict && c.numaAffinity && mems && !mems.every((id) => c.numaAffinity?.includes(id)))
      out.push(`${where}: memory on ${mems} outside its affinity ${c.numaAffinity}`);
  }
  const pool = result.podDecision.podSharedPool;
  if (sharedSets.size > 0 && (sharedSets.size > 1 || pool?.toString() !== [...sharedSets][0]))
    out.push(`${pod.name}: pod shared pool ${pool}, shared containers hold ${[...sharedSets]}`);
  if (bubble && !bubble.equals(policy?.getPodCPUSet(pod.uid) ?? CPUSet.empty))
    out.push(`${pod.name}: bubble ${bubble} differs from the state`);
  return out;
}
