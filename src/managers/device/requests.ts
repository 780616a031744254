import type { Quantity } from "../../core/index.js";
import { aggregateContainerLimits, type Container, type Pod, type ResourceList } from "../../k8s/index.js";
import { compareBytewise } from "../../machine/index.js";

/** Resource name -> number of devices, names ascending (the order `Allocate` handles them in). */
export type DeviceRequest = ReadonlyMap<string, number>;

/**
 * `isDevicePluginResource`: registered, or known from an allocatedDevices entry.
 * OPEN DM-5 (device-manager.md §14): no DRA, so no extended resource is served by a claim instead.
 */
export type IsDevicePluginResource = (resource: string) => boolean;

/** Go `int(q.Value())`: rounded up; API validation makes device quantities whole numbers. */
export function deviceCount(q: Quantity): number {
  return Number(q.value());
}

function filtered(list: ResourceList, isDevicePluginResource: IsDevicePluginResource): DeviceRequest {
  const out: [string, number][] = [];
  for (const [name, q] of Object.entries(list)) {
    if (isDevicePluginResource(name)) out.push([name, deviceCount(q)]);
  }
  return new Map(out.sort(([a], [b]) => compareBytewise(a, b)));
}

/**
 * `getContainerDeviceRequest` (device-manager.md §3.2): the container's limits of device plugin
 * resources, zeros kept. Requests are never read (the API server makes them equal to the limits)
 * and there is no QoS check: every pod may ask for devices.
 */
export function containerDeviceRequest(
  container: Container,
  isDevicePluginResource: IsDevicePluginResource,
): DeviceRequest {
  return filtered(container.resources?.limits ?? {}, isDevicePluginResource);
}

/**
 * `getPodDeviceRequest` (§3.3): component-helpers `PodLimits` without overhead (the sidecar-aware
 * max of the long-running sum and each init container's peak), then only device plugin
 * resources. Pod-level `spec.resources` never name an extended resource, so they play no part.
 */
export function podDeviceRequest(pod: Pod, isDevicePluginResource: IsDevicePluginResource): DeviceRequest {
  return filtered(aggregateContainerLimits(pod), isDevicePluginResource);
}
