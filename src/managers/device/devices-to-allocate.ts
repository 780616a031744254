import type { ManagerError } from "../../core/index.js";
import type { TopologyHint } from "../topology/index.js";
import { filterByAffinity } from "./affinity.js";
import {
  allocatedLessError,
  changedRequestError,
  devicesUnavailableError,
  noHealthyDevicesError,
  unhealthyHeldDevicesError,
  unregisteredDeviceError,
} from "./errors.js";
import { pickDevices } from "./pick.js";
import { containerDeviceIDs, sortedIDs } from "./pod-devices.js";
import { callGetPreferredAllocation, type PreferredAllocationCall } from "./preferred-allocation.js";
import type { DeviceRegistry } from "./registry.js";
import type { PodDevices } from "./state.js";

/**
 * One `devicesToAllocate` call as reports (the simulation document's `DeviceAllocationDoc`) and
 * the conformance data show it. `fixed` and `choose` say what any kubelet could have chosen.
 */
export interface DeviceAllocationCall {
  container: string;
  resource: string;
  required: number;
  error: string | null;
  /**
   * The devices chosen, ascending; null on error and when the container already holds its
   * devices (no work); an empty list for a zero request.
   */
  devices: string[] | null;
  /** Devices of groups taken entirely: any kubelet would choose them. */
  fixed: string[];
  /**
   * The last group that offered more than was still needed: `count` of `from` (which ones is the
   * kubelet's free choice).
   */
  choose: { from: string[]; count: number } | null;
  /** The plugin's `GetPreferredAllocation` calls. */
  preferredCalls: PreferredAllocationCall[];
}

export interface DevicesToAllocateResult {
  /** The devices to hand to the plugin's `Allocate`; null when there is nothing to do. */
  devices: ReadonlySet<string> | null;
  error: ManagerError | null;
  call: DeviceAllocationCall;
}

/** The Device Manager state `devicesToAllocate` reads and updates. */
export interface AllocationState {
  registry: DeviceRegistry;
  podDevices: PodDevices;
  /** Updated in place: a chosen device is in use at once, before the plugin's `Allocate` returns. */
  allocatedDevices: Map<string, Set<string>>;
  hint: TopologyHint;
}

function union(a: ReadonlySet<string>, b: ReadonlySet<string>): Set<string> {
  const out = new Set(a);
  for (const x of b) out.add(x);
  return out;
}

function intersection(a: ReadonlySet<string>, b: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (const x of a) if (b.has(x)) out.add(x);
  return out;
}

/** What one `devicesToAllocate` call asks for: a container's devices of one resource. */
export type DevicesToAllocateArgs = [
  podUID: string,
  container: string,
  resource: string,
  required: number,
  /** The pod's reusable devices of the resource (devicesToReuse). */
  reusable: ReadonlySet<string>,
];

/**
 * `devicesToAllocate` (device-manager.md §5.3): the registration and health checks first (so a
 * zero request and a re-admitted container are checked too), then devices group by group:
 * reusable ones, those aligned with the stored hint (the plugin's preference first when it has a
 * choice), and only when those are not enough the plugin's preference among all available
 * devices, then the unaligned ones, then those without NUMA information. The kubelet's step that
 * returns early after a kubelet restart needs sources that are not ready; podpin's always are.
 */
export function devicesToAllocate(
  state: AllocationState,
  ...[podUID, container, resource, required, reusable]: DevicesToAllocateArgs
): DevicesToAllocateResult {
  const call: DeviceAllocationCall = {
    container,
    resource,
    required,
    error: null,
    devices: null,
    fixed: [],
    choose: null,
    preferredCalls: [],
  };
  const chosen = new Set<string>();
  const fail = (error: ManagerError): DevicesToAllocateResult => {
    call.error = error.message;
    call.fixed = sortedIDs(call.fixed);
    return { devices: null, error, call };
  };
  const done = (): DevicesToAllocateResult => {
    call.fixed = sortedIDs(call.fixed);
    call.devices = sortedIDs(chosen);
    return { devices: chosen, error: null, call };
  };

  let needed = required;
  const held = containerDeviceIDs(state.podDevices, podUID, container, resource);
  if (held !== null) {
    needed = required - held.size;
    if (needed !== 0) return fail(changedRequestError(podUID, container, resource, held.size, required));
  }
  const healthy = state.registry.healthy(resource);
  if (healthy === null) return fail(unregisteredDeviceError(resource));
  if (healthy.size === 0) return fail(noHealthyDevicesError(resource));
  if (held !== null && [...held].some((id) => !healthy.has(id)))
    return fail(unhealthyHeldDevicesError(resource));
  if (needed === 0) {
    call.devices = required === 0 ? [] : null;
    return { devices: null, error: null, call };
  }

  /** `allocateRemainingFrom`: true once nothing more is needed. */
  const takeFrom = (group: Iterable<string>): boolean => {
    let inUse = state.allocatedDevices.get(resource);
    if (!inUse) state.allocatedDevices.set(resource, (inUse = new Set()));
    const candidates = [...new Set(group)].filter((id) => !chosen.has(id));
    if (candidates.length === 0) return false;
    let taken = candidates;
    if (candidates.length > needed) {
      call.choose = { from: sortedIDs(candidates), count: needed };
      taken = pickDevices(candidates, needed);
    } else {
      call.fixed.push(...candidates);
    }
    for (const id of taken) {
      inUse.add(id);
      chosen.add(id);
    }
    needed -= taken.length;
    return needed === 0;
  };

  if (takeFrom(reusable)) return done();

  const inUse = state.allocatedDevices.get(resource) ?? new Set<string>();
  const available = new Set([...healthy].filter((id) => !inUse.has(id)));
  if (available.size < needed) return fail(devicesUnavailableError(resource, needed, available.size));

  const { aligned, unaligned, noAffinity } = filterByAffinity(
    available,
    state.hint,
    state.registry.hasTopologyAlignment(resource),
    (id) => state.registry.numaNodesOf(resource, id),
  );
  // A registered resource always has its plugin here.
  const plugin = state.registry.plugin(resource)!;
  /** The plugin's preference among `group` and the devices chosen so far, within `group`. */
  const preferredIn = (group: ReadonlySet<string>): Set<string> =>
    intersection(
      callGetPreferredAllocation(plugin, union(group, chosen), chosen, required, call.preferredCalls),
      group,
    );

  if (needed < aligned.size) {
    if (takeFrom(preferredIn(aligned))) return done();
    if (takeFrom(aligned)) return done();
    return fail(allocatedLessError(required, required - needed));
  }

  if (takeFrom(aligned)) return done();
  if (takeFrom(preferredIn(available))) return done();
  if (takeFrom(unaligned)) return done();
  if (takeFrom(noAffinity)) return done();
  return fail(allocatedLessError(required, required - needed));
}
