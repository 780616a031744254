import { withPlainJSON } from "../core/index.js";
import type { Pod } from "../k8s/index.js";
import { compareBytewise, type DeviceSpec } from "../machine/index.js";
import { type DeviceHolder, deviceInventory } from "./device-inventory.js";
import type { Node, RemovalResult } from "./node.js";
import type { AdmissionResult } from "./types.js";

/**
 * One event of a scripted run: admit a pod, remove an admitted one by uid, name or
 * namespace/name, or a device plugin's new device list (`ListAndWatch`: health changes, devices
 * added or gone).
 */
export type SimulationEvent =
  | { op: "admit"; pod: Pod }
  | { op: "remove"; pod: string }
  | { op: "updateDevices"; resource: string; devices: readonly DeviceSpec[] };

/** The node's device state for one resource right after a plugin's new list. */
export interface DeviceUpdateResult {
  resource: string;
  devices: DeviceSpec[];
  /** `GetCapacity`: capacity = every device of the list, allocatable = the healthy ones. */
  capacity: number;
  allocatable: number;
  /** The resource's in-use ids (allocatedDevices), ascending. */
  inUse: string[];
  /**
   * Unhealthy devices containers still hold: the kubelet takes no device back when its health
   * changes; it checks health only when a container is allocated again.
   */
  unhealthyHeld: { id: string; holders: DeviceHolder[] }[];
}

export type SimulationStep =
  | { op: "admit"; result: AdmissionResult }
  | {
      op: "remove";
      target: string;
      result: RemovalResult;
      /**
       * The devices the removed pod held, by resource: the Device Manager has no removal of its
       * own, so they stay in use until its next purge (the next hint request or device allocation).
       */
      devicesPendingRelease: Map<string, string[]>;
    }
  | { op: "updateDevices"; result: DeviceUpdateResult };

/** Finds an admitted pod by uid, `namespace/name`, or a name that is unique among admitted pods. */
export function findAdmittedPod(node: Node, ref: string): Pod | null {
  const pods = node.admittedPods();
  const byUid = pods.find((p) => p.uid === ref);
  if (byUid) return byUid;
  const byFull = pods.find((p) => `${p.namespace}/${p.name}` === ref);
  if (byFull) return byFull;
  const byName = pods.filter((p) => p.name === ref);
  return byName.length === 1 ? byName[0] : null;
}

/** Every device a pod holds, by resource (names and ids ascending). */
function podDevicesByResource(node: Node, podUID: string): Map<string, string[]> {
  const out = new Map<string, Set<string>>();
  for (const resources of node.deviceManager.podDeviceIDs(podUID).values())
    for (const [resource, ids] of resources) {
      const set = out.get(resource) ?? new Set<string>();
      for (const id of ids) set.add(id);
      out.set(resource, set);
    }
  return new Map(
    [...out.keys()].sort(compareBytewise).map((r) => [r, [...out.get(r)!].sort(compareBytewise)]),
  );
}

function updateDevices(node: Node, resource: string, devices: readonly DeviceSpec[]): DeviceUpdateResult {
  node.updateDevices(resource, devices);
  const capacity = node.deviceManager.getCapacity().get(resource) ?? { capacity: 0, allocatable: 0 };
  const inventory = deviceInventory(node).find((r) => r.name === resource);
  return {
    resource,
    devices: devices.map((d) => ({
      id: d.id,
      numaNodes: d.numaNodes === null ? null : [...d.numaNodes],
      healthy: d.healthy,
    })),
    capacity: capacity.capacity,
    allocatable: capacity.allocatable,
    inUse: node.deviceManager.allocatedDeviceIDs().get(resource) ?? [],
    unhealthyHeld: (inventory?.devices ?? [])
      .filter((d) => !d.healthy && d.holders.length > 0)
      .map((d) => ({ id: d.id, holders: d.holders })),
  };
}

/** Runs events in order on the node. Removing a pod that is not admitted is a no-op step. */
export function runSimulation(node: Node, events: readonly SimulationEvent[]): SimulationStep[] {
  // Each step prints with `JSON.stringify` as the documents do (its Map of pending devices included).
  return events
    .map((e): SimulationStep => {
      if (e.op === "admit") return { op: "admit", result: node.admit(e.pod) };
      if (e.op === "updateDevices")
        return { op: "updateDevices", result: updateDevices(node, e.resource, e.devices) };
      const pod = findAdmittedPod(node, e.pod);
      if (!pod)
        return {
          op: "remove",
          target: e.pod,
          result: {
            pod: { uid: e.pod, name: e.pod, namespace: "" },
            removed: false,
            defaultCpuSet: node.defaultCpuSet(),
          },
          devicesPendingRelease: new Map(),
        };
      const devicesPendingRelease = podDevicesByResource(node, pod.uid);
      return { op: "remove", target: e.pod, result: node.remove(pod.uid), devicesPendingRelease };
    })
    .map((step) => withPlainJSON(step));
}
