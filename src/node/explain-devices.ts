import { compareBytewise, machineNUMANodes } from "../machine/index.js";
import { containersInOrder, isSidecar, type Pod } from "../k8s/index.js";
import type { DeviceAllocationCall } from "../managers/device/index.js";
import { deviceInventory, deviceNUMANodes, isFree } from "./device-inventory.js";
import type { Node } from "./node.js";
import type { AdmissionResult } from "./types.js";

/*
 * The device state `explain` reasons with: what each resource's devices looked like when a merge
 * asked for hints or when a device allocation failed. It is rebuilt from the node before the
 * admission (after the Device Manager's purge, which every hint request runs first) and the
 * device choices the admission made up to that moment, so no engine code is instrumented.
 */

export interface SnapshotDevice {
  id: string;
  /** The machine's NUMA nodes the device sits on ([] = none usable for a hint). */
  nodes: number[];
  healthy: boolean;
  /** Healthy and not in use. */
  free: boolean;
}

export interface ResourceSnapshot {
  resource: string;
  devices: SnapshotDevice[];
  /** Devices the pod's earlier standard init containers hand on to this container (container scope). */
  reusable: string[];
  /** Some device lists a NUMA node (the kubelet's test for whether the resource gets hints at all). */
  hasTopology: boolean;
}

export type DeviceSnapshot = Map<string, ResourceSnapshot>;

/** The node's devices as the next admission's first hint request sees them (stale pods purged). */
export function snapshotOf(purged: Node): DeviceSnapshot {
  const known = new Set(machineNUMANodes(purged.machine));
  const out: DeviceSnapshot = new Map();
  for (const r of deviceInventory(purged))
    out.set(r.name, {
      resource: r.name,
      devices: r.devices.map((d) => ({
        id: d.id,
        nodes: deviceNUMANodes(d, known),
        healthy: d.healthy,
        free: isFree(d),
      })),
      reusable: [],
      hasTopology: r.devices.some((d) => d.reported && (d.numaNodes?.length ?? 0) > 0),
    });
  return out;
}

/** `before` after the devices of `calls` were chosen (each chosen device is in use at once). */
export function afterCalls(before: DeviceSnapshot, calls: readonly DeviceAllocationCall[]): DeviceSnapshot {
  const taken = new Map<string, Set<string>>();
  for (const c of calls) {
    const set = taken.get(c.resource) ?? new Set<string>();
    for (const id of c.devices ?? []) set.add(id);
    taken.set(c.resource, set);
  }
  const out: DeviceSnapshot = new Map();
  for (const [name, r] of before) {
    const t = taken.get(name);
    out.set(name, {
      ...r,
      devices: r.devices.map((d) => (t?.has(d.id) ? { ...d, free: false } : d)),
    });
  }
  return out;
}

/**
 * The state a container-scope merge for `container` saw: the devices the pod's earlier containers
 * were given are in use, and the reusable sets follow the kubelet's bookkeeping (a standard init
 * container lends all it holds; a sidecar or an app container takes what it holds out).
 */
export function snapshotForContainer(
  before: DeviceSnapshot,
  pod: Pod,
  container: string,
  result: AdmissionResult,
): DeviceSnapshot {
  const order = containersInOrder(pod);
  const index = order.findIndex((c) => c.name === container);
  const earlier = new Set(order.slice(0, Math.max(0, index)).map((c) => c.name));
  const calls = result.deviceAllocations.filter((c) => earlier.has(c.container));
  const out = afterCalls(before, calls);
  const reusable = new Map<string, Set<string>>();
  for (const c of order.slice(0, Math.max(0, index))) {
    const lends = pod.initContainers.includes(c) && !isSidecar(c);
    for (const call of calls.filter((x) => x.container === c.name)) {
      const set = reusable.get(call.resource) ?? new Set<string>();
      for (const id of call.devices ?? []) lends ? set.add(id) : set.delete(id);
      reusable.set(call.resource, set);
    }
  }
  for (const [name, ids] of reusable) {
    const r = out.get(name);
    if (r) out.set(name, { ...r, reusable: [...ids].sort(compareBytewise) });
  }
  return out;
}

export interface ResourceCounts {
  total: number;
  unhealthy: number;
  /** Healthy and in use. */
  inUse: number;
  free: number;
  /** Free devices on a NUMA node (those that can count toward a hint). */
  freeWithNUMA: number;
}

export function countsOf(r: ResourceSnapshot): ResourceCounts {
  let unhealthy = 0;
  let inUse = 0;
  let free = 0;
  let freeWithNUMA = 0;
  for (const d of r.devices) {
    if (!d.healthy) unhealthy++;
    else if (!d.free) inUse++;
    else {
      free++;
      if (d.nodes.length > 0) freeWithNUMA++;
    }
  }
  return { total: r.devices.length, unhealthy, inUse, free, freeWithNUMA };
}

/** Per NUMA node: every device listing it, and the free ones (a device on two nodes counts on both). */
export function perNode(r: ResourceSnapshot): Map<number, { total: number; free: number }> {
  const out = new Map<number, { total: number; free: number }>();
  for (const d of r.devices)
    for (const n of d.nodes) {
      const e = out.get(n) ?? { total: 0, free: 0 };
      e.total++;
      if (d.free) e.free++;
      out.set(n, e);
    }
  return new Map([...out].sort(([a], [b]) => a - b));
}

const s = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** `4 on NUMA 0, 2 on NUMA 1`, `1 per NUMA node`, `1 on each of NUMA 2,10,18,26`. */
export function distributionText(r: ResourceSnapshot, numaCount: number): string {
  const nodes = perNode(r);
  if (nodes.size === 0) return "none on any NUMA node";
  const counts = new Set([...nodes.values()].map((e) => e.total));
  if (counts.size === 1) {
    const c = [...counts][0];
    return nodes.size === numaCount
      ? `${c} per NUMA node`
      : `${c} on each of NUMA ${[...nodes.keys()].join(",")}`;
  }
  return [...nodes].map(([n, e]) => `${e.total} on NUMA ${n}`).join(", ");
}

/** `NUMA 0: 1 of 4, NUMA 1: 2 of 4` (free of all devices on the node). */
export function freeText(r: ResourceSnapshot): string {
  const nodes = perNode(r);
  if (nodes.size === 0) return "no device on a NUMA node";
  return [...nodes].map(([n, e]) => `NUMA ${n}: ${e.free} of ${e.total}`).join(", ");
}

/** `(8 in all: 1 unhealthy, 6 in use)` — the parts that are not zero. */
export function breakdownText(c: ResourceCounts): string {
  const parts: string[] = [];
  if (c.unhealthy > 0) parts.push(`${c.unhealthy} unhealthy`);
  if (c.inUse > 0) parts.push(`${c.inUse} in use`);
  return parts.length === 0 ? `${c.total} in all` : `${c.total} in all: ${parts.join(", ")}`;
}

/**
 * Why a device resource answered `[]` (the Device Manager's hint checks): too few healthy free
 * devices, or too few of them on a NUMA node.
 */
export function emptyHintText(r: ResourceSnapshot, request: number): string {
  const c = countsOf(r);
  const lent = r.reusable.length;
  const offered = c.free + lent;
  const lentText = lent > 0 ? ` (counting ${s(lent, "device")} an init container of the pod hands on)` : "";
  if (offered < request)
    return `${r.resource}: [] — only ${s(offered, "healthy free device")}${lentText}, ${request} requested (${breakdownText(c)})`;
  const withNUMA = c.freeWithNUMA + lent;
  if (withNUMA < request)
    return `${r.resource}: [] — ${s(offered, "healthy free device")}${lentText}, but only ${withNUMA} report a NUMA node and ${request} are requested (devices without NUMA information never count toward a hint)`;
  return `${r.resource}: [] — the Device Manager offers no NUMA combination for ${s(request, "device")}`;
}

/** Why a device resource offered no preferred single-NUMA-node hint. */
export function noSingleNodeText(r: ResourceSnapshot, request: number, numaCount: number): string {
  const nodes = perNode(r);
  const most = Math.max(0, ...[...nodes.values()].map((e) => e.total));
  if (most < request)
    return `${r.resource}: ${s(request, "device")} requested, ${distributionText(r, numaCount)}: no single NUMA node can hold the request under single-numa-node`;
  const mostFree = Math.max(0, ...[...nodes.values()].map((e) => e.free));
  if (mostFree < request)
    return `${r.resource}: ${s(request, "device")} requested and no NUMA node has that many healthy free devices now (free: ${freeText(r)}): no single NUMA node can hold the request under single-numa-node`;
  if (r.reusable.length > 0)
    return `${r.resource}: every hint must include the ${s(r.reusable.length, "device")} an init container of the pod hands on (${r.reusable.join(", ")}), and no single NUMA node holds them all and the request`;
  return `${r.resource}: the Device Manager offers no preferred single-NUMA-node hint for ${s(request, "device")}`;
}

/** Why a device resource offered hints but none preferred (restricted, best-effort). */
export function noPreferredText(r: ResourceSnapshot, request: number): string {
  const lent =
    r.reusable.length > 0
      ? `; every hint must also include the devices an init container of the pod hands on`
      : "";
  return `${r.resource}: no preferred hint: the narrowest NUMA sets that could hold ${s(request, "device")} when free lack that many healthy free devices now (free: ${freeText(r)})${lent}`;
}
