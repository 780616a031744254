import { buildDecisions, deviceInventory, type Node } from "../node/index.js";
import type { DeviceState } from "./device-view.js";
import { podStateOf } from "./from-node.js";
import type { NodeState } from "./ownership.js";

/** The node's devices with health, in-use flag and holders, in the picture's shape. */
function deviceStatesOf(node: Node): DeviceState[] {
  return deviceInventory(node).flatMap((r) =>
    r.devices.map((d) => ({
      resource: r.name,
      id: d.id,
      numaNodes: d.numaNodes,
      healthy: d.healthy,
      inUse: d.inUse,
      holders: d.holders.map((h) => ({ podUID: h.podUID, container: h.container })),
    })),
  );
}

/** The picture's input from a live node: every admitted pod with its current decisions, and the devices. */
export function nodeStateOf(node: Node): NodeState {
  return {
    defaultCpuSet: node.defaultCpuSet(),
    reservedCpus: node.reservedCPUs(),
    pods: node.admittedPods().map((pod) => {
      const { containers, podDecision } = buildDecisions(node, pod);
      return podStateOf(pod, containers, podDecision);
    }),
    memoryMachineState: node.memoryPolicy?.state.machineState ?? null,
    devices: deviceStatesOf(node),
  };
}
