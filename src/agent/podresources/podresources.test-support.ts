import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { Client, credentials, type ServiceError } from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import type { KubernetesVersion } from "../../k8s/index.js";
import { type DeviceResource, type Machine, NO_PLUGIN_OPTIONS } from "../../machine/index.js";
import { BLOG_DATABASE_POD, BLOG_ML_POD } from "../../k8s/blog-pods.cases.js";
import { Node, type NodeConfig, type TopologyManagerScopeName } from "../../node/index.js";
import { machineM, podFromYaml, workedExampleConfig } from "../../node/test-support.js";
import { type PodResourcesServer, startPodResourcesServer } from "./server.js";
import type { PodResourcesSource } from "./view.js";
import { PROTO_FILE, SERVICE_NAME } from "./wire.js";

/*
 * Shared by the PodResources tests: the blog example nodes, scratch sockets, a gRPC client over
 * the socket, a raw protobuf field reader and protobuf's canonical JSON form of our responses.
 */

export const GiB = 1n << 30n;

/** Machine M with the configuration of the worked examples in `version` mode. */
export function workedExampleNode(
  version: KubernetesVersion,
  scope: TopologyManagerScopeName,
  overrides: Partial<NodeConfig> = {},
): Node {
  return new Node({
    machine: machineM(),
    config: workedExampleConfig(scope, { kubernetesVersion: version, ...overrides }),
  });
}

export const GPU = "example.com/gpu";
export const NIC = "example.com/nic";

/** Machine M with GPUs on each NUMA node (one unhealthy), NICs without and with two NUMA nodes. */
export function machineWithDevices(): Machine {
  const resource = (name: string, devices: DeviceResource["devices"], registered = true): DeviceResource => ({
    name,
    registered,
    devices,
    plugin: NO_PLUGIN_OPTIONS,
  });
  const devices = new Map<string, DeviceResource>([
    [
      GPU,
      resource(GPU, [
        { id: "gpu-c", numaNodes: [1], healthy: true },
        { id: "gpu-a", numaNodes: [0], healthy: true },
        { id: "gpu-d", numaNodes: [1], healthy: false },
        { id: "gpu-b", numaNodes: [0], healthy: true },
      ]),
    ],
    [
      NIC,
      resource(NIC, [
        { id: "nic-y", numaNodes: [0, 1], healthy: true },
        { id: "nic-x", numaNodes: null, healthy: true },
        { id: "nic-z", numaNodes: [], healthy: true },
      ]),
    ],
  ]);
  return { ...machineM(), devices };
}

/** Blog example 1 (`tightly-coupled-database`, pod scope) admitted on machine M. */
export function blogDatabaseNode(version: KubernetesVersion): Node {
  const node = workedExampleNode(version, "pod");
  const result = node.admit(podFromYaml(BLOG_DATABASE_POD));
  if (!result.admitted) throw new Error(`blog example 1 rejected: ${result.reason}: ${result.message}`);
  return node;
}

/** Blog example 2 (`ml-workload`, container scope); 1.36 needs the Memory Manager off to admit it. */
export function blogMLNode(version: KubernetesVersion): Node {
  const node = workedExampleNode(
    version,
    "container",
    version === "1.36" ? { memoryManagerPolicy: "None" } : {},
  );
  const result = node.admit(podFromYaml(BLOG_ML_POD));
  if (!result.admitted) throw new Error(`blog example 2 rejected: ${result.reason}: ${result.message}`);
  return node;
}

/** A fresh directory under the system temp dir, removed after the test. */
export async function scratchDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "podpin-podres-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A server on a scratch socket, closed after the test. */
export async function scratchServer(
  t: TestContext,
  view: () => PodResourcesSource,
  kubernetesVersion: KubernetesVersion,
): Promise<PodResourcesServer> {
  const dir = await scratchDir(t);
  const server = await startPodResourcesServer({
    socketPath: join(dir, "kubelet.sock"),
    view,
    kubernetesVersion,
  });
  t.after(() => server.close());
  return server;
}

// ---- a gRPC client over the socket ------------------------------------------------------------

/** How a failed call ended. */
export interface CallError {
  code: number;
  details: string;
}

export type CallResult<T> = { ok: true; value: T } | { ok: false; error: CallError };

/**
 * A client of the service made with @grpc/grpc-js and protobufjs from the same proto: decoded
 * messages keep only the fields that were on the wire (64-bit integers as strings, empty
 * repeated fields left out), which is protobuf's canonical JSON form.
 */
export class PodResourcesTestClient {
  private readonly client: Client;
  private readonly methods = loadSync(PROTO_FILE, {
    keepCase: true,
    longs: String,
    enums: String,
    defaults: false,
    arrays: false,
    oneofs: true,
  })[SERVICE_NAME] as unknown as Record<
    string,
    {
      path: string;
      requestSerialize: (v: object) => Buffer;
      responseDeserialize: (b: Buffer) => unknown;
    }
  >;

  constructor(socketPath: string) {
    this.client = new Client(`unix://${socketPath}`, credentials.createInsecure());
  }

  call(
    method: "List" | "Get" | "GetAllocatableResources",
    request: object = {},
  ): Promise<CallResult<unknown>> {
    const m = this.methods[method];
    return new Promise((resolve) => {
      this.client.makeUnaryRequest(
        m.path,
        m.requestSerialize,
        m.responseDeserialize,
        request,
        (err: ServiceError | null, value?: unknown) =>
          resolve(err ? { ok: false, error: { code: err.code, details: err.details } } : { ok: true, value }),
      );
    });
  }

  /** The response's bytes as they came over the wire. */
  raw(method: "List" | "Get" | "GetAllocatableResources", request: object = {}): Promise<Buffer> {
    const m = this.methods[method];
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
        m.path,
        m.requestSerialize,
        (b: Buffer) => b,
        request,
        (err: ServiceError | null, value?: Buffer) => (err || !value ? reject(err) : resolve(value)),
      );
    });
  }

  close(): void {
    this.client.close();
  }
}

// ---- raw protobuf ------------------------------------------------------------------------------

export interface RawField {
  field: number;
  /** 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32. */
  wireType: number;
  /** The payload of a length-delimited field. */
  bytes: Buffer | null;
}

function readVarint(buf: Buffer, at: number): { value: bigint; next: number } {
  let value = 0n;
  let shift = 0n;
  for (let i = at; i < buf.length; i++) {
    value |= BigInt(buf[i] & 0x7f) << shift;
    if ((buf[i] & 0x80) === 0) return { value, next: i + 1 };
    shift += 7n;
  }
  throw new Error(`truncated varint at byte ${at}`);
}

/** The top-level fields of an encoded message, in wire order. */
export function rawFields(buf: Buffer): RawField[] {
  const out: RawField[] = [];
  let at = 0;
  while (at < buf.length) {
    const key = readVarint(buf, at);
    const field = Number(key.value >> 3n);
    const wireType = Number(key.value & 7n);
    at = key.next;
    if (wireType === 0) {
      at = readVarint(buf, at).next;
      out.push({ field, wireType, bytes: null });
    } else if (wireType === 2) {
      const len = readVarint(buf, at);
      const end = len.next + Number(len.value);
      if (end > buf.length) throw new Error(`field ${field} runs past the end`);
      out.push({ field, wireType, bytes: buf.subarray(len.next, end) });
      at = end;
    } else if (wireType === 1 || wireType === 5) {
      at += wireType === 1 ? 8 : 4;
      out.push({ field, wireType, bytes: null });
    } else {
      throw new Error(`unexpected wire type ${wireType} for field ${field}`);
    }
  }
  return out;
}

/** The payloads of every occurrence of a length-delimited field. */
export function subMessages(buf: Buffer, field: number): Buffer[] {
  return rawFields(buf)
    .filter((f) => f.field === field && f.bytes !== null)
    .map((f) => f.bytes!);
}

/** The distinct field numbers present in a message, ascending. */
export function fieldNumbers(buf: Buffer): number[] {
  return [...new Set(rawFields(buf).map((f) => f.field))].sort((a, b) => a - b);
}

// ---- canonical JSON ----------------------------------------------------------------------------

export type Json = string | boolean | Json[] | { [key: string]: Json };

/**
 * A response of ours in protobuf's canonical JSON form: unset, empty repeated and default scalar
 * fields left out, 64-bit integers (every number in these messages is one) as decimal strings.
 * A set message field stays, even when empty.
 */
export function canonical(value: unknown): Json | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "bigint" || typeof value === "number")
    return value === 0 || value === 0n ? undefined : value.toString();
  if (typeof value === "string") return value === "" ? undefined : value;
  if (typeof value === "boolean") return value ? true : undefined;
  if (Array.isArray(value)) {
    if (value.length === 0) return undefined;
    return value.map((v) =>
      typeof v === "number" || typeof v === "bigint" ? v.toString() : (canonical(v) ?? {}),
    );
  }
  const out: { [key: string]: Json } = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const c = canonical(v);
    if (c !== undefined) out[k] = c;
  }
  return out;
}
