import {
  type AgentEngine,
  type AgentLog,
  AgentUnavailableError,
  NotAdmittedError,
  type PodRequest,
  podFromRequest,
  SerialQueue,
} from "../agent/index.js";
import { copyNode, explainAdmission, type Node } from "../node/index.js";
import type { EventSink, KubePodObject, NodePods, NodePodsChange } from "./types.js";
import { releasesResources } from "./watch/index.js";

/** The Warning reason of a pod podpin cannot read (its spec fails the same validation as the HTTP API's). */
export const INVALID_POD_REASON = "PodpinInvalidPod";

export interface PodSyncOptions {
  engine: AgentEngine;
  pods: NodePods;
  events: EventSink;
  nodeName: string;
  log: AgentLog;
}

const podName = (pod: KubePodObject) => `${pod.metadata.namespace}/${pod.metadata.name}`;

/** The object as the state directory keeps it: the pod as sent to the node, without server bookkeeping. */
function admissionObject(pod: KubePodObject): KubePodObject {
  const { managedFields: _managed, ...metadata } = pod.metadata;
  return { apiVersion: "v1", kind: "Pod", metadata, spec: pod.spec };
}

/**
 * Drives the engine from the pod watch as the kubelet's pod config drives its admit handlers:
 * after the first list, the pods the state directory holds that the API server no longer has are
 * removed, and the bound pods are admitted in creation order; afterwards each new pod is admitted
 * as it arrives. A pod is decided once per uid (admitted, rejected or refused as invalid), is not
 * admitted when first seen in a terminal phase, and is removed when it reaches a terminal phase,
 * finishes terminating, or is deleted. A rejection becomes a Warning event with the kubelet's
 * reason and message and the one-line cause `podpin explain` gives.
 */
export class PodSync {
  private readonly queue = new SerialQueue();
  /** Uids decided in this run: admitted, rejected, refused as invalid, or skipped as terminal. */
  private readonly decided = new Set<string>();
  private synced = false;
  private unsubscribe: (() => void) | null = null;
  private idle: Promise<void> = Promise.resolve();

  constructor(private readonly opts: PodSyncOptions) {}

  start(): void {
    this.unsubscribe = this.opts.pods.onChange((change) => {
      const task = this.queue
        .run(() => this.process(change))
        .catch((err: unknown) => {
          if (err instanceof AgentUnavailableError && !this.opts.engine.available) return;
          this.opts.log.warn("pod sync failed", { change: change.type, error: messageOf(err) });
        });
      this.idle = task;
    });
  }

  /** Resolves once every change heard so far has been acted on. */
  settled(): Promise<void> {
    return this.idle;
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    await this.queue.close(new AgentUnavailableError("the pod sync is stopping"));
  }

  private async process(change: NodePodsChange): Promise<void> {
    if (change.type === "SYNCED") {
      this.synced = true;
      return this.reconcile();
    }
    // Before the first list is complete the cache is partial: its pods are handled all together.
    if (!this.synced || !change.pod) return;
    if (change.type === "DELETED") {
      // A uid never comes back: forgetting it keeps the set as small as the node's pods.
      this.decided.delete(change.pod.metadata.uid);
      return this.release(change.pod, "deleted");
    }
    return this.consider(change.pod);
  }

  /** The engine matches the cache: pods it no longer has released, then its new pods admitted in order. */
  private async reconcile(): Promise<void> {
    const pods = this.opts.pods.current();
    const known = new Set(pods.map((p) => p.metadata.uid));
    const admitted = await this.opts.engine.read((node) => node.admittedPods().map((p) => p.uid));
    for (const uid of admitted)
      if (!known.has(uid)) await this.removeUid(uid, "no longer bound to this node");
    for (const pod of pods) await this.consider(pod);
  }

  private isAdmitted(uid: string): Promise<boolean> {
    return this.opts.engine.read((node) => node.pod(uid) !== undefined);
  }

  private async consider(pod: KubePodObject): Promise<void> {
    const uid = pod.metadata.uid;
    if (pod.spec?.nodeName !== this.opts.nodeName) return;
    if (releasesResources(pod)) {
      this.decided.add(uid);
      return this.release(pod, pod.metadata.deletionTimestamp ? "terminated" : `phase ${pod.status?.phase}`);
    }
    if (this.decided.has(uid)) return;
    this.decided.add(uid);
    if (await this.isAdmitted(uid)) return;
    let req: PodRequest;
    try {
      req = podFromRequest(JSON.stringify(admissionObject(pod)), `pod ${podName(pod)}`);
    } catch (err) {
      this.opts.log.warn("pod not admitted: invalid", { pod: podName(pod), uid, error: messageOf(err) });
      await this.opts.events.emit({
        involved: { namespace: pod.metadata.namespace, name: pod.metadata.name, uid },
        type: "Warning",
        reason: INVALID_POD_REASON,
        message: `podpin cannot read this pod, so it makes no prediction for it: ${messageOf(err)}`,
      });
      return;
    }
    await this.admit(pod, req);
  }

  private async admit(pod: KubePodObject, req: PodRequest): Promise<void> {
    const engine = this.opts.engine;
    // Queued back to back, nothing runs between the copy and the admission: the explanation is
    // computed on exactly the state the engine decided on.
    const before = engine.read((node) => copyNode(node));
    const admitting = engine.admit(req);
    const [copy, result] = await Promise.all([before, admitting]);
    this.opts.log.info("pod admission", {
      source: "apiserver",
      pod: podName(pod),
      uid: req.pod.uid,
      admitted: result.admitted,
      reason: result.reason ?? undefined,
    });
    if (result.admitted) return;
    const cause = causeOf(copy, req);
    const kubelet = result.message ?? "the pod was rejected";
    await this.opts.events.emit({
      involved: { namespace: pod.metadata.namespace, name: pod.metadata.name, uid: req.pod.uid },
      type: "Warning",
      reason: result.reason ?? "UnexpectedAdmissionError",
      message: cause ? `${kubelet}; cause: ${cause}` : kubelet,
    });
  }

  private async release(pod: KubePodObject, why: string): Promise<void> {
    await this.removeUid(pod.metadata.uid, why, podName(pod));
  }

  private async removeUid(uid: string, why: string, name?: string): Promise<void> {
    if (!(await this.isAdmitted(uid))) return;
    try {
      await this.opts.engine.remove(uid);
      this.opts.log.info("pod removed", { source: "apiserver", pod: name, uid, why });
    } catch (err) {
      if (!(err instanceof NotAdmittedError)) throw err;
    }
  }
}

function causeOf(before: Node, req: PodRequest): string | null {
  try {
    return explainAdmission(before, req.pod).rejection?.text ?? null;
  } catch {
    return null;
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
