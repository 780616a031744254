import { existsSync } from "node:fs";
import { MachineError } from "./errors.js";
import { loadMachineFile } from "./file.js";
import { hugepagesExceedMemory } from "./memory-check.js";
import type { Machine } from "./machine.js";
import { PRESETS, findPreset } from "./presets/index.js";
import { discoverFromSysfs } from "./sysfs.js";

export type {
  CadvisorCache,
  CadvisorCore,
  CadvisorHugePages,
  CadvisorMachineInfo,
  CadvisorNode,
} from "./cadvisor.js";
export { discoverMachine, discoverTopology, toMachineInfo } from "./discover.js";
export {
  compareBytewise,
  deviceResourceNotes,
  type DevicePluginModel,
  type DeviceResource,
  type DeviceResources,
  type DeviceSpec,
  NO_DEVICES,
  NO_PLUGIN_OPTIONS,
  type PreferredAllocationModel,
  sortedDeviceResources,
} from "./devices.js";
export { parseDeviceListUpdate } from "./device-update.js";
export { MachineError } from "./errors.js";
export { MAX_MACHINE_CPUS } from "./limits.js";
export { type DeviceResourceFacts, type MachineFacts, machineFacts } from "./facts.js";
export type { FieldProblem } from "./file-issues.js";
export { loadMachineFile, machineToDocument, parseMachineText } from "./file.js";
export { nodeHostname } from "./hostname.js";
export {
  type HugePagePool,
  type Machine,
  type MachineTaint,
  type NUMAMemory,
  hugepageResourceName,
  machineNUMANodes,
} from "./machine.js";
export {
  FIXTURE_NODE_MEMORY,
  type FixtureMachineOptions,
  KUBELET_FIXTURE_NAMES,
  type MachineLayout,
  type PresetDefinition,
  kubeletFixture,
  kubeletFixtureMachine,
  layoutMachineInfo,
  machineFromLayout,
  presetMachine,
} from "./presets/index.js";
export {
  discoverFromSysfs,
  type FakePciDevice,
  fakeGpu,
  readPciGpus,
  readSysfsMachineInfo,
  writeFakeSysfs,
} from "./sysfs.js";
export { type CPUInfo, CPUTopology, type TopologyHeader } from "./topology.js";

export interface LoadMachineOptions {
  /** The directory holding `sys/` for `this`; default `/`. */
  sysfsRoot?: string;
}

export interface PresetSummary {
  name: string;
  aliases: string[];
  description: string;
  source: string | null;
}

/** Every preset podpin ships, in catalogue order: machine M, real machines, kubelet fixtures, synthetic. */
export function listPresets(): PresetSummary[] {
  return PRESETS.map((p) => ({
    name: p.name,
    aliases: [...(p.aliases ?? [])],
    description: p.description,
    source: p.source ?? null,
  }));
}

function looksLikePath(spec: string): boolean {
  return /[/\\]/.test(spec) || /\.(json|ya?ml)$/i.test(spec);
}

/**
 * The machine `spec` names: `this` (the running machine, from sysfs), a preset name or alias, or
 * a machine file (JSON or YAML). A spec that looks like a path (a slash, or a .json/.yaml/.yml
 * ending) is always read as a file, so a file can never be shadowed by a preset.
 */
export function loadMachine(spec: string, opts: LoadMachineOptions = {}): Machine {
  const machine = loadMachineUnchecked(spec, opts);
  // The kernel takes hugepage pools from the node's MemTotal, so sysfs cannot disagree.
  return spec === "this" ? machine : checkedMachine(machine, spec);
}

/** A machine whose hugepages fit in its memory (a cadvisor file or a preset could say otherwise). */
function checkedMachine(machine: Machine, spec: string): Machine {
  for (const [id, numa] of machine.memory) {
    const problem = hugepagesExceedMemory(id, numa);
    if (problem) throw new MachineError(spec, problem);
  }
  return machine;
}

function loadMachineUnchecked(spec: string, opts: LoadMachineOptions): Machine {
  if (spec === "this") return discoverFromSysfs(opts.sysfsRoot ?? "/", "this");
  if (!looksLikePath(spec)) {
    const preset = findPreset(spec);
    if (preset) return preset.build();
  }
  if (existsSync(spec)) return loadMachineFile(spec);
  throw new MachineError(
    spec,
    looksLikePath(spec)
      ? "no such machine file"
      : `unknown machine: expected "this", a preset name (${PRESETS.length} presets, e.g. worked-example, intel-xeon-6230r-2s) or a machine file`,
  );
}
