import type { DeviceAllocationCall, DeferredContainerStart } from "../managers/device/index.js";
import { machineNUMANodes } from "../machine/index.js";
import {
  type DeviceAssignment,
  type DeviceHolder,
  type DeviceUpdateResult,
  deviceInventory,
  deviceNUMANodes,
  type InventoryDevice,
  isFree,
  type Node,
  type PodRef,
} from "../node/index.js";

/*
 * The device parts of the simulation document (docs/output-format.md): what each container holds,
 * every device choice of an admission, the deferred choice of pod-level pods, plugin updates, and
 * the node's devices per NUMA node with their holders.
 */

export interface PodRefDoc {
  namespace: string;
  name: string;
  uid: string;
}

/** A container's devices of one resource; `numaNodes: []` = recorded without NUMA information. */
export interface DeviceAssignmentDoc {
  resource: string;
  devices: { id: string; numaNodes: number[] }[];
}

/**
 * One `devicesToAllocate` call as the Device Manager made it: the Device Manager records it in
 * document form already (`allocationDoc` copies it, so a document shares no array with the engine).
 */
export type DeviceAllocationDoc = DeviceAllocationCall;

export interface DeferredDevicesDoc {
  container: string;
  /** The container-creation error (the container would not start; the pod stays admitted). */
  error: string | null;
  devicesToAllocate: DeviceAllocationDoc[];
}

export interface DeviceHolderDoc {
  pod: PodRefDoc;
  container: string;
  /** False for a removed or rejected pod: its record stays until the Device Manager's next purge. */
  admitted: boolean;
}

/** The devices of one resource on one NUMA node (or without NUMA information). */
export interface DevicePoolDoc {
  /** Every device of the resource here, any health, ids ascending. */
  devices: string[];
  /** Healthy and not in use: what a container may be given now. */
  free: string[];
  unhealthy: string[];
  /** In use, with the containers recorded as holding them (none: chosen for an allocation that then failed). */
  held: { id: string; holders: DeviceHolderDoc[] }[];
}

export interface DeviceResourceDoc {
  resource: string;
  registered: boolean;
  /** `GetCapacity`: every device the plugin lists, and the healthy ones. */
  capacity: number;
  allocatable: number;
}

export interface UpdateDevicesStepDoc {
  op: "updateDevices";
  resource: string;
  /** The plugin's new list; `numaNodes` null = no TopologyInfo, [] = an empty one. */
  devices: { id: string; numaNodes: number[] | null; healthy: boolean }[];
  capacity: number;
  allocatable: number;
  /** The resource's in-use ids right after the update. */
  allocatedDevices: string[];
  /** Unhealthy devices containers still hold (the kubelet takes no device back). */
  unhealthyHeld: { id: string; holders: DeviceHolderDoc[] }[];
}

/** The node's devices: per NUMA node they list, those without NUMA information, the in-use sets. */
export interface NodeDevicesDoc {
  /** NUMA id -> resource -> pool; every NUMA node of the machine has an entry ({} without devices). */
  perNUMANode: Map<number, Record<string, DevicePoolDoc>>;
  withoutNUMA: Record<string, DevicePoolDoc>;
  inUse: Record<string, string[]>;
  resources: DeviceResourceDoc[];
}

/** Resolves pod refs of pods that are no longer admitted (the steps name them). */
export type PodRefLookup = (uid: string) => PodRefDoc | null;

function refDoc(p: PodRef): PodRefDoc {
  return { namespace: p.namespace, name: p.name, uid: p.uid };
}

export function holderDoc(h: DeviceHolder, lookup: PodRefLookup): DeviceHolderDoc {
  const pod = h.pod ? refDoc(h.pod) : (lookup(h.podUID) ?? { namespace: "", name: h.podUID, uid: h.podUID });
  return { pod, container: h.container, admitted: h.pod !== null };
}

export function assignmentDocs(list: readonly DeviceAssignment[]): DeviceAssignmentDoc[] {
  return list.map((a) => ({
    resource: a.resource,
    devices: a.devices.map((d) => ({ id: d.id, numaNodes: d.numaNodes.filter((n) => n >= 0) })),
  }));
}

export function allocationDoc(c: DeviceAllocationCall): DeviceAllocationDoc {
  return {
    container: c.container,
    resource: c.resource,
    required: c.required,
    error: c.error,
    devices: c.devices === null ? null : [...c.devices],
    fixed: [...c.fixed],
    choose: c.choose === null ? null : { from: [...c.choose.from], count: c.choose.count },
    preferredCalls: c.preferredCalls.map((p) => ({
      available: [...p.available],
      mustInclude: [...p.mustInclude],
      size: p.size,
    })),
  };
}

export function deferredDocs(list: readonly DeferredContainerStart[] | null): DeferredDevicesDoc[] | null {
  return list === null
    ? null
    : list.map((s) => ({
        container: s.container,
        error: s.error,
        devicesToAllocate: s.devicesToAllocate.map(allocationDoc),
      }));
}

export function updateDevicesDoc(r: DeviceUpdateResult, lookup: PodRefLookup): UpdateDevicesStepDoc {
  return {
    op: "updateDevices",
    resource: r.resource,
    devices: r.devices.map((d) => ({
      id: d.id,
      numaNodes: d.numaNodes === null ? null : [...d.numaNodes],
      healthy: d.healthy,
    })),
    capacity: r.capacity,
    allocatable: r.allocatable,
    allocatedDevices: [...r.inUse],
    unhealthyHeld: r.unhealthyHeld.map((u) => ({
      id: u.id,
      holders: u.holders.map((h) => holderDoc(h, lookup)),
    })),
  };
}

function emptyPool(): DevicePoolDoc {
  return { devices: [], free: [], unhealthy: [], held: [] };
}

function addTo(pool: DevicePoolDoc, d: InventoryDevice, lookup: PodRefLookup): void {
  pool.devices.push(d.id);
  if (isFree(d)) pool.free.push(d.id);
  if (!d.healthy) pool.unhealthy.push(d.id);
  if (d.inUse || d.holders.length > 0)
    pool.held.push({ id: d.id, holders: d.holders.map((h) => holderDoc(h, lookup)) });
}

/** The node's devices as the document reports them (a device on two NUMA nodes is listed under both). */
export function nodeDevicesDoc(node: Node, lookup: PodRefLookup): NodeDevicesDoc {
  const ids = machineNUMANodes(node.machine);
  const known = new Set(ids);
  const perNUMANode = new Map<number, Record<string, DevicePoolDoc>>(ids.map((id) => [id, {}]));
  const withoutNUMA: Record<string, DevicePoolDoc> = {};
  const inventory = deviceInventory(node);
  for (const r of inventory) {
    for (const d of r.devices) {
      const nodes = deviceNUMANodes(d, known);
      if (nodes.length === 0) {
        withoutNUMA[r.name] ??= emptyPool();
        addTo(withoutNUMA[r.name], d, lookup);
      }
      for (const n of nodes) {
        const pools = perNUMANode.get(n)!;
        pools[r.name] ??= emptyPool();
        addTo(pools[r.name], d, lookup);
      }
    }
  }
  const capacity = node.deviceManager.getCapacity();
  return {
    perNUMANode,
    withoutNUMA,
    inUse: Object.fromEntries(node.deviceManager.allocatedDeviceIDs()),
    resources: inventory.map((r) => ({
      resource: r.name,
      registered: r.registered,
      capacity: capacity.get(r.name)?.capacity ?? 0,
      allocatable: capacity.get(r.name)?.allocatable ?? 0,
    })),
  };
}
