import type { Command } from "commander";
import { type Machine, machineToDocument, nodeHostname } from "../machine/index.js";
import {
  buildNodeView,
  type DataFormat,
  emptyNodeState,
  formatData,
  renderHtmlReport,
  renderMachineTable,
} from "../report/index.js";
import { type CommandOutput, isInputError, runCommand, UsageError } from "./errors.js";
import { loadMachineOption } from "./inputs.js";
import { outputOption, valueOption } from "./options.js";

type OutputFormat = "table" | "json" | "yaml";

interface TopologyOptions {
  machine: string;
  output: OutputFormat;
  html?: string;
  sysfsRoot?: string;
}

function htmlPage(machine: Machine): string {
  return renderHtmlReport({
    title: `podpin topology · ${machine.name}`,
    view: buildNodeView(machine, emptyNodeState(machine)),
    decisions: [],
    notes: machine.notes,
  });
}

/**
 * The machine `--machine` names. The running machine (`this`) is named by its hostname, as the
 * kubelet names its node, so that `-o yaml > node.yaml` captures a node under its own name.
 */
function topologyMachine(spec: string, sysfsRoot?: string): Machine {
  if (sysfsRoot !== undefined && spec !== "this")
    throw new UsageError(`--sysfs-root ${sysfsRoot}: only with --machine this`);
  let machine: Machine;
  try {
    machine = loadMachineOption(spec, sysfsRoot);
  } catch (err) {
    // A MachineError already names the file or preset it is about; sysfs read failures do not.
    if (isInputError(err)) throw err;
    throw new UsageError(`--machine ${spec}: ${(err as Error).message}`);
  }
  if (spec !== "this") return machine;
  return { ...machine, name: nodeHostname(sysfsRoot ?? "/") ?? machine.name };
}

/** The text `podpin topology` prints for `machine` in `format`. */
export function topologyOutput(machine: Machine, format: OutputFormat): string {
  if (format === "table") return renderMachineTable(machine);
  return formatData(machineToDocument(machine), format as DataFormat);
}

export function registerTopology(program: Command): void {
  program
    .command("topology")
    .description(
      "Show a machine as the resource managers see it: sockets, NUMA nodes, cores, threads, L3 caches, memory, hugepages and device-plugin devices per NUMA node, distances",
    )
    .addOption(
      valueOption(
        "-m, --machine <spec>",
        'a preset name, a machine file (JSON/YAML), or "this" for the running machine',
        { value: "this" },
      ),
    )
    .addOption(outputOption("output format (json/yaml print a machine file that loads back)"))
    .addOption(
      valueOption("--html <file>", "also write the machine picture as a self-contained HTML page", {
        without: "none",
      }),
    )
    .addOption(
      valueOption(
        "--sysfs-root <dir>",
        "with --machine this: read sys/ (and the hostname) under <dir> instead of /, e.g. a copy of a node's tree",
        { without: "/" },
      ),
    )
    .addHelpText(
      "after",
      "\nCapture a node for later runs: on the node, podpin topology -m this -o yaml > node.yaml\n",
    )
    .action((opts: TopologyOptions) =>
      runCommand((): CommandOutput => {
        const machine = topologyMachine(opts.machine, opts.sysfsRoot);
        const stdout = topologyOutput(machine, opts.output);
        const files =
          opts.html === undefined ? [] : [{ option: "--html", path: opts.html, content: htmlPage(machine) }];
        return { exitCode: 0, stdout, files };
      }),
    );
}
