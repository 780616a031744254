import { writeCPUCheckpoint, writeMemoryCheckpoint } from "../checkpoint/index.js";
import type { MemoryBlock } from "../managers/memory/index.js";
import { type Machine, machineNUMANodes } from "../machine/index.js";
import type { AdmissionResult, ContainerDecision, Node, PodCgroup, SimulationStep } from "../node/index.js";

/**
 * The stable, documented output of `podpin simulate -o json|yaml` (docs/output-format.md).
 * Everything is plain JSON: CPU sets in the Linux list format, byte sizes as integers (a string
 * only beyond 2^53, where a JSON number would lose precision).
 */
export const SIMULATION_API_VERSION = "podpin/v1";

export type JSONInteger = number | string;

function int(v: bigint): JSONInteger {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(v)
    : v.toString();
}

export interface BlockDoc {
  numaAffinity: number[];
  type: string;
  size: JSONInteger;
}

function blocks(b: readonly MemoryBlock[] | null): BlockDoc[] | null {
  return b === null
    ? null
    : b.map((x) => ({ numaAffinity: [...x.numaAffinity], type: x.type, size: int(x.size) }));
}

export interface ContainerDoc {
  name: string;
  kind: ContainerDecision["kind"];
  assignmentType: ContainerDecision["assignmentType"];
  memoryAssignmentType: ContainerDecision["memoryAssignmentType"];
  isolation: ContainerDecision["isolation"];
  /** The container's cpuset: its assignment, or the node shared pool (`nodeSharedPool: true`). */
  cpus: string;
  nodeSharedPool: boolean;
  numaAffinity: number[] | null;
  cpusetMems: string | null;
  memory: BlockDoc[] | null;
  /** -1 = unlimited (`max`), null = no quota set. */
  cfsQuotaUs: number | null;
}

export interface PodCgroupDoc {
  cpuShares: number;
  cpuQuotaUs: number | null;
  cpuPeriodUs: number;
  memoryLimitBytes: JSONInteger | null;
  hugepageLimitsBytes: Record<string, JSONInteger>;
  /** OPEN PL-1: the quota the documentation describes, when it differs. */
  documentedCpuQuotaUs: number | null;
}

function cgroupDoc(c: PodCgroup): PodCgroupDoc {
  return {
    cpuShares: c.cpuShares,
    cpuQuotaUs: c.cpuQuotaUs,
    cpuPeriodUs: c.cpuPeriodUs,
    memoryLimitBytes: c.memoryLimitBytes === null ? null : int(c.memoryLimitBytes),
    hugepageLimitsBytes: Object.fromEntries(
      Object.entries(c.hugepageLimitsBytes).map(([k, v]) => [k, int(v)]),
    ),
    documentedCpuQuotaUs: c.documentedCpuQuotaUs,
  };
}

export interface PodRefDoc {
  namespace: string;
  name: string;
  uid: string;
}

export interface AdmitStepDoc {
  op: "admit";
  pod: PodRefDoc;
  admitted: boolean;
  reason: string | null;
  message: string | null;
  /** What `kubectl describe pod` shows for a rejected pod: `Pod was rejected: <message>`. */
  status: string | null;
  /** The Topology Manager path: container / pod scope, the KEP-5526 pod-level path, or none. */
  path: string;
  bubble: string | null;
  podSharedPool: string | null;
  podMemory: BlockDoc[] | null;
  podCgroup: PodCgroupDoc | null;
  containers: ContainerDoc[] | null;
  defaultCpuSet: string;
  /** A rejected pod left state behind (cleaned at the next admission, as the kubelet does). */
  leftoverState: boolean;
}

export interface RemoveStepDoc {
  op: "remove";
  target: string;
  pod: PodRefDoc;
  removed: boolean;
  defaultCpuSet: string;
}

export interface NUMANodeDoc {
  id: number;
  cpus: string;
  /** CPUs of this node still free for exclusive use (default set minus reserved). */
  freeCpus: string;
  /** resource -> bytes, from the Memory Manager's machine state (absent with policy `None`). */
  memory: Record<string, { allocatable: JSONInteger; reserved: JSONInteger; free: JSONInteger }> | null;
}

export interface SimulationDoc {
  apiVersion: typeof SIMULATION_API_VERSION;
  kind: "Simulation";
  kubernetesVersion: string;
  machine: { name: string; cpus: number; sockets: number; numaNodes: number };
  kubelet: {
    cpuManagerPolicy: string;
    memoryManagerPolicy: string;
    topologyManagerPolicy: string;
    topologyManagerScope: string;
    featureGates: Record<string, boolean>;
    reservedCpus: string;
  };
  steps: (AdmitStepDoc | RemoveStepDoc)[];
  node: { defaultCpuSet: string; reservedCpus: string; numaNodes: NUMANodeDoc[] };
  /**
   * The kubelet's checkpoint files after the run, byte for byte as the configured version writes
   * them (`podpin explain --state` reads them back); null when the manager's policy is off.
   */
  state: { cpuManagerCheckpoint: string | null; memoryManagerCheckpoint: string | null };
  metrics?: Record<string, number>;
}

function containerDoc(c: ContainerDecision): ContainerDoc {
  return {
    name: c.name,
    kind: c.kind,
    assignmentType: c.assignmentType,
    memoryAssignmentType: c.memoryAssignmentType,
    isolation: c.isolation,
    cpus: c.cpus.toString(),
    nodeSharedPool: !c.hasCPUAssignment,
    numaAffinity: c.numaAffinity,
    cpusetMems: c.cpusetMems === null ? null : c.cpusetMems.join(","),
    memory: blocks(c.memory),
    cfsQuotaUs: c.cfsQuotaUs,
  };
}

export function admitStepDoc(r: AdmissionResult): AdmitStepDoc {
  return {
    op: "admit",
    pod: { namespace: r.pod.namespace, name: r.pod.name, uid: r.pod.uid },
    admitted: r.admitted,
    reason: r.reason,
    message: r.message,
    status: r.admitted ? null : `Pod was rejected: ${r.message}`,
    path: r.trace.path,
    bubble: r.podDecision?.bubble?.toString() ?? null,
    podSharedPool: r.podDecision?.podSharedPool?.toString() ?? null,
    podMemory: blocks(r.podDecision?.memory ?? null),
    podCgroup: r.podDecision ? cgroupDoc(r.podDecision.cgroup) : null,
    containers: r.containers ? r.containers.map(containerDoc) : null,
    defaultCpuSet: r.defaultCpuSet.toString(),
    leftoverState: r.leftoverState,
  };
}

/** Per NUMA node: its CPUs, the CPUs still free for exclusive use, and memory per resource. */
export function numaNodeDocs(node: Node, machine: Machine): NUMANodeDoc[] {
  const available = node.defaultCpuSet().difference(node.reservedCPUs());
  const ms = node.memoryPolicy?.state.machineState ?? null;
  return machineNUMANodes(machine).map((id) => {
    const cpus = machine.topology.cpusInNUMANode(id);
    const state = ms?.get(id);
    return {
      id,
      cpus: cpus.toString(),
      freeCpus: cpus.intersect(available).toString(),
      memory: state
        ? Object.fromEntries(
            [...state.memoryMap.entries()].map(([r, t]) => [
              r,
              { allocatable: int(t.allocatable), reserved: int(t.reserved), free: int(t.free) },
            ]),
          )
        : null,
    };
  });
}

export function simulationDoc(
  node: Node,
  steps: readonly SimulationStep[],
  metrics?: Record<string, number>,
): SimulationDoc {
  const machine = node.machine;
  const cfg = node.config;
  const doc: SimulationDoc = {
    apiVersion: SIMULATION_API_VERSION,
    kind: "Simulation",
    kubernetesVersion: cfg.kubernetesVersion,
    machine: {
      name: machine.name,
      cpus: machine.topology.all.size,
      sockets: machine.topology.sockets().length,
      numaNodes: machineNUMANodes(machine).length,
    },
    kubelet: {
      cpuManagerPolicy: cfg.cpuManagerPolicy,
      memoryManagerPolicy: cfg.memoryManagerPolicy,
      topologyManagerPolicy: cfg.topologyManagerPolicy,
      topologyManagerScope: cfg.topologyManagerScope,
      featureGates: {
        PodLevelResources: cfg.featureGates.PodLevelResources,
        PodLevelResourceManagers: cfg.featureGates.PodLevelResourceManagers,
      },
      reservedCpus: node.reservedCPUs().toString(),
    },
    steps: steps.map((s) =>
      s.op === "admit"
        ? admitStepDoc(s.result)
        : {
            op: "remove",
            target: s.target,
            pod: { namespace: s.result.pod.namespace, name: s.result.pod.name, uid: s.result.pod.uid },
            removed: s.result.removed,
            defaultCpuSet: s.result.defaultCpuSet.toString(),
          },
    ),
    node: {
      defaultCpuSet: node.defaultCpuSet().toString(),
      reservedCpus: node.reservedCPUs().toString(),
      numaNodes: numaNodeDocs(node, machine),
    },
    state: {
      cpuManagerCheckpoint: node.cpuPolicy
        ? writeCPUCheckpoint(node.cpuPolicy.state.data, {
            version: cfg.kubernetesVersion,
            gates: cfg.featureGates,
          })
        : null,
      memoryManagerCheckpoint: node.memoryPolicy
        ? writeMemoryCheckpoint(node.memoryPolicy.state, {
            version: cfg.kubernetesVersion,
            gates: cfg.featureGates,
          })
        : null,
    },
  };
  if (metrics) doc.metrics = metrics;
  return doc;
}
