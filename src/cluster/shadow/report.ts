/**
 * Telling people about drift: a gauge of the containers drifting now (by resource: low
 * cardinality, no pod names), one log line and one Kubernetes Event per pod and distinct drift.
 *
 * The event is `Normal`, not `Warning`: the pod runs exactly as the kubelet decided and nothing
 * about it needs fixing; the disagreement is podpin's to explain (a model gap or a bug), and
 * `Warning` events are what pod owners' alerting watches. The gauge is the signal to alert on.
 */
import type { AgentLog } from "../../agent/index.js";
import type { EventSink } from "../types.js";
import { DRIFT_RESOURCES, type DriftResource } from "./allocation.js";
import { containerLabel } from "./describe.js";
import type { PodDrift } from "./drift.js";

export const DRIFT_METRIC = "podpin_kubelet_decision_drift";
export const DRIFT_REASON = "PodpinDecisionDrift";
/** The API server's limit on an event's message. */
const MAX_MESSAGE = 1024;

export function driftMessage(drift: PodDrift): string {
  const text = drift.containers
    .map((c) => `${containerLabel(c.container)} ${c.resource}: kubelet: ${c.kubelet}; podpin: ${c.podpin}`)
    .join(" | ");
  return text.length <= MAX_MESSAGE ? text : `${text.slice(0, MAX_MESSAGE - 3)}...`;
}

export class DriftReporter {
  /** pod UID -> the message last reported for it (while it drifts). */
  private readonly reported = new Map<string, string>();
  private counts: Record<DriftResource, number> = { cpu: 0, memory: 0, devices: 0 };

  constructor(
    private readonly log?: AgentLog,
    private readonly events?: EventSink,
  ) {}

  /** Takes the drift of every pod checked now (pods not listed are gone or no longer checked). */
  update(drifts: readonly PodDrift[]): void {
    const counts: Record<DriftResource, number> = { cpu: 0, memory: 0, devices: 0 };
    const now = new Set<string>();
    for (const d of drifts) {
      for (const resource of DRIFT_RESOURCES)
        counts[resource] += new Set(
          d.containers.filter((c) => c.resource === resource).map((c) => c.container),
        ).size;
      const { uid } = d.pod;
      if (d.containers.length === 0) {
        if (this.reported.delete(uid))
          this.log?.info("kubelet decision drift cleared", { pod: `${d.pod.namespace}/${d.pod.name}`, uid });
        continue;
      }
      now.add(uid);
      const message = driftMessage(d);
      if (this.reported.get(uid) === message) continue;
      this.reported.set(uid, message);
      for (const c of d.containers)
        this.log?.warn("kubelet decision drift", {
          pod: `${d.pod.namespace}/${d.pod.name}`,
          uid,
          container: containerLabel(c.container),
          resource: c.resource,
          kubelet: c.kubelet,
          podpin: c.podpin,
        });
      this.emit(d, message);
    }
    for (const uid of [...this.reported.keys()]) if (!now.has(uid)) this.reported.delete(uid);
    this.counts = counts;
  }

  /** Containers drifting now, by resource. */
  get drifting(): Readonly<Record<DriftResource, number>> {
    return this.counts;
  }

  metricsText(): string {
    const lines = [
      `# HELP ${DRIFT_METRIC} Containers (a pod's pod-level set counts as one) whose CPUs, memory blocks or devices, as recorded in the kubelet's checkpoints, differ from what podpin would have decided for them`,
      `# TYPE ${DRIFT_METRIC} gauge`,
      ...DRIFT_RESOURCES.map((r) => `${DRIFT_METRIC}{resource="${r}"} ${this.counts[r]}`),
    ];
    return `${lines.join("\n")}\n`;
  }

  private emit(d: PodDrift, message: string): void {
    if (!this.events) return;
    const report = (err: unknown) =>
      this.log?.warn("drift event not posted", {
        uid: d.pod.uid,
        error: err instanceof Error ? err.message : String(err),
      });
    try {
      this.events.emit({ involved: d.pod, type: "Normal", reason: DRIFT_REASON, message }).catch(report);
    } catch (err) {
      report(err);
    }
  }
}
