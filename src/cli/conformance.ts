import type { Command } from "commander";
import { formatReport, runConformance } from "../conformance/index.js";

export function registerConformance(program: Command): void {
  program
    .command("conformance")
    .description(
      "Run kubelet-derived conformance vectors (a folder laid out like shared/conformance: cpu/, topology/, memory/, podlevel/, node/) through the engine",
    )
    .argument("<dir...>", "folders or single vector files")
    .option("-v, --verbose", "also list every passing case")
    .action(async (dirs: string[], opts: { verbose?: boolean }) => {
      const report = await runConformance(dirs);
      for (const line of formatReport(report, opts.verbose)) console.log(line);
      process.exitCode = report.unreadable > 0 ? 2 : report.failed > 0 ? 1 : 0;
    });
}
