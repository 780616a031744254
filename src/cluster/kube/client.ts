import { type KubeConfig, Watch } from "@kubernetes/client-node";
import type { KubePodObject, NodeResourceTopologyObject, NrtApplier } from "../types.js";
import { KubeApiError } from "./errors.js";
import { type KubeRequester, kubeRequester } from "./request.js";

/** One page of a pod list, with the list's resourceVersion and the token for the next page. */
export interface PodPage {
  items: KubePodObject[];
  resourceVersion: string;
  /** Empty on the last page. */
  continue: string;
}

/** How a watch connection ended. */
export type WatchEnd =
  | { kind: "closed" }
  | { kind: "stopped" }
  | { kind: "failed"; error: string; status: number | null };

export interface PodWatch {
  /** Resolves once, when the connection ends or `stop` is called. */
  readonly ended: Promise<WatchEnd>;
  /** Whether the server answered 200 and the stream is open. */
  readonly connected: Promise<boolean>;
  stop(): void;
}

export interface WatchOptions {
  resourceVersion: string;
  /** The server ends the watch after this long (the reflector asks for 5-10 minutes, as client-go does). */
  timeoutSeconds: number;
  onEvent(type: string, object: unknown): void;
}

/** What the pod watch needs from the API server: pods bound to one node, listed and watched. */
export interface PodSource {
  listPods(opts: { limit: number; continue?: string }): Promise<PodPage>;
  watchPods(opts: WatchOptions): PodWatch;
}

/** A core/v1 Event as posted (the fields podpin sets). */
export interface CoreEvent {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  involvedObject: { kind: string; apiVersion: string; namespace: string; name: string; uid: string };
  reason: string;
  message: string;
  type: string;
  count: number;
  firstTimestamp: string;
  lastTimestamp: string;
  source: { component: string; host?: string };
  reportingComponent: string;
  reportingInstance: string;
}

export interface EventApi {
  createEvent(event: CoreEvent): Promise<CoreEvent>;
  /** Raises a posted event's count and lastTimestamp (a strategic merge patch, as client-go sends). */
  patchEvent(
    namespace: string,
    name: string,
    patch: { count: number; lastTimestamp: string; message: string },
  ): Promise<CoreEvent>;
}

export interface NodeObject {
  metadata: { name: string; uid: string; labels?: unknown; [key: string]: unknown };
  spec?: { taints?: unknown; [key: string]: unknown };
  [key: string]: unknown;
}

export interface ClusterLog {
  warn(msg: string, fields?: Readonly<Record<string, string | number | boolean | null | undefined>>): void;
}

export const FIELD_MANAGER = "podpin";
const NRT_PATH = "/apis/topology.node.k8s.io/v1alpha2/noderesourcetopologies";

const q = (params: Record<string, string | number | boolean | undefined>) => {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") s.set(k, String(v));
  return s.toString();
};

/**
 * What podpin asks of the API server, for one node: its pods (listed page by page and watched
 * with the official client's watch), the Events it posts, the Node object and the node's
 * NodeResourceTopology (server-side apply).
 */
export class ClusterClient implements PodSource, EventApi, NrtApplier {
  private readonly request: KubeRequester;
  private readonly watcher: Watch;

  constructor(
    private readonly kc: KubeConfig,
    readonly nodeName: string,
    private readonly log?: ClusterLog,
  ) {
    this.request = kubeRequester(kc);
    this.watcher = new Watch(kc);
  }

  private get fieldSelector(): string {
    return `spec.nodeName=${this.nodeName}`;
  }

  async listPods(opts: { limit: number; continue?: string }): Promise<PodPage> {
    const list = await this.request<{
      metadata?: { resourceVersion?: string; continue?: string };
      items?: KubePodObject[];
    }>({
      method: "GET",
      path: `/api/v1/pods?${q({ fieldSelector: this.fieldSelector, limit: opts.limit, continue: opts.continue })}`,
    });
    return {
      items: list.items ?? [],
      resourceVersion: list.metadata?.resourceVersion ?? "",
      continue: list.metadata?.continue ?? "",
    };
  }

  watchPods(opts: WatchOptions): PodWatch {
    let stopped = false;
    let controller: AbortController | null = null;
    let finish: (end: WatchEnd) => void = () => {};
    const ended = new Promise<WatchEnd>((resolve) => {
      let done = false;
      finish = (end) => {
        if (done) return;
        done = true;
        resolve(stopped ? { kind: "stopped" } : end);
      };
    });
    const connected = this.watcher
      .watch(
        "/api/v1/pods",
        {
          fieldSelector: this.fieldSelector,
          resourceVersion: opts.resourceVersion,
          allowWatchBookmarks: true,
          timeoutSeconds: opts.timeoutSeconds,
        },
        (type, object) => {
          if (!stopped) opts.onEvent(type, object);
        },
        (err: unknown) => {
          if (!err) return finish({ kind: "closed" });
          const status = (err as { statusCode?: unknown }).statusCode;
          finish({
            kind: "failed",
            error: err instanceof Error ? err.message : String(err),
            status: typeof status === "number" ? status : null,
          });
        },
      )
      .then(
        (c) => {
          controller = c;
          if (stopped) c.abort();
          return !c.signal.aborted;
        },
        (err: unknown) => {
          finish({ kind: "failed", error: err instanceof Error ? err.message : String(err), status: null });
          return false;
        },
      );
    return {
      ended,
      connected,
      stop: () => {
        stopped = true;
        controller?.abort();
        finish({ kind: "stopped" });
      },
    };
  }

  createEvent(event: CoreEvent): Promise<CoreEvent> {
    return this.request<CoreEvent>({
      method: "POST",
      path: `/api/v1/namespaces/${encodeURIComponent(event.metadata.namespace)}/events`,
      body: { apiVersion: "v1", kind: "Event", ...event },
    });
  }

  patchEvent(
    namespace: string,
    name: string,
    patch: { count: number; lastTimestamp: string; message: string },
  ): Promise<CoreEvent> {
    return this.request<CoreEvent>({
      method: "PATCH",
      path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/events/${encodeURIComponent(name)}`,
      body: patch,
      contentType: "application/strategic-merge-patch+json",
    });
  }

  getNode(): Promise<NodeObject> {
    return this.request<NodeObject>({
      method: "GET",
      path: `/api/v1/nodes/${encodeURIComponent(this.nodeName)}`,
    });
  }

  /**
   * Server-side apply as field manager `podpin`. When another manager owns a field podpin sets,
   * the conflict is logged and the apply repeated with force: the agent is the one source of its
   * node's topology.
   */
  async applyNodeResourceTopology(object: NodeResourceTopologyObject): Promise<void> {
    const path = (force: boolean) =>
      `${NRT_PATH}/${encodeURIComponent(object.metadata.name)}?${q({ fieldManager: FIELD_MANAGER, force: force || undefined })}`;
    const apply = (force: boolean) =>
      this.request<unknown>({
        method: "PATCH",
        path: path(force),
        body: object,
        contentType: "application/apply-patch+yaml",
      });
    try {
      await apply(false);
    } catch (err) {
      if (!(err instanceof KubeApiError) || err.status !== 409) throw err;
      this.log?.warn("NodeResourceTopology apply conflicts with another field manager; forcing", {
        name: object.metadata.name,
        conflict: err.message,
      });
      await apply(true);
    }
  }

  /** The kubeconfig's API server, for log lines. */
  get server(): string {
    return this.kc.getCurrentCluster()?.server ?? "";
  }
}
