import { type Command, Option } from "commander";
import { type FleetReport, renderFleetHtml, renderFleetTable, runFleet } from "../cluster/fleet/index.js";
import { formatData } from "../report/index.js";
import { type CommandOutput, runCommand, UsageError } from "./errors.js";

export interface FleetOptions {
  file?: string;
  output: "table" | "json" | "html";
  workers: string;
}

export const DEFAULT_FLEET_WORKERS = 2;
const MAX_WORKERS = 64;

function workersOf(text: string): number {
  const n = /^[0-9]+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_WORKERS)
    throw new UsageError(
      `--workers: expected a whole number from 1 to ${MAX_WORKERS}, got ${JSON.stringify(text)}`,
    );
  return n;
}

export function renderFleet(report: FleetReport, output: FleetOptions["output"]): string {
  if (output === "json") return formatData(report, "json");
  if (output === "html") return renderFleetHtml(report);
  return renderFleetTable(report);
}

/** The whole command as a function of its options (testable without a process). */
export async function fleet(opts: FleetOptions): Promise<CommandOutput> {
  if (!opts.file)
    throw new UsageError("no fleet: give -f FILE (a kind: Fleet YAML file, e.g. examples/fleet/fleet.yaml)");
  const report = await runFleet(opts.file, { workers: workersOf(opts.workers) });
  return { exitCode: 0, stdout: renderFleet(report, opts.output) };
}

export function registerFleet(program: Command): void {
  program
    .command("fleet")
    .description(
      "What-if for a cluster: place a workload on node groups as the default scheduler would, have each node's kubelet admit it, with and without NUMA-aware scheduling",
    )
    .addOption(
      new Option(
        "-f, --file <fleet.yaml>",
        "the fleet: node groups and workloads (kind: Fleet, apiVersion: podpin.io/v1alpha1)",
      ).default(undefined, "none; required"),
    )
    .addOption(
      new Option("-o, --output <format>", "output format")
        .choices(["table", "json", "html"])
        .default("table"),
    )
    .addOption(
      new Option("--workers <n>", "worker threads; the two scenarios run in parallel from 2").default(
        String(DEFAULT_FLEET_WORKERS),
      ),
    )
    .addHelpText(
      "after",
      "\nExit status: 0 when the report was made (rejections are findings, not failures), 2 on bad input.\n\nExamples:\n  podpin fleet -f examples/fleet/fleet.yaml\n  podpin fleet -f examples/fleet/fleet.yaml -o html > fleet.html\n",
    )
    .action((opts: FleetOptions) => runCommand(() => fleet(opts)));
}
