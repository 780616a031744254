import { statSync } from "node:fs";
import type { Command } from "commander";
import { formatReport, runConformance } from "../conformance/index.js";
import { type CommandOutput, runCommand, UsageError } from "./errors.js";
import { flagOption } from "./options.js";
import { readFailureReason } from "./read-input.js";

/**
 * The report on stdout, exit 1 when a case failed; when a vector file could not be read the run
 * is bad input (exit 2): nothing on stdout, the unreadable files named on stderr.
 */
async function conformance(targets: string[], verbose: boolean): Promise<CommandOutput> {
  for (const target of targets) {
    try {
      statSync(target);
    } catch (err) {
      throw new UsageError(`cannot read ${target}: ${readFailureReason(err)}`);
    }
  }
  const report = await runConformance(targets);
  const lines = formatReport(report, verbose);
  if (report.unreadable === 0)
    return { exitCode: report.failed > 0 ? 1 : 0, stdout: lines.map((l) => `${l}\n`).join("") };
  const unreadable = report.files.flatMap((f) =>
    f.unreadable ? [`cannot read ${f.path}: ${f.unreadable}`] : [],
  );
  return { exitCode: 2, stdout: "", notes: [...unreadable, lines[lines.length - 1]] };
}

export function registerConformance(program: Command): void {
  program
    .command("conformance")
    .description(
      "Run kubelet-derived conformance vectors (a folder laid out like shared/conformance: cpu/, topology/, memory/, podlevel/, node/) through the engine",
    )
    .argument("<dir...>", "folders or single vector files")
    .addOption(flagOption("-v, --verbose", "also list every passing case"))
    .action((dirs: string[], opts: { verbose: boolean }) =>
      runCommand(() => conformance(dirs, opts.verbose)),
    );
}
