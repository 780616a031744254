import { ManagerError } from "../../core/index.js";
import { goQuote } from "../topology/index.js";

/*
 * The Device Manager's error texts, worded as the kubelet words them. They carry no kubelet error
 * type, so admission turns them into `UnexpectedAdmissionError` / `Allocate failed due to …`.
 */

/** `devicesToAllocate`: a container already holds a different number of devices (Go `%q` quoting). */
export function changedRequestError(
  podUID: string,
  container: string,
  resource: string,
  held: number,
  required: number,
): ManagerError {
  return new ManagerError(
    `pod ${goQuote(podUID)} container ${goQuote(container)} changed request for resource ${goQuote(resource)} from ${held} to ${required}`,
  );
}

/**
 * OPEN DM-4 (device-manager.md §14): released kubelets reject with `UnexpectedAdmissionError`;
 * the proposed `DeviceNotReady` type (kubernetes/kubernetes#139959) is not modelled in any version.
 */
export function unregisteredDeviceError(resource: string): ManagerError {
  return new ManagerError(`cannot allocate unregistered device ${resource}`);
}

export function noHealthyDevicesError(resource: string): ManagerError {
  return new ManagerError(`no healthy devices present; cannot allocate unhealthy devices ${resource}`);
}

export function unhealthyHeldDevicesError(resource: string): ManagerError {
  return new ManagerError(
    `previously allocated devices are no longer healthy; cannot allocate unhealthy devices ${resource}`,
  );
}

export function devicesUnavailableError(resource: string, needed: number, available: number): ManagerError {
  return new ManagerError(
    `requested number of devices unavailable for ${resource}. Requested: ${needed}, Available: ${available}`,
  );
}

/** Kept for fidelity: the kubelet's availability check makes it unreachable. */
export function allocatedLessError(required: number, got: number): ManagerError {
  return new ManagerError(
    `unexpectedly allocated less resources than required. Requested: ${required}, Got: ${got}`,
  );
}

/** Container start: the plugin wants `PreStartContainer` but the container holds no devices. */
export function noDevicesInCacheError(podUID: string, container: string, resource: string): ManagerError {
  return new ManagerError(
    `no devices found allocated in local cache for pod ${podUID}, container ${container}, resource ${resource}`,
  );
}

/** Container start: a device plugin resource without a plugin endpoint. */
export function endpointNotFoundError(resource: string): ManagerError {
  return new ManagerError(`endpoint not found in cache for a registered resource: ${resource}`);
}
