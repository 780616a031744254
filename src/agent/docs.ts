import type { Node } from "../node/index.js";
import { type NodeDoc, type RemoveStepDoc, simulationDoc } from "../report/index.js";
import type { RemoveContainerResult, RemoveStep } from "./engine.js";
import { type PodStatusDoc, podStatusDoc } from "./pod-doc.js";
import type { StateDir } from "./state/index.js";

/** The documents the agent answers with, besides the admit and explain documents of the CLI. */

/** `DELETE /v1/pods/{uid}`: a remove step of `podpin simulate -o json`. */
export function removeStepDoc(step: RemoveStep): RemoveStepDoc {
  const p = step.result.pod;
  return {
    op: "remove",
    target: step.target,
    pod: { namespace: p.namespace, name: p.name, uid: p.uid },
    removed: step.result.removed,
    defaultCpuSet: step.result.defaultCpuSet.toString(),
    devicesPendingRelease: Object.fromEntries(step.devicesPendingRelease),
  };
}

export interface RemoveContainerDoc {
  op: "removeContainer";
  pod: { namespace: string; name: string; uid: string };
  container: string;
  defaultCpuSet: string;
}

export function removeContainerDoc(r: RemoveContainerResult): RemoveContainerDoc {
  return {
    op: "removeContainer",
    pod: { namespace: r.pod.namespace, name: r.pod.name, uid: r.pod.uid },
    container: r.container,
    defaultCpuSet: r.defaultCpuSet.toString(),
  };
}

/** `GET /v1/pods/{uid}`: the pod's current decisions and the object it was admitted from. */
export interface PodDoc extends PodStatusDoc {
  /** The pod as the client sent it (null for a pod known only from kubelet checkpoints). */
  object: unknown;
}

export function podDoc(node: Node, state: StateDir, uid: string): PodDoc | null {
  const status = podStatusDoc(node, uid);
  return status && { ...status, object: state.podObjects.get(uid) ?? null };
}

export interface PodListDoc {
  apiVersion: "podpin/v1";
  kind: "PodList";
  /** Admitted pods in admission order. */
  items: PodStatusDoc[];
}

export function podListDoc(node: Node): PodListDoc {
  return {
    apiVersion: "podpin/v1",
    kind: "PodList",
    items: node.admittedPods().flatMap((p) => podStatusDoc(node, p.uid) ?? []),
  };
}

/** `GET /v1/node`: the machine, the kubelet settings and the node section of `simulate -o json`. */
export interface NodeInfoDoc {
  apiVersion: "podpin/v1";
  kind: "Node";
  kubernetesVersion: string;
  machine: ReturnType<typeof simulationDoc>["machine"];
  kubelet: ReturnType<typeof simulationDoc>["kubelet"];
  node: NodeDoc;
}

export function nodeInfoDoc(node: Node): NodeInfoDoc {
  // The simulation document of a run without steps is exactly the node as it stands.
  const { kubernetesVersion, machine, kubelet, node: section } = simulationDoc(node, []);
  return { apiVersion: "podpin/v1", kind: "Node", kubernetesVersion, machine, kubelet, node: section };
}
