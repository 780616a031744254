import type { TopologyManagerPolicyName } from "./types.js";
import { breakdownText, countsOf, type ResourceSnapshot } from "./explain-devices.js";

/*
 * Device Manager errors in plain words. The kubelet's texts are fixed strings (device-manager
 * errors carry no type), so they are recognised by their wording and explained from the device
 * state at the moment of the failing call.
 */

export interface DeviceErrorContext {
  policy: TopologyManagerPolicyName;
  /** The call ran at container creation on the pod-level path (nothing was reserved at admission). */
  atContainerStart: boolean;
  /** The resource's devices report no NUMA node, so its hints said nothing about the shortage. */
  hasTopology: boolean;
}

function whyHintsMissedIt(ctx: DeviceErrorContext): string {
  if (ctx.atContainerStart)
    return "; on the pod-level path devices are not reserved at admission, so what the pod hint counted may be gone by container creation";
  if (ctx.policy === "none")
    return "; topologyManagerPolicy none asks no hints, so nothing checked the devices before Allocate";
  if (!ctx.hasTopology)
    return "; no device of the resource reports a NUMA node, so its hints state no preference and nothing checked the count before Allocate";
  if (ctx.policy === "best-effort")
    return "; best-effort admits even when the device hints are [] (cannot be satisfied) and leaves the check to Allocate";
  return "";
}

/** One sentence on a Device Manager error, or null for a text podpin does not know. */
export function explainDeviceError(
  error: string,
  resource: string,
  r: ResourceSnapshot | undefined,
  ctx: DeviceErrorContext,
): string | null {
  const c = r ? countsOf(r) : null;
  if (error.startsWith("requested number of devices unavailable for ")) {
    const state = c ? ` (the resource has ${breakdownText(c)})` : "";
    return `${resource}: fewer healthy free devices than the container needs${state}${whyHintsMissedIt(ctx)}`;
  }
  if (error.startsWith("no healthy devices present;"))
    return `${resource}: the plugin reports ${c ? `${c.total} device${c.total === 1 ? "" : "s"}` : "devices"} and none is healthy; the kubelet then refuses any container that names the resource, even with a limit of 0`;
  if (error.startsWith("previously allocated devices are no longer healthy;"))
    return `${resource}: the container already holds devices that the plugin now reports unhealthy (a re-admission of a running container)`;
  if (error.startsWith("cannot allocate unregistered device "))
    return `${resource}: no device plugin is registered for it; only stored allocations know the name (for example after a kubelet restart, before the plugin registers again)`;
  if (error.includes(" changed request for resource "))
    return `${resource}: the container already holds a different number of devices than it now asks for (a re-admission with a changed limit)`;
  if (error.startsWith("no devices found allocated in local cache for pod "))
    return `${resource}: the plugin asks for PreStartContainer, and the container holds no devices when it is created: on the pod-level path nothing was allocated at admission`;
  if (error.startsWith("endpoint not found in cache for a registered resource: "))
    return `${resource}: the resource is registered but its plugin has no endpoint`;
  return null;
}
