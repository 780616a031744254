import type { Pod } from "../k8s/index.js";
import type { Node, RemovalResult } from "./node.js";
import type { AdmissionResult } from "./types.js";

/** One event of a scripted run: admit a pod, or remove an admitted one by uid, name or namespace/name. */
export type SimulationEvent = { op: "admit"; pod: Pod } | { op: "remove"; pod: string };

export type SimulationStep =
  | { op: "admit"; result: AdmissionResult }
  | { op: "remove"; target: string; result: RemovalResult };

/** Finds an admitted pod by uid, `namespace/name`, or a name that is unique among admitted pods. */
export function findAdmittedPod(node: Node, ref: string): Pod | null {
  const pods = node.admittedPods();
  const byUid = pods.find((p) => p.uid === ref);
  if (byUid) return byUid;
  const byFull = pods.find((p) => `${p.namespace}/${p.name}` === ref);
  if (byFull) return byFull;
  const byName = pods.filter((p) => p.name === ref);
  return byName.length === 1 ? byName[0] : null;
}

/** Runs events in order on the node. Removing a pod that is not admitted is a no-op step. */
export function runSimulation(node: Node, events: readonly SimulationEvent[]): SimulationStep[] {
  return events.map((e) => {
    if (e.op === "admit") return { op: "admit", result: node.admit(e.pod) };
    const pod = findAdmittedPod(node, e.pod);
    const result = pod
      ? node.remove(pod.uid)
      : {
          pod: { uid: e.pod, name: e.pod, namespace: "" },
          removed: false,
          defaultCpuSet: node.defaultCpuSet(),
        };
    return { op: "remove", target: e.pod, result };
  });
}
