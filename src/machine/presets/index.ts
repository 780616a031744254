import type { Machine } from "../machine.js";
import type { PresetDefinition } from "./definition.js";
import { FIXTURE_MACHINES } from "./fixture-machines.js";
import { REAL_MACHINES, WORKED_EXAMPLE } from "./real.js";
import { DEVICE_MACHINES } from "./real-devices.js";
import { SYNTHETIC_MACHINES } from "./synthetic.js";

export type { PresetDefinition } from "./definition.js";
export {
  DGX_H100_COMPUTE_FABRIC,
  INTEL_SRIOV_NETDEVICE,
  NVIDIA_GPU,
  NVIDIA_HOSTDEV,
} from "./device-layouts.js";
export { pciAddress, placeholderGpuUuid } from "./devices.js";
export {
  FIXTURE_NODE_MEMORY,
  type FixtureMachineOptions,
  kubeletFixtureMachine,
} from "./fixture-machines.js";
export { KUBELET_FIXTURE_NAMES, kubeletFixture } from "./kubelet-fixtures.js";
export {
  GiB,
  type MachineLayout,
  MiB,
  layoutMachineInfo,
  machineFromLayout,
  socketDistances,
} from "./generate.js";

export const PRESETS: readonly PresetDefinition[] = [
  WORKED_EXAMPLE,
  ...REAL_MACHINES,
  ...DEVICE_MACHINES,
  ...FIXTURE_MACHINES,
  ...SYNTHETIC_MACHINES,
];

const byName = new Map<string, PresetDefinition>();
for (const p of PRESETS) {
  for (const key of [p.name, ...(p.aliases ?? [])]) {
    if (byName.has(key)) throw new Error(`preset name ${key} is used twice`);
    byName.set(key, p);
  }
}

/** The preset called `name` (or one of its aliases), or null. */
export function findPreset(name: string): PresetDefinition | null {
  return byName.get(name) ?? null;
}

/** Builds the preset called `name`, or returns null when there is none. */
export function presetMachine(name: string): Machine | null {
  return findPreset(name)?.build() ?? null;
}
