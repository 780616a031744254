/**
 * The node as the kubelet has it: restored from its checkpoints, with the pods it runs. Pods
 * come from the pod source where it knows them (their specs make `/v1/pods`, PodResources and the
 * node's allocatable accounting whole); a pod the checkpoints name and the source does not know is
 * known by UID and container names, as after a kubelet restart. Pods the checkpoints do not name
 * count when the API server says they run (phase Running): pods in the node shared pool hold no
 * checkpoint entry, and a pod still pending may yet be refused by the kubelet.
 */
import { podsFromCheckpointState, type RestoredStates, restoreNode } from "../../agent/state/index.js";
import type { Pod } from "../../k8s/index.js";
import type { Machine } from "../../machine/index.js";
import type { Node, NodeConfig } from "../../node/index.js";
import type { DriftInput } from "./drift.js";
import { isRunning, type SourcePod } from "./pods.js";
import { cloneRestored, podUIDsOf } from "./restored.js";

export interface Truth {
  node: Node;
  /** The objects of the pods the node holds with specs, by UID. */
  podObjects: Map<string, unknown>;
  /** What the drift check needs to decide each pod again. */
  drift: DriftInput;
}

export function buildTruth(
  machine: Machine,
  config: NodeConfig,
  restored: RestoredStates,
  source: readonly SourcePod[],
): Truth {
  const inState = podUIDsOf(restored);
  const pods: Pod[] = [];
  const podObjects = new Map<string, unknown>();
  const withSpec = new Set<string>();
  for (const { object, pod } of source) {
    if (!pod || !(inState.has(pod.uid) || isRunning(object))) continue;
    pods.push(pod);
    podObjects.set(pod.uid, object);
    withSpec.add(pod.uid);
  }
  const names = new Map(source.map(({ object: o }) => [o.metadata.uid, o.metadata]));
  const uidOnly = podsFromCheckpointState(restored, names).filter((p) => !withSpec.has(p.uid));
  const node = restoreNode({
    machine,
    config,
    restored: cloneRestored(restored),
    runningPods: [...pods, ...uidOnly],
    admissionLimit: null,
  });
  return { node, podObjects, drift: { machine, config, restored, pods, uidOnly, inState } };
}
