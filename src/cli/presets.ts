import type { Command } from "commander";
import { listPresets, type PresetSummary } from "../machine/index.js";
import { formatData, renderTable } from "../report/index.js";

const FORMATS = ["table", "json", "yaml"] as const;

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
    .option("-o, --output <format>", "table, json or yaml", "table")
    .action((opts: { output: string }) => {
      const format = FORMATS.find((f) => f === opts.output);
      if (!format) {
        process.stderr.write(
          `podpin presets: --output: unknown format ${JSON.stringify(opts.output)}: expected table, json or yaml\n`,
        );
        process.exitCode = 2;
        return;
      }
      process.stdout.write(presetsOutput(listPresets(), format));
    });
}
