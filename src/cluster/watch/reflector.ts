import { KubeApiError } from "../kube/errors.js";
import type { PodSource, PodWatch, WatchEnd } from "../kube/client.js";
import type { KubePodObject, NodePods, NodePodsChange } from "../types.js";
import { Backoff, type BackoffOptions, DEFAULT_BACKOFF, sleep } from "./backoff.js";
import { kubeletOrder } from "./order.js";

type Fields = Readonly<Record<string, string | number | boolean | null | undefined>>;

export interface ReflectorLog {
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
}

export interface ReflectorOptions {
  source: PodSource;
  nodeName: string;
  /** Relist this often, to heal anything a watch might have missed; 0 turns it off. */
  resyncPeriodMs: number;
  /** Pods per list page (default 500, as client-go's pager). */
  pageSize?: number;
  backoff?: BackoffOptions;
  /** Seconds the server keeps one watch open (default 5-10 minutes at random, as client-go). */
  watchTimeoutSeconds?: () => number;
  log?: ReflectorLog;
}

/** Why one watch connection ended, as the loop acts on it. */
type WatchOutcome = "gone" | "retry" | "again" | "stopped";

const isPod = (o: unknown): o is KubePodObject => {
  const m = (o as { metadata?: { uid?: unknown; name?: unknown; namespace?: unknown } } | null)?.metadata;
  return typeof m?.uid === "string" && typeof m.name === "string" && typeof m.namespace === "string";
};

const resourceVersionOf = (o: unknown): string | undefined => {
  const rv = (o as { metadata?: { resourceVersion?: unknown } } | null)?.metadata?.resourceVersion;
  return typeof rv === "string" && rv !== "" ? rv : undefined;
};

/**
 * The pods bound to one node, kept as the API server has them, like client-go's reflector: list
 * (page by page), then watch from the list's resourceVersion. Bookmarks move the resourceVersion
 * on; "410 Gone" (the version was compacted away), as a status or as an ERROR event, means list
 * again and diff against the cache; a dropped or failed watch is re-opened from the last
 * resourceVersion after an exponential, jittered backoff; a periodic relist heals anything else.
 */
export class PodReflector implements NodePods {
  private readonly cache = new Map<string, KubePodObject>();
  private readonly listeners = new Set<(change: NodePodsChange) => void>();
  private readonly abort = new AbortController();
  private readonly backoff: Backoff;
  private resourceVersion = "";
  private relistWanted = true;
  private watch: PodWatch | null = null;
  private loop: Promise<void> | null = null;
  private resyncTimer: NodeJS.Timeout | null = null;
  private syncedOnce!: () => void;
  /** Resolves at the first SYNCED: the cache matched the server once. */
  readonly firstSync: Promise<void>;

  constructor(private readonly opts: ReflectorOptions) {
    this.backoff = new Backoff(opts.backoff ?? DEFAULT_BACKOFF);
    this.firstSync = new Promise((resolve) => {
      this.syncedOnce = resolve;
    });
  }

  current(): readonly KubePodObject[] {
    return [...this.cache.values()].sort(kubeletOrder);
  }

  onChange(listener: (change: NodePodsChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The resourceVersion the next watch starts from. */
  get lastResourceVersion(): string {
    return this.resourceVersion;
  }

  start(): void {
    if (this.loop) return;
    this.loop = this.run();
    if (this.opts.resyncPeriodMs > 0) {
      this.resyncTimer = setInterval(() => this.resync(), this.opts.resyncPeriodMs);
      this.resyncTimer.unref();
    }
  }

  /** Relist now (and diff), then watch on. */
  resync(): void {
    this.relistWanted = true;
    this.watch?.stop();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    this.watch?.stop();
    await this.loop;
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (this.relistWanted) {
        try {
          this.relistWanted = false;
          await this.relist();
          this.backoff.reset();
        } catch (err) {
          this.relistWanted = true;
          if (this.stopped) break;
          const wait = this.backoff.next();
          this.opts.log?.warn("pod list failed; retrying", {
            error: message(err),
            retryInMs: Math.round(wait),
          });
          await sleep(wait, this.abort.signal);
          continue;
        }
      }
      const outcome = await this.watchOnce();
      if (outcome === "gone") {
        this.opts.log?.info("pod watch: resourceVersion too old; listing again", {
          resourceVersion: this.resourceVersion,
        });
        this.relistWanted = true;
      } else if (outcome === "retry") await sleep(this.backoff.next(), this.abort.signal);
    }
  }

  private async listAll(): Promise<{ items: KubePodObject[]; resourceVersion: string }> {
    const limit = this.opts.pageSize ?? 500;
    for (let attempt = 0; ; attempt++) {
      const items: KubePodObject[] = [];
      let resourceVersion = "";
      let token = "";
      try {
        do {
          const page = await this.opts.source.listPods({ limit, continue: token || undefined });
          items.push(...page.items);
          resourceVersion ||= page.resourceVersion;
          token = page.continue;
        } while (token && !this.stopped);
        return { items, resourceVersion };
      } catch (err) {
        // An expired continue token: the snapshot is gone; the list starts over from the first page.
        if (!(err instanceof KubeApiError && err.status === 410 && token && attempt < 3)) throw err;
      }
    }
  }

  private async relist(): Promise<void> {
    const { items, resourceVersion } = await this.listAll();
    if (this.stopped) return;
    const fresh = new Map<string, KubePodObject>();
    for (const pod of items) {
      if (!isPod(pod)) continue;
      if (pod.spec?.nodeName !== this.opts.nodeName) {
        this.opts.log?.warn("the API server listed a pod bound to another node; ignored", {
          pod: `${pod.metadata.namespace}/${pod.metadata.name}`,
          nodeName: pod.spec?.nodeName ?? "",
        });
        continue;
      }
      fresh.set(pod.metadata.uid, pod);
    }
    const changes: NodePodsChange[] = [];
    for (const [uid, pod] of this.cache)
      if (!fresh.has(uid)) {
        this.cache.delete(uid);
        changes.push({ type: "DELETED", pod });
      }
    for (const pod of [...fresh.values()].sort(kubeletOrder)) {
      const before = this.cache.get(pod.metadata.uid);
      this.cache.set(pod.metadata.uid, pod);
      if (!before) changes.push({ type: "ADDED", pod });
      else if (before.metadata.resourceVersion !== pod.metadata.resourceVersion)
        changes.push({ type: "MODIFIED", pod });
    }
    this.resourceVersion = resourceVersion;
    for (const c of changes) this.emit(c);
    this.emit({ type: "SYNCED" });
    this.syncedOnce();
  }

  private watchOnce(): Promise<WatchOutcome> {
    let outcome: WatchOutcome | null = null;
    let heard = false;
    const timeout = this.opts.watchTimeoutSeconds?.() ?? 300 + Math.floor(Math.random() * 300);
    const watch = this.opts.source.watchPods({
      resourceVersion: this.resourceVersion,
      timeoutSeconds: timeout,
      onEvent: (type, object) => {
        if (outcome) return;
        heard = true;
        outcome = this.apply(type, object);
        if (outcome) watch.stop();
      },
    });
    this.watch = watch;
    return watch.ended.then((end: WatchEnd): WatchOutcome => {
      this.watch = null;
      if (heard) this.backoff.reset();
      if (this.stopped) return "stopped";
      if (outcome) return outcome;
      if (end.kind === "stopped") return "again";
      if (end.kind === "failed" && end.status === 410) return "gone";
      if (end.kind === "failed")
        this.opts.log?.warn("pod watch failed; watching again", {
          error: end.error,
          status: end.status,
          resourceVersion: this.resourceVersion,
        });
      // A watch that ran and ended (the server's timeout) opens again at once; one that ended
      // without a single event waits first, so a server closing every watch is not hammered.
      return end.kind === "closed" && heard ? "again" : "retry";
    });
  }

  /** One watch event into the cache; an outcome when it ends this watch. */
  private apply(type: string, object: unknown): WatchOutcome | null {
    if (type === "ERROR") {
      const code = (object as { code?: unknown } | null)?.code;
      if (code === 410) return "gone";
      this.opts.log?.warn("pod watch: the server sent an error; watching again", {
        code: typeof code === "number" ? code : null,
        error: (object as { message?: string } | null)?.message ?? "",
      });
      return "retry";
    }
    const rv = resourceVersionOf(object);
    if (type === "BOOKMARK") {
      if (rv) this.resourceVersion = rv;
      return null;
    }
    if (!isPod(object) || (type !== "ADDED" && type !== "MODIFIED" && type !== "DELETED")) {
      this.opts.log?.warn("pod watch: an event that is not a pod change; ignored", { type });
      return null;
    }
    if (rv) this.resourceVersion = rv;
    const uid = object.metadata.uid;
    const cached = this.cache.get(uid);
    if (type === "DELETED" || object.spec?.nodeName !== this.opts.nodeName) {
      if (!cached) return null;
      this.cache.delete(uid);
      this.emit({ type: "DELETED", pod: object });
      return null;
    }
    this.cache.set(uid, object);
    this.emit({ type: cached ? "MODIFIED" : "ADDED", pod: object });
    return null;
  }

  private emit(change: NodePodsChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (err) {
        this.opts.log?.warn("pod change listener failed", { type: change.type, error: message(err) });
      }
    }
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
