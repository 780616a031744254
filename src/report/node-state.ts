import { buildDecisions, type Node } from "../node/index.js";
import { podStateOf } from "./from-node.js";
import type { NodeState } from "./ownership.js";

/** The picture's input from a live node: every admitted pod with its current decisions. */
export function nodeStateOf(node: Node): NodeState {
  return {
    defaultCpuSet: node.defaultCpuSet(),
    reservedCpus: node.reservedCPUs(),
    pods: node.admittedPods().map((pod) => {
      const { containers, podDecision } = buildDecisions(node, pod);
      return podStateOf(pod, containers, podDecision);
    }),
    memoryMachineState: node.memoryPolicy?.state.machineState ?? null,
  };
}
