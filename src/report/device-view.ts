import { compareBytewise, type Machine, machineNUMANodes } from "../machine/index.js";
import { shortDeviceIds } from "./device-text.js";

/*
 * Device-plugin devices in the picture's terms: which NUMA node box each device goes in, a short
 * label, and who holds it. Like the memory bars, the picture works from the machine alone (every
 * device free and as the machine file reports it) when the state says nothing about devices.
 */

/** One device as a node's Device Manager knows it (the picture's input). */
export interface DeviceState {
  resource: string;
  id: string;
  /** The plugin's `TopologyInfo` (null: none sent). */
  numaNodes: readonly number[] | null;
  healthy: boolean;
  /** In the Device Manager's in-use set. */
  inUse: boolean;
  /** Containers recorded as holding it. */
  holders: readonly { podUID: string; container: string }[];
}

export type DeviceOwnerKind = "free" | "held" | "in-use";

/**
 * Who has a device: nobody (`free`, maybe unhealthy), a pod of the view (`held`), or nobody the
 * view knows although the Device Manager counts it in use (`in-use`: a removed or rejected pod's,
 * released at the next purge).
 */
export type DeviceOwner =
  | { kind: "free" }
  | { kind: "held"; pod: string; containers: string[] }
  | { kind: "in-use" };

export interface DeviceView {
  resource: string;
  id: string;
  /** Short, unique within the resource (the full id is in the tooltip). */
  label: string;
  /** The machine's NUMA nodes it sits on ([] = no NUMA affinity). */
  numaNodes: number[];
  healthy: boolean;
  owner: DeviceOwner;
}

export interface DeviceViews {
  perNode: Map<number, DeviceView[]>;
  withoutNUMA: DeviceView[];
}

/** Every device of the machine, all free: what the picture shows when the state has no device data. */
export function machineDeviceStates(machine: Machine): DeviceState[] {
  return [...machine.devices.values()].flatMap((r) =>
    r.devices.map((d) => ({
      resource: r.name,
      id: d.id,
      numaNodes: d.numaNodes,
      healthy: d.healthy,
      inUse: false,
      holders: [],
    })),
  );
}

/** The longest prefix every id shares, cut after its last separator (`GPU-`, `0000:`). */
function commonPrefix(ids: readonly string[]): string {
  if (ids.length < 2) return "";
  let p = ids[0];
  for (const id of ids) while (!id.startsWith(p)) p = p.slice(0, -1);
  const cut = Math.max(p.lastIndexOf("-"), p.lastIndexOf(":"), p.lastIndexOf("_"), p.lastIndexOf("."));
  return cut < 0 ? "" : p.slice(0, cut + 1);
}

/** Picture labels per resource: what tells the devices apart, without the prefix they all share. */
function labelsOf(ids: readonly string[]): Map<string, string> {
  const prefix = commonPrefix(ids);
  const rest = ids.map((id) => id.slice(prefix.length) || id);
  const short = shortDeviceIds(rest);
  return new Map(ids.map((id, i) => [id, short.get(rest[i]) ?? id]));
}

function ownerOf(d: DeviceState, pods: ReadonlySet<string>): DeviceOwner {
  const holders = d.holders.filter((h) => pods.has(h.podUID));
  if (holders.length > 0) {
    const pod = holders[0].podUID;
    const containers = holders.filter((h) => h.podUID === pod).map((h) => h.container);
    return { kind: "held", pod, containers };
  }
  return d.inUse || d.holders.length > 0 ? { kind: "in-use" } : { kind: "free" };
}

/** Each device in the box of every NUMA node it sits on, or in the strip of devices without NUMA affinity. */
export function deviceViews(
  machine: Machine,
  states: readonly DeviceState[],
  pods: ReadonlySet<string>,
): DeviceViews {
  const nodes = machineNUMANodes(machine);
  const known = new Set(nodes);
  const perNode = new Map<number, DeviceView[]>(nodes.map((n) => [n, []]));
  const withoutNUMA: DeviceView[] = [];
  const byResource = new Map<string, DeviceState[]>();
  for (const d of states) {
    const list = byResource.get(d.resource) ?? [];
    list.push(d);
    byResource.set(d.resource, list);
  }
  for (const resource of [...byResource.keys()].sort(compareBytewise)) {
    const list = byResource.get(resource)!.sort((a, b) => compareBytewise(a.id, b.id));
    const labels = labelsOf(list.map((d) => d.id));
    for (const d of list) {
      const numaNodes = (d.numaNodes ?? []).filter((n) => known.has(n)).sort((a, b) => a - b);
      const view: DeviceView = {
        resource,
        id: d.id,
        label: labels.get(d.id) ?? d.id,
        numaNodes,
        healthy: d.healthy,
        owner: ownerOf(d, pods),
      };
      if (numaNodes.length === 0) withoutNUMA.push(view);
      for (const n of numaNodes) perNode.get(n)!.push(view);
    }
  }
  return { perNode, withoutNUMA };
}
