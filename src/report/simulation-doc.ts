import { writeCPUCheckpoint, writeDeviceCheckpoint, writeMemoryCheckpoint } from "../checkpoint/index.js";
import type { MemoryBlock } from "../managers/memory/index.js";
import { type Machine, machineNUMANodes, machineToDocument } from "../machine/index.js";
import type { AdmissionResult, ContainerDecision, Node, PodCgroup, SimulationStep } from "../node/index.js";
import {
  allocationDoc,
  assignmentDocs,
  type DeferredDevicesDoc,
  type DeviceAllocationDoc,
  type DeviceAssignmentDoc,
  type DevicePoolDoc,
  type DeviceResourceDoc,
  deferredDocs,
  nodeDevicesDoc,
  type PodRefDoc,
  type PodRefLookup,
  type UpdateDevicesStepDoc,
  updateDevicesDoc,
} from "./device-doc.js";

import { type NodeConfigDoc, nodeConfigDoc } from "./node-config-doc.js";
import {
  type NodeAllocatableDoc,
  nodeAllocatableDoc,
  type PredicateDoc,
  podRefDocs,
  predicateDoc,
} from "./predicate-doc.js";

export type { PodRefDoc } from "./device-doc.js";

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

export function blockDocs(b: readonly MemoryBlock[] | null): BlockDoc[] | null {
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
  /** Device-plugin devices the container holds, by resource name ascending ([] when none). */
  devices: DeviceAssignmentDoc[];
  /** Pod-level pods: the error of the device allocation at container creation (the container would not start). */
  deviceError: string | null;
}

export interface PodCgroupDoc {
  cpuShares: number;
  cpuQuotaUs: number | null;
  cpuPeriodUs: number;
  memoryLimitBytes: JSONInteger | null;
  hugepageLimitsBytes: Record<string, JSONInteger>;
  /** The pod quota the documentation describes, when it differs (pod-level.md PL-1). */
  documentedCpuQuotaUs: number | null;
}

export function podCgroupDoc(c: PodCgroup): PodCgroupDoc {
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
  /** The admit handler that refused the pod (`topology` or `predicate`); null when admitted. */
  rejectedBy: AdmissionResult["rejectedBy"];
  /** The predicate handler's verdict and details; null when the Topology Manager refused first. */
  predicate: PredicateDoc | null;
  /** Pods evicted to admit this critical pod ([] otherwise). */
  preempted: PodRefDoc[];
  /** Every device choice the Device Manager made during the admission, in call order. */
  deviceAllocations: DeviceAllocationDoc[];
  /**
   * Pod-level path only: no device is reserved at admission; each container's devices are chosen
   * when it is created (simulated right after admission). Null on every other path.
   */
  deferredDevices: DeferredDevicesDoc[] | null;
  /** What the kubelet accepts silently but a user should know (extended resources no device plugin serves). */
  warnings: string[];
}

export interface RemoveStepDoc {
  op: "remove";
  target: string;
  pod: PodRefDoc;
  removed: boolean;
  defaultCpuSet: string;
  /** Devices the removed pod held: still in use until the Device Manager's next purge. */
  devicesPendingRelease: Record<string, string[]>;
}

export interface NUMANodeDoc {
  id: number;
  cpus: string;
  /** CPUs of this node still free for exclusive use (default set minus reserved). */
  freeCpus: string;
  /** resource -> bytes, from the Memory Manager's machine state (absent with policy `None`). */
  memory: Record<string, { allocatable: JSONInteger; reserved: JSONInteger; free: JSONInteger }> | null;
  /** resource -> the device-plugin devices that list this node ({} when none do). */
  devices: Record<string, DevicePoolDoc>;
}

export interface NodeDoc {
  defaultCpuSet: string;
  reservedCpus: string;
  numaNodes: NUMANodeDoc[];
  /** resource -> devices whose plugin gave no NUMA node the machine has. */
  devicesWithoutNUMA: Record<string, DevicePoolDoc>;
  /** resource -> the Device Manager's in-use ids (allocatedDevices), stale holders included until the next purge. */
  devicesInUse: Record<string, string[]>;
  /** Every device-plugin resource of the node. */
  deviceResources: DeviceResourceDoc[];
  /** The node object: capacity, allocatable, and what the admitted pods request of it. */
  allocatable: NodeAllocatableDoc;
}

export interface SimulationDoc {
  apiVersion: typeof SIMULATION_API_VERSION;
  kind: "Simulation";
  kubernetesVersion: string;
  machine: {
    name: string;
    cpus: number;
    sockets: number;
    numaNodes: number;
    /**
     * The machine as a machine file (docs/machine-format.md) that loads back to it, with the device
     * plugins' device lists as they stand after the last step: what `explain --state` runs on.
     */
    definition: Record<string, unknown>;
  };
  kubelet: {
    cpuManagerPolicy: string;
    memoryManagerPolicy: string;
    topologyManagerPolicy: string;
    topologyManagerScope: string;
    featureGates: Record<string, boolean>;
    reservedCpus: string;
    /** Where the configuration came from: the `-c` file, the kubelet flags' file, or null for the kubelet's defaults. */
    source: string | null;
    /** Every setting the engine decided with: what `explain --state` restores. */
    nodeConfig: NodeConfigDoc;
  };
  steps: (AdmitStepDoc | RemoveStepDoc | UpdateDevicesStepDoc)[];
  node: NodeDoc;
  /**
   * The kubelet's checkpoint files after the run, byte for byte as the configured version writes
   * them (`podpin explain --state` reads them back); null when the manager's policy is off.
   */
  state: {
    cpuManagerCheckpoint: string | null;
    memoryManagerCheckpoint: string | null;
    /** `device-plugins/kubelet_internal_checkpoint`: the Device Manager's records and each resource's healthy devices. */
    deviceManagerCheckpoint: string;
  };
  metrics?: Record<string, number>;
}

/** One container's decisions, as an admit step and the agent's pod status both show them. */
export function containerDoc(c: ContainerDecision): ContainerDoc {
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
    memory: blockDocs(c.memory),
    cfsQuotaUs: c.cfsQuotaUs,
    devices: assignmentDocs(c.devices),
    deviceError: c.deviceError,
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
    podMemory: blockDocs(r.podDecision?.memory ?? null),
    podCgroup: r.podDecision ? podCgroupDoc(r.podDecision.cgroup) : null,
    containers: r.containers ? r.containers.map(containerDoc) : null,
    defaultCpuSet: r.defaultCpuSet.toString(),
    leftoverState: r.leftoverState,
    rejectedBy: r.rejectedBy,
    predicate: r.predicate ? predicateDoc(r.predicate) : null,
    preempted: podRefDocs(r.preempted),
    deviceAllocations: r.deviceAllocations.map(allocationDoc),
    deferredDevices: deferredDocs(r.deferredDevices),
    warnings: [...r.warnings],
  };
}

/** Per NUMA node: its CPUs, the CPUs still free for exclusive use, memory and devices per resource. */
export function numaNodeDocs(
  node: Node,
  machine: Machine,
  devices: ReadonlyMap<number, Record<string, DevicePoolDoc>> = nodeDevicesDoc(node, () => null).perNUMANode,
): NUMANodeDoc[] {
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
      devices: devices.get(id) ?? {},
    };
  });
}

/** Each resource's healthy devices: the `RegisteredDevices` the kubelet checkpoints. */
function healthyDevices(node: Node): Map<string, string[]> {
  return new Map(
    [...node.deviceResources()]
      .filter(([, r]) => r.registered)
      .map(([name, r]) => [name, r.devices.filter((d) => d.healthy).map((d) => d.id)]),
  );
}

/** Pod refs from the steps, for holders that are no longer admitted. */
function refsFromSteps(steps: readonly SimulationStep[]): PodRefLookup {
  const refs = new Map<string, PodRefDoc>();
  for (const s of steps)
    if (s.op === "admit" || (s.op === "remove" && s.result.removed)) {
      const p = s.result.pod;
      refs.set(p.uid, { namespace: p.namespace, name: p.name, uid: p.uid });
    }
  return (uid) => refs.get(uid) ?? null;
}

/** The node section: CPUs, memory and devices per NUMA node, devices without NUMA node, in-use sets. */
export function nodeDoc(node: Node, lookup: PodRefLookup = () => null): NodeDoc {
  const devices = nodeDevicesDoc(node, lookup);
  return {
    defaultCpuSet: node.defaultCpuSet().toString(),
    reservedCpus: node.reservedCPUs().toString(),
    numaNodes: numaNodeDocs(node, node.machine, devices.perNUMANode),
    devicesWithoutNUMA: devices.withoutNUMA,
    devicesInUse: devices.inUse,
    deviceResources: devices.resources,
    allocatable: nodeAllocatableDoc(node),
  };
}

/** What the simulation was built from, beyond the node itself. */
export interface SimulationInputs {
  /** The configuration's source (`KubeletConfig.source`); null or absent for the kubelet's defaults. */
  configSource?: string | null;
}

export function simulationDoc(
  node: Node,
  steps: readonly SimulationStep[],
  metrics?: Record<string, number>,
  inputs: SimulationInputs = {},
): SimulationDoc {
  const machine = node.machine;
  const cfg = node.config;
  const lookup = refsFromSteps(steps);
  const doc: SimulationDoc = {
    apiVersion: SIMULATION_API_VERSION,
    kind: "Simulation",
    kubernetesVersion: cfg.kubernetesVersion,
    machine: {
      name: machine.name,
      cpus: machine.topology.all.size,
      sockets: machine.topology.sockets().length,
      numaNodes: machineNUMANodes(machine).length,
      definition: machineToDocument({ ...machine, devices: node.deviceResources() }),
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
      source: inputs.configSource ?? null,
      nodeConfig: nodeConfigDoc(cfg),
    },
    steps: steps.map((s): AdmitStepDoc | RemoveStepDoc | UpdateDevicesStepDoc => {
      if (s.op === "admit") return admitStepDoc(s.result);
      if (s.op === "updateDevices") return updateDevicesDoc(s.result, lookup);
      return {
        op: "remove",
        target: s.target,
        pod: { namespace: s.result.pod.namespace, name: s.result.pod.name, uid: s.result.pod.uid },
        removed: s.result.removed,
        defaultCpuSet: s.result.defaultCpuSet.toString(),
        devicesPendingRelease: Object.fromEntries(s.devicesPendingRelease),
      };
    }),
    node: nodeDoc(node, lookup),
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
      // The kubelet always runs the Device Manager and writes its file, devices or not.
      deviceManagerCheckpoint: writeDeviceCheckpoint(node.deviceManager.stateData(), healthyDevices(node)),
    },
  };
  if (metrics) doc.metrics = metrics;
  return doc;
}
