import type { CPUStateData } from "../managers/cpu/index.js";
import type { Pod } from "../k8s/index.js";
import { cloneMemoryState, type MemoryStateData } from "../managers/memory/index.js";
import { Node } from "./node.js";
import type { AdmissionResult } from "./types.js";

/** A node with the same machine, configuration, running pods and state, to try admissions on. */
export function copyNode(node: Node): Node {
  const cpu: CPUStateData | undefined = node.cpuPolicy ? node.cpuPolicy.state.clone().data : undefined;
  const memory: MemoryStateData | undefined = node.memoryPolicy
    ? cloneMemoryState(node.memoryPolicy.state)
    : undefined;
  return new Node({
    machine: { ...node.machine, devices: node.deviceResources() },
    config: node.config,
    restored: {
      cpu,
      memory,
      device: node.deviceManager.stateData(),
      devicesInUse: node.deviceManager.allocatedDeviceIDs(),
    },
    runningPods: node.admittedPods(),
  });
}

/** The engine's verdict on `pod` admitted on a copy of `node` (the node itself is not changed). */
export function admitOnCopy(node: Node, pod: Pod): AdmissionResult {
  return copyNode(node).admit(pod);
}

/**
 * Admitted, and every container gets its devices: on the pod-level path they are chosen only at
 * container start, where a failure does not reject the pod but the container cannot run.
 */
export function runsOnCopy(node: Node, pod: Pod): boolean {
  const r = admitOnCopy(node, pod);
  return r.admitted && (r.deferredDevices ?? []).every((d) => d.error === null);
}

/**
 * Trial admissions of variants of one pod on one copy of a node. A fresh copy per trial costs more
 * than the admission itself on large machines, so the copy is reused: an admitted trial pod is
 * removed again and the Device Manager purged, a rejected one leaves state that the next
 * admission's stale-state cleanup reclaims, as on a kubelet. Each trial pod gets its own uid, so
 * nothing the managers keep per pod (CPUs and memory to reuse) carries over. A trial that evicted
 * pods (a critical pod preempting) changed the node, and the next trial starts from a new copy.
 * Callers confirm the values they report with `runsOnCopy`, on a fresh copy.
 */
export class TrialNode {
  private copy: Node | null = null;
  private trials = 0;

  constructor(private readonly node: Node) {}

  /** Whether the last trial ran on a copy no trial had used: its verdict is a fresh copy's. */
  lastWasFresh = false;

  /** Admitted, and every container gets its devices (see `runsOnCopy`). */
  runs(pod: Pod): boolean {
    this.lastWasFresh = this.copy === null;
    const copy = this.copy ?? copyNode(this.node);
    this.copy = copy;
    const uid = `${pod.uid}-trial-${++this.trials}`;
    const r = copy.admit({ ...pod, uid });
    const ok = r.admitted && (r.deferredDevices ?? []).every((d) => d.error === null);
    if (r.preempted.length > 0) this.copy = null;
    else if (r.admitted) {
      copy.remove(uid);
      copy.deviceManager.updateAllocatedDevices();
    }
    return ok;
  }

  /** The next trial starts on a fresh copy. */
  restart(): void {
    this.copy = null;
  }
}
