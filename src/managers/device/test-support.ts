import { Quantity } from "../../core/index.js";
import type { Container, Pod, ResourceList } from "../../k8s/index.js";
import {
  type DevicePluginModel,
  type DeviceResource,
  type DeviceResources,
  type DeviceSpec,
  NO_PLUGIN_OPTIONS,
  sortedDeviceResources,
} from "../../machine/index.js";
import { type AffinityStore, maskOf, type TopologyHint } from "../topology/index.js";
import { DeviceManager, type DeviceManagerOptions } from "./manager.js";

/** Builders shared by the Device Manager's tests. Test-only: nothing in the engine imports this file. */

/** `[id, numaNodes]` or `[id, numaNodes, healthy]`. */
export type DeviceRow = readonly [string, readonly number[] | null, boolean?];

export function devices(rows: readonly DeviceRow[]): DeviceSpec[] {
  return rows.map(([id, numaNodes, healthy]) => ({ id, numaNodes, healthy: healthy ?? true }));
}

export function resource(
  name: string,
  rows: readonly DeviceRow[],
  plugin: Partial<DevicePluginModel> = {},
  registered = true,
): DeviceResource {
  return { name, registered, devices: devices(rows), plugin: { ...NO_PLUGIN_OPTIONS, ...plugin } };
}

export function machineDevices(...list: DeviceResource[]): DeviceResources {
  return sortedDeviceResources(list);
}

export function limits(list: Record<string, string>): ResourceList {
  return Object.fromEntries(Object.entries(list).map(([k, v]) => [k, Quantity.parse(v)]));
}

/** A container with only limits (the API server defaults requests from them). */
export function container(name: string, list: Record<string, string>, restartPolicy?: string): Container {
  const c: Container = { name, resources: { requests: limits(list), limits: limits(list) } };
  if (restartPolicy) c.restartPolicy = restartPolicy;
  return c;
}

export function pod(uid: string, containers: Container[], initContainers: Container[] = []): Pod {
  return { uid, name: uid, namespace: "default", initContainers, containers, resources: null };
}

export function hint(nodes: number[] | null, preferred = true): TopologyHint {
  return { affinity: nodes === null ? null : maskOf(...nodes), preferred };
}

/** An affinity store the test writes to, as the Topology Manager would. */
export class TestAffinity implements AffinityStore {
  readonly hints = new Map<string, TopologyHint>();
  fallback: TopologyHint = { affinity: null, preferred: false };
  set(podUID: string, container: string, h: TopologyHint): void {
    this.hints.set(`${podUID}/${container}`, h);
  }
  getAffinity(podUID: string, container: string): TopologyHint {
    return this.hints.get(`${podUID}/${container}`) ?? this.fallback;
  }
}

/** A manager whose active pods the test sets by UID. */
export function testManager(
  resources: DeviceResources,
  numaNodes: number[],
  extra: Partial<DeviceManagerOptions> = {},
): { manager: DeviceManager; active: Set<string>; affinity: TestAffinity } {
  const active = new Set<string>();
  const affinity = new TestAffinity();
  const manager = new DeviceManager({
    resources,
    numaNodes,
    activePods: () => [...active].map((uid) => ({ uid })),
    affinity,
    ...extra,
  });
  return { manager, active, affinity };
}

/** Hints as `[[nodes], preferred]` rows, easy to read in assertions. */
export function hintRows(
  list: readonly TopologyHint[] | null | undefined,
): [number[] | null, boolean][] | null {
  if (!list) return null;
  return list.map((h) => [h.affinity === null ? null : bitsOf(h.affinity), h.preferred]);
}

function bitsOf(m: bigint): number[] {
  const out: number[] = [];
  for (let i = 0; i < 64; i++) if ((m >> BigInt(i)) & 1n) out.push(i);
  return out;
}
