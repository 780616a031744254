import { fileURLToPath } from "node:url";
import type { ServiceDefinition } from "@grpc/grpc-js";
import { loadSync, type Options } from "@grpc/proto-loader";
import type {
  AllocatableResourcesResponse,
  ContainerDevices,
  ContainerMemory,
  ContainerResources,
  GetPodResourcesRequest,
  ListPodResourcesResponse,
  PodResources,
  TopologyInfo,
} from "./types.js";

/*
 * The .proto and the objects protobufjs encodes. The proto lives in the package's top-level
 * proto/ folder: three levels up from this module both in src/agent/podresources/ (tsx) and in
 * dist/agent/podresources/ (tsc's output). Encoded messages leave proto3 default scalars (zero
 * NUMA ids, empty strings) unset, as the kubelet's Go marshalling does, so the bytes match too.
 */

export const PROTO_FILE = fileURLToPath(new URL("../../../proto/podresources/v1/api.proto", import.meta.url));

/** protobufjs' reading of the proto: field names as written, 64-bit integers as decimal strings. */
export const PROTO_LOADER_OPTIONS: Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: false,
  arrays: true,
  oneofs: true,
};

export const SERVICE_NAME = "v1.PodResourcesLister";

/** The PodResourcesLister service definition, from the package's proto file. */
export function podResourcesService(): ServiceDefinition {
  const definition = loadSync(PROTO_FILE, PROTO_LOADER_OPTIONS);
  const service = definition[SERVICE_NAME];
  if (!service || !("List" in service)) throw new Error(`${PROTO_FILE}: no service ${SERVICE_NAME}`);
  return service as ServiceDefinition;
}

interface WireTopology {
  nodes: { ID?: number }[];
}

interface WireMemory {
  memory_type?: string;
  size?: string;
  topology: WireTopology;
}

interface WireDevices {
  resource_name?: string;
  device_ids: string[];
  topology?: WireTopology;
}

interface WireContainer {
  name?: string;
  devices: WireDevices[];
  cpu_ids: number[];
  memory: WireMemory[];
  dynamic_resources: never[];
}

interface WirePod {
  name?: string;
  namespace?: string;
  containers: WireContainer[];
  cpu_ids?: number[];
  memory?: WireMemory[];
}

const str = (s: string): string | undefined => (s === "" ? undefined : s);

function topologyWire(t: TopologyInfo): WireTopology {
  return { nodes: t.nodes.map((n) => (n.ID === 0 ? {} : { ID: n.ID })) };
}

function memoryWire(m: ContainerMemory): WireMemory {
  return {
    memory_type: str(m.memory_type),
    size: m.size === 0n ? undefined : m.size.toString(),
    topology: topologyWire(m.topology),
  };
}

function devicesWire(d: ContainerDevices): WireDevices {
  const out: WireDevices = { resource_name: str(d.resource_name), device_ids: d.device_ids };
  if (d.topology) out.topology = topologyWire(d.topology);
  return out;
}

function containerWire(c: ContainerResources): WireContainer {
  return {
    name: str(c.name),
    devices: c.devices.map(devicesWire),
    cpu_ids: c.cpu_ids,
    memory: c.memory.map(memoryWire),
    dynamic_resources: [],
  };
}

export function podWire(p: PodResources): WirePod {
  const out: WirePod = {
    name: str(p.name),
    namespace: str(p.namespace),
    containers: p.containers.map(containerWire),
  };
  if (p.cpu_ids) out.cpu_ids = p.cpu_ids;
  if (p.memory) out.memory = p.memory.map(memoryWire);
  return out;
}

export function listWire(r: ListPodResourcesResponse): { pod_resources: WirePod[] } {
  return { pod_resources: r.pod_resources.map(podWire) };
}

export function allocatableWire(r: AllocatableResourcesResponse): {
  devices: WireDevices[];
  cpu_ids: number[];
  memory: WireMemory[];
} {
  return { devices: r.devices.map(devicesWire), cpu_ids: r.cpu_ids, memory: r.memory.map(memoryWire) };
}

/** A decoded `GetPodResourcesRequest`: unset strings are empty, as in proto3. */
export function getRequestOf(
  decoded: Partial<GetPodResourcesRequest> | null | undefined,
): GetPodResourcesRequest {
  return { pod_name: decoded?.pod_name ?? "", pod_namespace: decoded?.pod_namespace ?? "" };
}
