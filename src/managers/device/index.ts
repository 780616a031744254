/**
 * The Device Manager: the devices that device plugins advertise as extended resources, their
 * topology hints, the aligned choice at `Allocate`, init-container reuse, the stale-pod purge and
 * the deferred allocation of pod-level pods. The first hint provider of the Topology Manager.
 */
export {
  type ActivePodsFunc,
  type DeferredContainerStart,
  DeviceManager,
  type DeviceManagerOptions,
  type HeldDevice,
} from "./manager.js";
export { type AffinityGroups, filterByAffinity } from "./affinity.js";
export {
  type AllocationState,
  type DeviceAllocationCall,
  type DevicesToAllocateResult,
  devicesToAllocate,
} from "./devices-to-allocate.js";
export { generateDeviceTopologyHints } from "./hints.js";
export { type DeviceHintInput, generateDeviceTopologyHintsReference } from "./hints.reference.js";
export { type DeviceHintSettings, deviceHintSettings } from "./hints-settings.js";
export { pickDevices } from "./pick.js";
export {
  callGetPreferredAllocation,
  type PreferredAllocationCall,
  preferredAllocationAnswer,
} from "./preferred-allocation.js";
export { type DeviceCapacity, DeviceRegistry } from "./registry.js";
export {
  containerDeviceRequest,
  type DeviceRequest,
  deviceCount,
  type IsDevicePluginResource,
  podDeviceRequest,
} from "./requests.js";
export { EMPTY_ALLOCATE_RESPONSE, groupByNUMA } from "./pod-devices.js";
export {
  type ContainerDeviceRecord,
  type DevicesPerNUMA,
  type DeviceStateData,
  NO_NUMA_NODE,
  type PodDevices,
  recordDeviceIDs,
} from "./state.js";
