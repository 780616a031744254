import type { Machine } from "../machine/index.js";
import { Node, type NodeConfig, nodeConfigFromKubelet } from "../node/index.js";
import { UsageError } from "./errors.js";
import { loadKubeletConfig, loadMachineOption, type NodeInputOptions } from "./inputs.js";
import { assertKubeletStarts } from "./kubelet-inputs.js";
import { usesKubeletDefaults } from "./simulate.js";
import { configMismatch, machineMismatch } from "./state-inputs.js";
import { nodeFromState, readStateSource } from "./state.js";

/*
 * The node `explain` works on. A `--state` simulation document carries the machine and the
 * kubelet settings it was made with, and they apply unless the command line names others; a
 * machine or configuration given that differs from the state's is bad input, said as such
 * (otherwise the checkpoints would be read against the wrong CPUs and NUMA nodes).
 */

export interface StateNodeOptions extends NodeInputOptions {
  state?: string;
  /** False when `-m` was not given (its default applies); a state's own machine is then used. */
  machineGiven?: boolean;
}

export interface ExplainNode {
  node: Node;
  machine: Machine;
  config: NodeConfig;
  /** The kubelet's built-in defaults apply (no configuration from the command line or the state). */
  usedDefaults: boolean;
}

/** Whether the command line says anything about the kubelet's configuration. */
function configGiven(opts: NodeInputOptions): boolean {
  return (
    !usesKubeletDefaults(opts) || opts.kubernetesVersion !== undefined || opts.featureGates !== undefined
  );
}

export function explainNode(opts: StateNodeOptions): ExplainNode {
  const source = opts.state ? readStateSource(opts.state) : null;
  const state = source?.kind === "simulation" ? source : null;
  const where = `--state ${opts.state}`;
  let machine: Machine;
  if (state?.machine) {
    machine = state.machine;
    if (opts.machineGiven !== false) {
      const mismatch = machineMismatch(state.machine, loadMachineOption(opts.machine), opts.machine);
      if (mismatch) throw new UsageError(`${where}: ${mismatch}`);
    }
  } else machine = loadMachineOption(opts.machine);
  let config: NodeConfig;
  let usedDefaults = false;
  if (state?.config) {
    config = state.config;
    if (configGiven(opts)) {
      const mismatch = configMismatch(
        state.config,
        nodeConfigFromKubelet(loadKubeletConfig(opts)),
        state.configSource,
      );
      if (mismatch) throw new UsageError(`${where}: ${mismatch}`);
    }
  } else {
    const kubelet = loadKubeletConfig(opts);
    config = nodeConfigFromKubelet(kubelet);
    assertKubeletStarts(machine, kubelet, config);
    usedDefaults = usesKubeletDefaults(opts);
  }
  const node = source ? nodeFromState(machine, config, source) : new Node({ machine, config });
  return { node, machine, config, usedDefaults };
}
