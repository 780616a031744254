import { CPUSet, withPlainJSON } from "../core/index.js";
import { type Container, isContainerEquivalentGuaranteed, isSidecar, type Pod } from "../k8s/index.js";
import type { StaticPolicy as CPUStaticPolicy } from "../managers/cpu/index.js";
import type { DeviceManager } from "../managers/device/index.js";
import type { StaticPolicy as MemoryStaticPolicy } from "../managers/memory/index.js";
import { maskBits, type TopologyManager } from "../managers/topology/index.js";
import {
  type CFSSettings,
  type ContainerCPUState,
  containerCpuQuota,
  podCgroupSettings,
} from "./cgroup-rules.js";
import type {
  AssignmentType,
  ContainerDecision,
  ContainerKind,
  DeviceAssignment,
  NodeConfig,
  PodDecision,
} from "./types.js";

/**
 * What the decisions are read from: the node's managers and configuration. `Node` is one; taking
 * this instead of the class keeps decisions.ts below node.ts (no import circle).
 */
export interface DecisionSource {
  readonly config: Pick<NodeConfig, "featureGates" | "cpuCFSQuota" | "cpuCFSQuotaPeriodUs">;
  readonly topologyManager: Pick<TopologyManager, "getAffinity">;
  readonly cpuPolicy: Pick<
    CPUStaticPolicy,
    "getAssignedCPUs" | "getPodCPUSet" | "getResourceIsolationLevel"
  > | null;
  readonly memoryPolicy: Pick<
    MemoryStaticPolicy,
    "getMemoryBlocks" | "getPodMemoryBlocks" | "getMemoryNUMANodes"
  > | null;
  readonly deviceManager: Pick<DeviceManager, "containerDevices">;
  /** The container-creation error of a pod-level pod's deferred device allocation, if any. */
  deviceStartError(podUID: string, container: string): string | null;
  defaultCpuSet(): CPUSet;
}

function deviceAssignments(node: DecisionSource, podUID: string, container: string): DeviceAssignment[] {
  const out: DeviceAssignment[] = [];
  for (const [resource, devices] of node.deviceManager.containerDevices(podUID, container))
    out.push({ resource, devices: devices.map((d) => ({ id: d.id, numaNodes: [...d.numaNodes] })) });
  return out;
}

/** What the CPU Manager holds for a container, in the shape the cgroup rules read. */
export function cpuStateOf(node: DecisionSource, pod: Pod, c: Container): ContainerCPUState {
  const policy = node.cpuPolicy;
  if (!policy) return { cpus: CPUSet.empty, isolation: "host" };
  return {
    cpus: policy.getAssignedCPUs(pod.uid, c.name) ?? CPUSet.empty,
    isolation: policy.getResourceIsolationLevel(pod, c),
  };
}

function cpuAssignmentType(state: ContainerCPUState, hasBubble: boolean): AssignmentType {
  if (state.isolation === "host") return "node_shared";
  if (!hasBubble) return "node_exclusive";
  return state.isolation === "container" ? "pod_exclusive" : "pod_shared";
}

export interface Decisions {
  containers: ContainerDecision[];
  podDecision: PodDecision;
}

/**
 * The decisions a node holds for an admitted pod: per container its CPUs (assignment or the node
 * shared pool), isolation level, assignment types, NUMA affinity, memory blocks, cpuset.mems and
 * CFS quota; per pod its bubble, pod shared pool, pod-level memory and pod cgroup.
 */
export function buildDecisions(node: DecisionSource, pod: Pod): Decisions {
  return withPlainJSON(decisionsOf(node, pod, true));
}

/**
 * `buildDecisions` for a caller that prints the parts inside a result of its own (so the pair
 * needs no JSON form) and knows whether the Device Manager holds anything for the pod: a pod
 * without a record there holds no device in any container.
 */
export function decisionsOf(node: DecisionSource, pod: Pod, podMayHoldDevices: boolean): Decisions {
  const gates = node.config.featureGates;
  // The configuration holds the CFS settings under their own names.
  const cfs: CFSSettings = node.config;
  const defaultSet = node.defaultCpuSet();
  const bubble = node.cpuPolicy?.getPodCPUSet(pod.uid) ?? null;
  const podMemory = node.memoryPolicy?.getPodMemoryBlocks(pod.uid) ?? null;
  const containers: ContainerDecision[] = [];
  let podSharedPool = bubble;
  // The pod cgroup reads the same states again: each is asked of the CPU Manager once.
  const states = new Map<Container, ContainerCPUState>();
  const add = (c: Container, kind: ContainerKind): void => {
    const state = cpuStateOf(node, pod, c);
    states.set(c, state);
    if (podSharedPool && kind !== "init" && state.isolation === "container")
      podSharedPool = podSharedPool.difference(state.cpus);
    const memory = node.memoryPolicy?.getMemoryBlocks(pod.uid, c.name) ?? null;
    const affinity = node.topologyManager.getAffinity(pod.uid, c.name).affinity;
    let memoryAssignmentType: AssignmentType = "node_shared";
    if (memory !== null) {
      if (podMemory === null) memoryAssignmentType = "node_exclusive";
      else memoryAssignmentType = isContainerEquivalentGuaranteed(c) ? "pod_exclusive" : "pod_shared";
    }
    containers.push({
      name: c.name,
      kind,
      cpus: state.isolation === "host" ? defaultSet : state.cpus,
      hasCPUAssignment: state.isolation !== "host",
      isolation: state.isolation,
      assignmentType: cpuAssignmentType(state, bubble !== null),
      memoryAssignmentType,
      numaAffinity: affinity === null ? null : maskBits(affinity),
      memory,
      cpusetMems: node.memoryPolicy?.getMemoryNUMANodes(pod, c) ?? null,
      cfsQuotaUs: containerCpuQuota(c, state, cfs, gates),
      devices: podMayHoldDevices ? deviceAssignments(node, pod.uid, c.name) : [],
      deviceError: node.deviceStartError(pod.uid, c.name),
    });
  };
  // `containersInOrder`: init containers (sidecars among them) first, then app containers.
  for (const c of pod.initContainers) add(c, isSidecar(c) ? "sidecar" : "init");
  for (const c of pod.containers) add(c, "app");
  return {
    containers,
    podDecision: {
      bubble,
      podSharedPool,
      memory: podMemory,
      cgroup: podCgroupSettings(pod, (c) => states.get(c) ?? cpuStateOf(node, pod, c), cfs, gates),
    },
  };
}
