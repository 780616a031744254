/**
 * The kubelet checkpoint files of a state directory and the bytes a node's state makes of them.
 * The agent writes all three, whatever the policies, as the kubelet does: its CPU and Memory
 * Managers keep a checkpoint under the `none`/`None` policies too (policy name, empty state).
 */
import { createHash } from "node:crypto";
import {
  CPU_CHECKPOINT_FILE,
  type CheckpointSettings,
  DEVICE_CHECKPOINT_FILE,
  MEMORY_CHECKPOINT_FILE,
  writeCPUCheckpoint,
  writeDeviceCheckpoint,
  writeMemoryCheckpoint,
} from "../../checkpoint/index.js";
import { CPUSet } from "../../core/index.js";
import type { CPUStateData } from "../../managers/cpu/index.js";
import type { MemoryStateData } from "../../managers/memory/index.js";
import type { Node, NodeConfig } from "../../node/index.js";

/** podpin's own record of the agent's state, beside the kubelet's files. */
export const STATE_RECORD_FILE = "podpin_agent_state";

export type CheckpointFileName =
  | typeof CPU_CHECKPOINT_FILE
  | typeof MEMORY_CHECKPOINT_FILE
  | typeof DEVICE_CHECKPOINT_FILE;

/** In the order they are written after the record. */
export const CHECKPOINT_FILES: readonly CheckpointFileName[] = [
  CPU_CHECKPOINT_FILE,
  MEMORY_CHECKPOINT_FILE,
  DEVICE_CHECKPOINT_FILE,
];

export type FileBytes = Record<CheckpointFileName, string>;

export function settingsOf(config: NodeConfig): CheckpointSettings {
  return { version: config.kubernetesVersion, gates: config.featureGates };
}

/** What the CPU Manager stores under the `none` policy. */
export function noneCPUState(): CPUStateData {
  return { policyName: "none", defaultCpuSet: CPUSet.empty, entries: new Map(), podEntries: new Map() };
}

/** What the Memory Manager stores under the `None` policy. */
export function noneMemoryState(): MemoryStateData {
  return { policyName: "None", machineState: new Map(), entries: new Map(), podEntries: new Map() };
}

/** Each registered resource's healthy device ids, as the device checkpoint lists them. */
function healthyDevices(node: Node): Map<string, string[]> {
  return new Map(
    [...node.deviceResources()]
      .filter(([, r]) => r.registered)
      .map(([name, r]) => [name, r.devices.filter((d) => d.healthy).map((d) => d.id)]),
  );
}

/** The three files' content for the node's current state, in its configuration's formats. */
export function checkpointBytesOf(node: Node): FileBytes {
  const settings = settingsOf(node.config);
  return {
    [CPU_CHECKPOINT_FILE]: writeCPUCheckpoint(node.cpuPolicy?.state.data ?? noneCPUState(), settings),
    [MEMORY_CHECKPOINT_FILE]: writeMemoryCheckpoint(node.memoryPolicy?.state ?? noneMemoryState(), settings),
    [DEVICE_CHECKPOINT_FILE]: writeDeviceCheckpoint(node.deviceManager.stateData(), healthyDevices(node)),
  };
}

/** `sha256:<hex>` of the bytes. */
export function contentHash(content: string | Uint8Array): string {
  return `sha256:${createHash("sha256").update(content).digest("hex")}`;
}
