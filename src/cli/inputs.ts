import { statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { type KubeletConfig, type Pod, parseYamlDocument } from "../k8s/index.js";
import { type DeviceSpec, loadMachine, type Machine, parseDeviceListUpdate } from "../machine/index.js";
import { type NodeConfig, nodeConfigFromKubelet } from "../node/index.js";
import { UsageError } from "./errors.js";
import { readFailureReason, readInputFile } from "./read-input.js";
import {
  assertKubeletStarts,
  type KubeletInputOptions,
  loadKubeletConfig as loadKubeletFromOptions,
} from "./kubelet-inputs.js";
import { loadPodInputs, type PodSourceOptions } from "./pod-sources.js";

/** Options every command that builds a node shares. */
export interface NodeInputOptions extends KubeletInputOptions {
  config?: string;
  machine: string;
  kubernetesVersion?: string;
  featureGates?: string;
}

export const DEFAULT_MACHINE = "worked-example";

/** The kubelet configuration after the kubelet's flags and `--kubernetes-version`/`--feature-gates`. */
export function loadKubeletConfig(opts: NodeInputOptions): KubeletConfig {
  return loadKubeletFromOptions(opts);
}

/**
 * The machine `--machine` names. A spec that is a path (a slash, or a .json/.yaml/.yml ending, as
 * the machine module reads it) must name a file that can be read, said as for every other file.
 */
export function loadMachineOption(spec: string, sysfsRoot?: string): Machine {
  if (/[/\\]/.test(spec) || /\.(json|ya?ml)$/i.test(spec)) {
    try {
      statSync(spec);
    } catch (err) {
      throw new UsageError(`cannot read ${spec}: ${readFailureReason(err)}`);
    }
  }
  return loadMachine(spec, { sysfsRoot });
}

export function loadNodeInputs(opts: NodeInputOptions): {
  machine: Machine;
  kubelet: KubeletConfig;
  config: NodeConfig;
} {
  const kubelet = loadKubeletConfig(opts);
  const machine = loadMachineOption(opts.machine);
  const config = nodeConfigFromKubelet(kubelet);
  assertKubeletStarts(machine, kubelet, config);
  return { machine, kubelet, config };
}

/** Pods from files, directories (their .yaml/.yml/.json files, sorted) or `-` (stdin), validated. */
export function loadPods(sources: readonly string[], options: PodSourceOptions = {}): Pod[] {
  return loadPodInputs(sources, options).map((p) => p.pod);
}

/** One scripted event. */
export type StepEvent =
  | { op: "admit"; pod: Pod }
  | { op: "remove"; pod: string }
  | { op: "updateDevices"; resource: string; devices: DeviceSpec[] };

const STEP_KINDS = '"admit", "remove" or "updateDevices"';

/** `steps[3].updateDevices.devices[0].healthy` from a field path. */
function fieldPath(base: string, path: readonly (string | number)[]): string {
  return path.reduce<string>((s, p) => (typeof p === "number" ? `${s}[${p}]` : `${s}.${p}`), base);
}

/**
 * A steps file: `steps:` is a list whose items are `admit: <pod file>` (relative to the steps
 * file; every pod in it, in order), `remove: <namespace/name | name | uid>`, or
 * `updateDevices: {resource, devices: [{id, numaNodes, healthy}]}` (a device plugin's new list,
 * checked as a machine file's `resources` are).
 */
export function loadSteps(path: string, options: PodSourceOptions = {}): StepEvent[] {
  // Integers as bigints: device lists are validated by the machine-file rules, which read them so.
  const doc = parseYamlDocument(readInputFile(path, "steps file"), path, {
    version: "1.2",
    intAsBigInt: true,
  })?.data;
  const steps = (doc as { steps?: unknown } | null)?.steps;
  if (!Array.isArray(steps))
    throw new UsageError(
      `${path}: steps: expected a list of {admit: <pod file>}, {remove: <pod>} or {updateDevices: {resource, devices}}`,
    );
  const events: StepEvent[] = [];
  steps.forEach((item, i) => {
    const where = `${path}: steps[${i}]`;
    if (!item || typeof item !== "object" || Object.keys(item).length !== 1)
      throw new UsageError(`${where}: expected exactly one of ${STEP_KINDS}`);
    const [op, value] = Object.entries(item as Record<string, unknown>)[0];
    if (op === "updateDevices") {
      const update = parseDeviceListUpdate(value);
      if ("message" in update)
        throw new UsageError(
          `${path}: ${fieldPath(`steps[${i}].updateDevices`, update.path)}: ${update.message}`,
        );
      events.push({ op: "updateDevices", resource: update.resource, devices: update.devices });
      return;
    }
    if (op !== "admit" && op !== "remove")
      throw new UsageError(`${where}: unknown step ${JSON.stringify(op)}; expected ${STEP_KINDS}`);
    if (typeof value !== "string" || value === "") throw new UsageError(`${where}.${op}: expected a string`);
    if (op === "admit") {
      for (const pod of loadPods([resolve(dirname(path), value)], options)) events.push({ op: "admit", pod });
    } else {
      events.push({ op: "remove", pod: value });
    }
  });
  return events;
}
