import { KubeApiError } from "../kube/errors.js";
import type { CoreEvent, EventApi } from "../kube/client.js";
import type { EventSink, PodEvent } from "../types.js";

type Fields = Readonly<Record<string, string | number | boolean | null | undefined>>;

export interface RecorderLog {
  warn(msg: string, fields?: Fields): void;
}

export interface EventRecorderOptions {
  api: EventApi;
  /** The node's name: the event's source host and reportingInstance. */
  nodeName: string;
  log?: RecorderLog;
  now?: () => Date;
  /** Distinct events remembered for aggregation (default 4096, as client-go's correlator). */
  cacheSize?: number;
}

/** `source.component`: the kubelet's own events say `kubelet`; these are podpin's predictions. */
export const EVENT_COMPONENT = "podpin";
/** `reportingComponent` (reportingController): a qualified name, as the API server validates it. */
export const REPORTING_CONTROLLER = "podpin.io/agent";
/** The API server refuses longer messages on events.k8s.io; core events are kept under it as well. */
const MAX_MESSAGE = 1024;

interface Seen {
  name: string;
  namespace: string;
  count: number;
  firstTimestamp: string;
}

/**
 * Posts pod events the way client-go's recorder does for identical repeats: the first (pod,
 * type, reason, message) is created as `<pod>.<hex nanoseconds>`; the same again raises that
 * Event's count and lastTimestamp with a PATCH instead of posting another. When the Event has
 * gone (expired, deleted), a new one is created. Failures are logged, never thrown.
 */
export class EventRecorder implements EventSink {
  private readonly seen = new Map<string, Seen>();
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly opts: EventRecorderOptions) {}

  emit(event: PodEvent): Promise<void> {
    // One at a time, so a repeat arriving while the first is still being posted aggregates onto it.
    const next = this.tail.then(() => this.record(event));
    this.tail = next;
    return next;
  }

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }

  private async record(event: PodEvent): Promise<void> {
    const message =
      event.message.length > MAX_MESSAGE ? `${event.message.slice(0, MAX_MESSAGE - 3)}...` : event.message;
    const { namespace, name, uid } = event.involved;
    const key = JSON.stringify([namespace, name, uid, event.type, event.reason, message]);
    const at = this.now();
    const stamp = at.toISOString().replace(/\.\d+Z$/, "Z");
    try {
      const before = this.seen.get(key);
      if (before) {
        try {
          await this.opts.api.patchEvent(before.namespace, before.name, {
            count: before.count + 1,
            lastTimestamp: stamp,
            message,
          });
          before.count++;
          this.touch(key, before);
          return;
        } catch (err) {
          if (!(err instanceof KubeApiError && err.status === 404)) throw err;
          this.seen.delete(key);
        }
      }
      const nanos = BigInt(at.getTime()) * 1_000_000n + BigInt(this.seq++ % 1_000_000);
      const created: CoreEvent = {
        metadata: { name: `${name}.${nanos.toString(16)}`, namespace },
        involvedObject: { kind: "Pod", apiVersion: "v1", namespace, name, uid },
        reason: event.reason,
        message,
        type: event.type,
        count: 1,
        firstTimestamp: stamp,
        lastTimestamp: stamp,
        source: { component: EVENT_COMPONENT, host: this.opts.nodeName },
        reportingComponent: REPORTING_CONTROLLER,
        reportingInstance: this.opts.nodeName,
      };
      await this.opts.api.createEvent(created);
      this.touch(key, { name: created.metadata.name, namespace, count: 1, firstTimestamp: stamp });
    } catch (err) {
      this.opts.log?.warn("event not posted", {
        pod: `${namespace}/${name}`,
        reason: event.reason,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }

  private seq = 0;

  /** Most recently used last; the oldest is forgotten beyond the cache size. */
  private touch(key: string, seen: Seen): void {
    this.seen.delete(key);
    this.seen.set(key, seen);
    const limit = this.opts.cacheSize ?? 4096;
    while (this.seen.size > limit) this.seen.delete(this.seen.keys().next().value as string);
  }
}
