import { resolve } from "node:path";
import {
  type sendUnaryData,
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  status,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";
import type { KubernetesVersion } from "../../k8s/index.js";
import { PodResourcesServerError } from "./errors.js";
import {
  checkSocketPath,
  makeBindDir,
  publishSocket,
  removeBindDir,
  removeOwnSocket,
  type SocketIdentity,
} from "./socket.js";
import {
  allocatableResources,
  getPodResources,
  listPodResources,
  type PodResourcesSource,
  podNotFoundMessage,
} from "./view.js";
import { allocatableWire, getRequestOf, listWire, podResourcesService, podWire } from "./wire.js";

export interface PodResourcesServerOptions {
  /** Where the unix socket goes (the kubelet's is /var/lib/kubelet/pod-resources/kubelet.sock). */
  socketPath: string;
  /**
   * The engine as it is now, read once per request. Each answer is built synchronously from that
   * one reading, so it is a consistent snapshot: the engine runs on the same single thread.
   */
  view: () => PodResourcesSource;
  kubernetesVersion: KubernetesVersion;
}

export interface PodResourcesServer {
  /** The socket's absolute path. */
  readonly socketPath: string;
  /** Stops serving (in-flight calls finish, for up to two seconds) and removes the socket. */
  close(): Promise<void>;
}

const SHUTDOWN_GRACE_MS = 2000;

/** The handler's answer, or INTERNAL with the reason when building it failed. */
function answer<T>(callback: sendUnaryData<T>, build: () => T): void {
  let response: T;
  try {
    response = build();
  } catch (err) {
    callback({ code: status.INTERNAL, details: (err as Error)?.message ?? String(err) });
    return;
  }
  callback(null, response);
}

function handlers(opts: PodResourcesServerOptions): UntypedServiceImplementation {
  const version = opts.kubernetesVersion;
  return {
    List: (_call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) =>
      answer(callback, () => listWire(listPodResources(opts.view(), version))),
    GetAllocatableResources: (_call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) =>
      answer(callback, () => allocatableWire(allocatableResources(opts.view()))),
    Get: (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
      const req = getRequestOf(call.request as Parameters<typeof getRequestOf>[0]);
      let pod: ReturnType<typeof getPodResources>;
      try {
        pod = getPodResources(opts.view(), version, req.pod_namespace, req.pod_name);
      } catch (err) {
        callback({ code: status.INTERNAL, details: (err as Error)?.message ?? String(err) });
        return;
      }
      // The kubelet answers with a plain Go error, which gRPC sends as UNKNOWN.
      if (!pod)
        callback({ code: status.UNKNOWN, details: podNotFoundMessage(req.pod_namespace, req.pod_name) });
      else callback(null, { pod_resources: podWire(pod) });
    },
  };
}

function bind(server: Server, address: string): Promise<void> {
  return new Promise((done, fail) =>
    server.bindAsync(address, ServerCredentials.createInsecure(), (err) => (err ? fail(err) : done())),
  );
}

function shutdown(server: Server): Promise<void> {
  return new Promise((done) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      done();
    }, SHUTDOWN_GRACE_MS);
    server.tryShutdown(() => {
      clearTimeout(timer);
      done();
    });
  });
}

/**
 * Serves PodResources v1 (List, Get, GetAllocatableResources) on a unix socket with mode 0600.
 * A stale socket at the path is replaced only when nothing listens on it; any other file there
 * is left alone and the start fails with a `PodResourcesServerError`.
 */
export async function startPodResourcesServer(opts: PodResourcesServerOptions): Promise<PodResourcesServer> {
  const socketPath = resolve(opts.socketPath);
  await checkSocketPath(socketPath);
  const service = podResourcesService();
  const { dir, bindPath } = await makeBindDir(socketPath);
  const server = new Server();
  server.addService(service, handlers(opts));
  let own: SocketIdentity;
  try {
    try {
      await bind(server, `unix://${bindPath}`);
    } catch (err) {
      throw new PodResourcesServerError(
        `${socketPath}: cannot listen: ${(err as Error)?.message ?? String(err)}`,
      );
    }
    own = await publishSocket(bindPath, socketPath);
  } catch (err) {
    server.forceShutdown();
    throw err;
  } finally {
    await removeBindDir(dir);
  }
  let closing: Promise<void> | null = null;
  return {
    socketPath,
    close() {
      closing ??= shutdown(server).then(() => removeOwnSocket(socketPath, own));
      return closing;
    },
  };
}
