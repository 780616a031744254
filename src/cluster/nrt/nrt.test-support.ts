import { guaranteedPod as guaranteedPodText } from "../../agent/server/agent.test-support.js";
import { type Machine, presetMachine } from "../../machine/index.js";
import { Node } from "../../node/index.js";
import { podFromYaml, workedExampleConfig } from "../../node/test-support.js";
import type { NodeConfig } from "../../node/index.js";
import type { NodeResourceTopologyObject, NrtResourceInfo } from "../types.js";

/** Test helpers of the NodeResourceTopology tests: preset nodes, pods, and reading zones back. */

export function presetNode(preset: string, overrides: Partial<NodeConfig> = {}): Node {
  const machine: Machine | null = presetMachine(preset);
  if (!machine) throw new Error(`no preset ${preset}`);
  return new Node({ machine, config: workedExampleConfig("pod", overrides) });
}

/** A Guaranteed pod of one container with `cpu` CPUs, `memory` and optionally `gpus` of `gpuResource`. */
export function guaranteedPod(
  name: string,
  cpu: number,
  memory: string,
  gpus = 0,
  gpuResource = "nvidia.com/gpu",
) {
  const devices = gpus > 0 ? { [gpuResource]: String(gpus) } : {};
  return podFromYaml(guaranteedPodText(name, String(cpu), memory, devices));
}

/**
 * A pod-level pod: a Guaranteed budget of `cpu` CPUs and `memory`, one container with `exclusive`
 * CPUs of its own and one without requests (it runs in the pod shared pool).
 */
export function podLevelPod(name: string, cpu: number, memory: string, exclusive: number) {
  return podFromYaml(`apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: default, uid: uid-${name}}
spec:
  resources:
    requests: {cpu: "${cpu}", memory: ${memory}}
    limits: {cpu: "${cpu}", memory: ${memory}}
  containers:
    - name: worker
      image: busybox
      resources:
        requests: {cpu: "${exclusive}", memory: 256Mi}
        limits: {cpu: "${exclusive}", memory: 256Mi}
    - name: helper
      image: busybox
`);
}

export function resourceOf(object: NodeResourceTopologyObject, zone: string, name: string): NrtResourceInfo {
  const found = object.zones.find((z) => z.name === zone)?.resources?.find((r) => r.name === name);
  if (!found) throw new Error(`zone ${zone} has no resource ${name}`);
  return found;
}
