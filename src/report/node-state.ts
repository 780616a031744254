import { buildDecisions, type Node } from "../node/index.js";
import type { NodeState, PodState } from "./ownership.js";

/** The picture's input from a live node: every admitted pod with its current decisions. */
export function nodeStateOf(node: Node): NodeState {
  const pods: PodState[] = node.admittedPods().map((pod) => {
    const { containers, podDecision } = buildDecisions(node, pod);
    return {
      uid: pod.uid,
      name: pod.name,
      namespace: pod.namespace,
      bubble: podDecision.bubble,
      podSharedPool: podDecision.podSharedPool,
      memory: podDecision.memory,
      containers: containers.map((c) => ({
        name: c.name,
        kind: c.kind,
        assignmentType: c.assignmentType,
        cpus: c.hasCPUAssignment ? c.cpus : null,
        memory: c.memory,
      })),
    };
  });
  return {
    defaultCpuSet: node.defaultCpuSet(),
    reservedCpus: node.reservedCPUs(),
    pods,
    memoryMachineState: node.memoryPolicy?.state.machineState ?? null,
  };
}
