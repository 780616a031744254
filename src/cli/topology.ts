import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import {
  type Machine,
  MachineError,
  loadMachine,
  machineToDocument,
  nodeHostname,
} from "../machine/index.js";
import {
  buildNodeView,
  type DataFormat,
  emptyNodeState,
  formatData,
  renderHtmlReport,
  renderMachineTable,
} from "../report/index.js";

const FORMATS = ["table", "json", "yaml"] as const;
type OutputFormat = (typeof FORMATS)[number];

interface TopologyOptions {
  machine: string;
  output: string;
  html?: string;
  sysfsRoot?: string;
}

/** Bad input: one line naming the input on stderr, exit code 2. */
class UsageError extends Error {}

function parseFormat(value: string): OutputFormat {
  if ((FORMATS as readonly string[]).includes(value)) return value as OutputFormat;
  throw new UsageError(`--output: unknown format ${JSON.stringify(value)}: expected table, json or yaml`);
}

function writeHtml(machine: Machine, file: string): void {
  const html = renderHtmlReport({
    title: `podpin topology · ${machine.name}`,
    view: buildNodeView(machine, emptyNodeState(machine)),
    decisions: [],
    notes: machine.notes,
  });
  try {
    writeFileSync(file, html);
  } catch (err) {
    throw new UsageError(`--html ${file}: cannot write the report: ${(err as Error).message}`);
  }
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
    machine = loadMachine(spec, { sysfsRoot });
  } catch (err) {
    // A MachineError already names the file or preset it is about.
    const message =
      err instanceof MachineError ? err.message : `--machine ${spec}: ${(err as Error).message}`;
    throw new UsageError(message);
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
    .option(
      "-m, --machine <spec>",
      'a preset name, a machine file (JSON/YAML), or "this" for the running machine',
      "this",
    )
    .option(
      "-o, --output <format>",
      "table, json or yaml (json/yaml print a machine file that loads back)",
      "table",
    )
    .option("--html <file>", "also write the machine picture as a self-contained HTML page")
    .option(
      "--sysfs-root <dir>",
      "with --machine this: read sys/ (and the hostname) under <dir> instead of /, e.g. a copy of a node's tree",
    )
    .addHelpText(
      "after",
      "\nCapture a node for later runs: on the node, podpin topology -m this -o yaml > node.yaml\n",
    )
    .action((opts: TopologyOptions) => {
      try {
        const format = parseFormat(opts.output);
        const machine = topologyMachine(opts.machine, opts.sysfsRoot);
        process.stdout.write(topologyOutput(machine, format));
        if (opts.html !== undefined) {
          writeHtml(machine, opts.html);
          process.stderr.write(`wrote ${opts.html}\n`);
        }
      } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        process.stderr.write(`podpin topology: ${err.message.replace(/\s*\n\s*/g, " ")}\n`);
        process.exitCode = 2;
      }
    });
}
