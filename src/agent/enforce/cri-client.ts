import { isAbsolute } from "node:path";
import { Client, credentials, type ServiceError, status } from "@grpc/grpc-js";
import type { MethodDefinition } from "@grpc/grpc-js";
import { criServices } from "./cri-proto.js";
import type {
  Container,
  ContainerConfig,
  ContainerFilter,
  ContainerStatusResponse,
  Image,
  LinuxContainerResources,
  PodSandbox,
  PodSandboxConfig,
  PodSandboxState,
  VersionResponse,
} from "./cri-types.js";
import { CriError, EnforceConfigError, oneLine } from "./errors.js";

/** The kubelet's default `containerRuntimeEndpoint` (containerd's socket). */
export const DEFAULT_RUNTIME_ENDPOINT = "unix:///run/containerd/containerd.sock";

/** Per-call deadline unless the caller sets one. */
export const DEFAULT_CRI_TIMEOUT_MS = 10_000;

/** The kubelet's message size limit for CRI responses (16 MiB): large nodes list many containers. */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** sun_path holds 108 bytes with the terminating NUL. */
const MAX_SOCKET_PATH = 107;

/** What the enforcer needs from a container runtime; `CriClient` is the real one, tests fake it. */
export interface CriRuntime {
  listContainers(filter?: ContainerFilter): Promise<Container[]>;
  updateContainerResources(containerId: string, linux: LinuxContainerResources): Promise<void>;
}

export interface CriClientOptions {
  /** Deadline of each call in milliseconds (default 10 s). */
  timeoutMs?: number;
}

/** Checks a `unix:///absolute/path` endpoint and returns the socket path. */
export function socketPathOf(endpoint: string): string {
  const prefix = "unix://";
  const path = endpoint.startsWith(prefix) ? endpoint.slice(prefix.length) : null;
  if (path === null || !isAbsolute(path) || path.includes("\0") || Buffer.byteLength(path) > MAX_SOCKET_PATH)
    throw new EnforceConfigError(
      `runtimeEndpoint: expected unix:///absolute/path/to/socket (at most ${MAX_SOCKET_PATH} bytes), got ${JSON.stringify(endpoint)}`,
    );
  return path;
}

const statusNames = new Map<number, string>(
  Object.entries(status)
    .filter(([, v]) => typeof v === "number")
    .map(([k, v]) => [v as number, k]),
);

function criErrorOf(method: string, endpoint: string, err: ServiceError): CriError {
  const code = statusNames.get(err.code) ?? `code ${err.code}`;
  const details = oneLine(err.details || err.message);
  return new CriError(`CRI ${method} on ${endpoint}: ${code}: ${details}`, code);
}

/**
 * A CRI `runtime.v1` client on a unix socket. Every call has a deadline and fails with a one-line
 * `CriError` naming the call, the endpoint and the gRPC status. Calls made before the runtime
 * listens fail at once (UNAVAILABLE) instead of waiting for it.
 */
export class CriClient implements CriRuntime {
  readonly endpoint: string;
  private readonly client: Client;
  private readonly timeoutMs: number;

  constructor(endpoint: string, opts: CriClientOptions = {}) {
    socketPathOf(endpoint);
    const timeoutMs = opts.timeoutMs ?? DEFAULT_CRI_TIMEOUT_MS;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
      throw new EnforceConfigError(
        `CRI timeout: expected a positive number of milliseconds, got ${timeoutMs}`,
      );
    this.endpoint = endpoint;
    this.timeoutMs = timeoutMs;
    this.client = new Client(endpoint, credentials.createInsecure(), {
      "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
      "grpc.max_send_message_length": MAX_MESSAGE_BYTES,
    });
  }

  private call<Res>(service: "runtime" | "image", method: string, request: object): Promise<Res> {
    const services = criServices();
    const def = (service === "runtime" ? services.runtime : services.image)[method] as
      | MethodDefinition<object, Res>
      | undefined;
    if (!def)
      return Promise.reject(new CriError(`CRI ${method}: not in proto/cri/v1/api.proto`, "UNIMPLEMENTED"));
    return new Promise<Res>((resolve, reject) => {
      this.client.makeUnaryRequest(
        def.path,
        def.requestSerialize,
        def.responseDeserialize,
        request,
        { deadline: Date.now() + this.timeoutMs },
        (err, value) => {
          if (err) reject(criErrorOf(method, this.endpoint, err));
          else resolve(value as Res);
        },
      );
    });
  }

  version(): Promise<VersionResponse> {
    return this.call("runtime", "Version", { version: "v1" });
  }

  async runPodSandbox(config: PodSandboxConfig, runtimeHandler = ""): Promise<string> {
    const res = await this.call<{ pod_sandbox_id: string }>("runtime", "RunPodSandbox", {
      config,
      runtime_handler: runtimeHandler,
    });
    return res.pod_sandbox_id;
  }

  async stopPodSandbox(podSandboxId: string): Promise<void> {
    await this.call("runtime", "StopPodSandbox", { pod_sandbox_id: podSandboxId });
  }

  async removePodSandbox(podSandboxId: string): Promise<void> {
    await this.call("runtime", "RemovePodSandbox", { pod_sandbox_id: podSandboxId });
  }

  async listPodSandbox(filter: { state?: PodSandboxState; label_selector?: Record<string, string> } = {}) {
    const res = await this.call<{ items: PodSandbox[] }>("runtime", "ListPodSandbox", {
      filter: {
        ...(filter.state ? { state: { state: filter.state } } : {}),
        label_selector: filter.label_selector ?? {},
      },
    });
    return res.items;
  }

  async createContainer(
    podSandboxId: string,
    config: ContainerConfig,
    sandboxConfig: PodSandboxConfig,
  ): Promise<string> {
    const res = await this.call<{ container_id: string }>("runtime", "CreateContainer", {
      pod_sandbox_id: podSandboxId,
      config,
      sandbox_config: sandboxConfig,
    });
    return res.container_id;
  }

  async startContainer(containerId: string): Promise<void> {
    await this.call("runtime", "StartContainer", { container_id: containerId });
  }

  /** Stops a container, killing it after `timeoutSeconds` (0: at once). */
  async stopContainer(containerId: string, timeoutSeconds = 0): Promise<void> {
    await this.call("runtime", "StopContainer", { container_id: containerId, timeout: timeoutSeconds });
  }

  async removeContainer(containerId: string): Promise<void> {
    await this.call("runtime", "RemoveContainer", { container_id: containerId });
  }

  async listContainers(filter: ContainerFilter = {}): Promise<Container[]> {
    const res = await this.call<{ containers: Container[] }>("runtime", "ListContainers", { filter });
    return res.containers;
  }

  containerStatus(containerId: string, verbose = false): Promise<ContainerStatusResponse> {
    return this.call("runtime", "ContainerStatus", { container_id: containerId, verbose });
  }

  async updateContainerResources(containerId: string, linux: LinuxContainerResources): Promise<void> {
    await this.call("runtime", "UpdateContainerResources", { container_id: containerId, linux });
  }

  /** The image the runtime holds under `image` (a reference or id), or null. */
  async imageStatus(image: string): Promise<Image | null> {
    const res = await this.call<{ image: Image | null }>("image", "ImageStatus", { image: { image } });
    return res.image && res.image.id !== "" ? res.image : null;
  }

  close(): void {
    this.client.close();
  }
}
