/*
 * The PodResources v1 messages (proto/podresources/v1/api.proto) as podpin builds them, with the
 * proto's field names. Values are exact: CPU and NUMA ids are numbers, memory sizes bigints (the
 * wire type is uint64). An absent optional member is a field the server leaves unset.
 */

export interface NUMANode {
  ID: number;
}

export interface TopologyInfo {
  nodes: NUMANode[];
}

/** An amount of one memory type (`memory`, `hugepages-2Mi`, ...) in bytes on the topology's NUMA nodes. */
export interface ContainerMemory {
  memory_type: string;
  size: bigint;
  topology: TopologyInfo;
}

/** Devices of one device-plugin resource; no `topology` when the plugin reported none. */
export interface ContainerDevices {
  resource_name: string;
  device_ids: string[];
  topology?: TopologyInfo;
}

export interface CDIDevice {
  name: string;
}

export interface ClaimResource {
  cdi_devices: CDIDevice[];
  driver_name: string;
  pool_name: string;
  device_name: string;
  share_id?: string;
}

/** A DRA claim's devices; podpin has no DRA, so no container ever lists one. */
export interface DynamicResource {
  claim_name: string;
  claim_namespace: string;
  claim_resources: ClaimResource[];
}

export interface ContainerResources {
  name: string;
  devices: ContainerDevices[];
  cpu_ids: number[];
  memory: ContainerMemory[];
  dynamic_resources: DynamicResource[];
}

/**
 * One pod. `cpu_ids` and `memory` are the pod-level fields of Kubernetes 1.37: present (possibly
 * empty) in 1.37 mode, absent in 1.36 mode, whose messages do not have them.
 */
export interface PodResources {
  name: string;
  namespace: string;
  containers: ContainerResources[];
  cpu_ids?: number[];
  memory?: ContainerMemory[];
}

export interface ListPodResourcesResponse {
  pod_resources: PodResources[];
}

export interface GetPodResourcesRequest {
  pod_name: string;
  pod_namespace: string;
}

export interface GetPodResourcesResponse {
  pod_resources: PodResources;
}

export interface AllocatableResourcesResponse {
  devices: ContainerDevices[];
  cpu_ids: number[];
  memory: ContainerMemory[];
}
