import { buildDecisions, type Node } from "../node/index.js";
import {
  type BlockDoc,
  blockDocs,
  type ContainerDoc,
  containerDoc,
  type PodCgroupDoc,
  type PodRefDoc,
  podCgroupDoc,
} from "../report/index.js";

/**
 * An admitted pod as the node holds it now: the same container and pod-cgroup shapes as an admit
 * step of `podpin simulate -o json` (the types are the report's, so the compiler keeps them
 * aligned), read from the live managers instead of from the admission's answer. Containers in the
 * node shared pool show the pool as it is now, which later admissions and removals change.
 */
export interface PodStatusDoc {
  pod: PodRefDoc;
  bubble: string | null;
  podSharedPool: string | null;
  podMemory: BlockDoc[] | null;
  podCgroup: PodCgroupDoc;
  containers: ContainerDoc[];
}

/** The current decisions for one admitted pod; null when the node has no pod with this uid. */
export function podStatusDoc(node: Node, uid: string): PodStatusDoc | null {
  const pod = node.pod(uid);
  if (!pod) return null;
  const { containers, podDecision } = buildDecisions(node, pod);
  return {
    pod: { namespace: pod.namespace, name: pod.name, uid: pod.uid },
    bubble: podDecision.bubble?.toString() ?? null,
    podSharedPool: podDecision.podSharedPool?.toString() ?? null,
    podMemory: blockDocs(podDecision.memory),
    podCgroup: podCgroupDoc(podDecision.cgroup),
    containers: containers.map(containerDoc),
  };
}
