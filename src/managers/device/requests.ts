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

/** The request of a pod or container that names no device plugin resource (shared: it is read-only). */
const NO_DEVICES: DeviceRequest = new Map();

function filtered(list: ResourceList, isDevicePluginResource: IsDevicePluginResource): DeviceRequest {
  let out: [string, number][] | null = null;
  // Resource lists are plain records: `for…in` walks their own names without a key array, and
  // most lists name no device plugin resource at all.
  for (const name in list) {
    if (isDevicePluginResource(name)) (out ??= []).push([name, deviceCount(list[name])]);
  }
  if (out === null) return NO_DEVICES;
  return new Map(out.length > 1 ? out.sort(([a], [b]) => compareBytewise(a, b)) : out);
}

/** Whether a container's limits name a device plugin resource (the aggregate's names are theirs). */
function namesDevices(
  containers: readonly Container[],
  isDevicePluginResource: IsDevicePluginResource,
): boolean {
  for (const c of containers) {
    const limits = c.resources?.limits;
    if (limits) for (const name in limits) if (isDevicePluginResource(name)) return true;
  }
  return false;
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
  // The aggregate's names are those of the containers' limits: a pod whose containers name no
  // device plugin resource has nothing to aggregate (most pods, and every admission asks).
  if (
    !namesDevices(pod.containers, isDevicePluginResource) &&
    !namesDevices(pod.initContainers, isDevicePluginResource)
  )
    return NO_DEVICES;
  return filtered(aggregateContainerLimits(pod), isDevicePluginResource);
}
