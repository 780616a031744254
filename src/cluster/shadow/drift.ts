/**
 * What podpin would have decided for each pod the kubelet holds state for, and where that differs
 * from what the kubelet decided. Pure: no file, clock or network.
 *
 * The order matters, as it did for the kubelet: it admits pods one at a time in creation order,
 * each against the pods admitted before it. So pod k is decided on the kubelet's truth with the
 * pods created after it taken out (and k itself): the node restored from the kubelet's state,
 * pods k, k+1, … removed, then k admitted. Deciding against every other pod instead would see
 * CPUs and devices that later pods took, which the kubelet could not have seen, and report drift
 * that is only a matter of order. Pods the states name but the pod source does not know (no spec)
 * stay as they are: their place in the order is unknown, and their state is the truth either way.
 * What this cannot see: a pod that was running when k was admitted and has since gone.
 */
import { restoreNode, type RestoredStates } from "../../agent/state/index.js";
import type { Pod } from "../../k8s/index.js";
import type { Machine } from "../../machine/index.js";
import type { Node, NodeConfig } from "../../node/index.js";
import type { PodObjectRef } from "../types.js";
import {
  allocationOf,
  answerKey,
  containersOf,
  DRIFT_RESOURCES,
  type DriftResource,
  type PodAllocation,
} from "./allocation.js";
import { describeAnswer } from "./describe.js";
import { cloneRestored } from "./restored.js";

export interface ContainerDrift {
  /** The container's name; POD_LEVEL for the pod-level sets. */
  container: string;
  resource: DriftResource;
  kubelet: string;
  podpin: string;
}

export interface PodDrift {
  pod: PodObjectRef;
  containers: ContainerDrift[];
}

export interface DriftInput {
  machine: Machine;
  config: NodeConfig;
  /** The kubelet's truth. */
  restored: RestoredStates;
  /** Pods with specs, in the kubelet's admission order (creation order). */
  pods: readonly Pod[];
  /** Pods the states name without a spec (known by UID). */
  uidOnly: readonly Pod[];
  /** UIDs the kubelet's states hold anything for. */
  inState: ReadonlySet<string>;
}

/** The node as the kubelet had it just before admitting `pods[k]`. */
function nodeBefore(input: DriftInput, k: number): Node {
  const restored = cloneRestored(input.restored);
  const later = input.pods.slice(k).map((p) => p.uid);
  // The Device Manager keeps a pod's records until a purge finds the pod inactive, and hands a
  // container the devices it already holds: the pod being decided must not find its own.
  if (restored.device) {
    const podDevices = new Map(restored.device.podDevices);
    for (const uid of later) podDevices.delete(uid);
    restored.device = { ...restored.device, podDevices };
  }
  const node = restoreNode({
    machine: input.machine,
    config: input.config,
    restored,
    runningPods: [...input.pods, ...input.uidOnly],
    admissionLimit: null,
  });
  for (const uid of later.reverse()) node.remove(uid);
  return node;
}

function statesOf(node: Node): RestoredStates {
  return {
    cpu: node.cpuPolicy?.state.data,
    memory: node.memoryPolicy?.state,
    device: node.deviceManager.stateData(),
  };
}

/** What podpin answers for `pod` on `node`: its allocation, or why it would not admit it. */
function podpinAnswer(node: Node, pod: Pod): { allocation: PodAllocation } | { refused: string } {
  try {
    const result = node.admit(pod);
    if (!result.admitted) return { refused: `not admitted (${result.reason}: ${result.message})` };
  } catch (err) {
    return { refused: `not admitted (${err instanceof Error ? err.message.split("\n")[0] : String(err)})` };
  }
  return { allocation: allocationOf(statesOf(node), pod.uid) };
}

/** The containers of `pod` whose podpin answer differs from the kubelet's. */
export function podDrift(input: DriftInput, k: number): ContainerDrift[] {
  const pod = input.pods[k];
  const kubelet = allocationOf(input.restored, pod.uid);
  const answer = podpinAnswer(nodeBefore(input, k), pod);
  const topology = input.machine.topology;
  const out: ContainerDrift[] = [];
  for (const resource of DRIFT_RESOURCES) {
    if ("refused" in answer) {
      for (const container of containersOf(resource, kubelet))
        if (answerKey(kubelet, resource, container) !== "")
          out.push({
            container,
            resource,
            kubelet: describeAnswer(kubelet, resource, container, topology),
            podpin: answer.refused,
          });
      continue;
    }
    const podpin = answer.allocation;
    for (const container of containersOf(resource, kubelet, podpin)) {
      if (answerKey(kubelet, resource, container) === answerKey(podpin, resource, container)) continue;
      out.push({
        container,
        resource,
        kubelet: describeAnswer(kubelet, resource, container, topology),
        podpin: describeAnswer(podpin, resource, container, topology),
      });
    }
  }
  return out;
}

/** Every pod with specs that the kubelet holds state for, with the containers that drift (possibly none). */
export function decisionDrift(input: DriftInput): PodDrift[] {
  const out: PodDrift[] = [];
  input.pods.forEach((pod, k) => {
    if (!input.inState.has(pod.uid)) return;
    out.push({
      pod: { namespace: pod.namespace, name: pod.name, uid: pod.uid },
      containers: podDrift(input, k),
    });
  });
  return out;
}
