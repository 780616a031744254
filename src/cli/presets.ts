import type { Command } from "commander";
import { listPresets, type PresetSummary } from "../machine/index.js";
import { formatData, renderTable } from "../report/index.js";
import { runCommand } from "./errors.js";
import { outputOption } from "./options.js";

/** The text `podpin presets` prints. */
export function presetsOutput(presets: readonly PresetSummary[], format: "table" | "json" | "yaml"): string {
  if (format !== "table") return formatData(presets, format);
  const rows = presets.map((p) => [p.name, p.aliases.length > 0 ? p.aliases.join(",") : "-", p.description]);
  return `${renderTable(["Name", "Aliases", "Description"], rows)}\n`;
}

export function registerPresets(program: Command): void {
  program
    .command("presets")
    .description(
      "List the built-in machines usable with --machine: machine M, real machines, kubelet test topologies, synthetic shapes",
    )
    .addOption(outputOption())
    .action((opts: { output: "table" | "json" | "yaml" }) =>
      runCommand(() => ({ exitCode: 0, stdout: presetsOutput(listPresets(), opts.output) })),
    );
}
