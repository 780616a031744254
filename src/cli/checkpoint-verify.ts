import type { Command } from "commander";
import { type FileVerification, type Verification, verifyStateDir } from "../agent/state/index.js";
import type { KubernetesVersion } from "../k8s/index.js";
import { loadMachine } from "../machine/index.js";
import { nodeConfigFromKubelet, type NodeConfig } from "../node/index.js";
import { formatData } from "../report/index.js";
import { type CommandOutput, runCommand } from "./errors.js";
import { loadKubeletConfig, loadNodeInputs, type NodeInputOptions } from "./inputs.js";
import { flagOption, outputOption, refuseRepeatedOptions } from "./options.js";
import { addNodeOptions, usesKubeletDefaults } from "./simulate.js";
import { assertStateDirectory, noStateFileError } from "./state-dir-argument.js";

export interface VerifyCommandOptions extends NodeInputOptions {
  output: "table" | "json" | "yaml";
  strict?: boolean;
  /** Whether -m was given: the start-up validation runs against a named machine only. */
  machineGiven?: boolean;
}

export const VERIFY_EXIT_STATUS = `
Exit status (for scripts):
  0  every file verifies: the kubelet, and the podpin agent for a directory with its record,
     would start with it and restore all of it (warnings, such as accepted quirks, allowed)
  1  a problem: a file is damaged or truncated, the configured kubelet would refuse it or drop
     part of it, the start-up validation against the machine (-m) refuses it, or the files
     disagree with podpin_agent_state; with --strict, a warning too
  2  bad input: no such directory, no state file in it, a bad option or configuration

Without -c the files are read with their own policies and PodLevelResourceManagers on (nothing
of them dropped); give the node's kubelet configuration (-c, --kubelet-flags-file) to check them
as that kubelet reads them, and -m (-m this on the node) to run the CPU and Memory Managers'
start-up validation against the machine.
`;

function configGiven(opts: VerifyCommandOptions): boolean {
  return !usesKubeletDefaults(opts) || opts.featureGates !== undefined;
}

function verdictLine(f: FileVerification): string {
  if (f.verdict === "problem") return `${f.file}: problem`;
  return `${f.file}: ${f.verdict} (${f.summary})`;
}

function table(v: Verification, problems: number, warnings: number, strict: boolean): string {
  const lines = [`Read as ${v.readAs}.`];
  for (const f of v.files) {
    lines.push(verdictLine(f));
    for (const p of f.problems) lines.push(`  ${p}`);
    for (const w of f.warnings) lines.push(`  warning: ${w}`);
  }
  for (const n of v.notes) lines.push(`note: ${n}`);
  const w = warnings > 0 ? ` (${warnings} warning${warnings === 1 ? "" : "s"})` : "";
  if (problems > 0)
    lines.push(
      `${problems} problem${problems === 1 ? "" : "s"}${w}: a kubelet or agent would not start with this directory as it is`,
    );
  else if (strict && warnings > 0)
    lines.push(`${warnings} warning${warnings === 1 ? "" : "s"} (--strict): not ok`);
  else lines.push(`ok: every file verifies${w}`);
  return `${lines.join("\n")}\n`;
}

/** `podpin checkpoint verify DIR`: checks a state directory without changing it. */
export async function checkpointVerify(dir: string, opts: VerifyCommandOptions): Promise<CommandOutput> {
  assertStateDirectory(dir);
  let config: NodeConfig | null = null;
  let machine = null;
  if (configGiven(opts)) {
    if (opts.machineGiven) ({ machine, config } = loadNodeInputs(opts));
    else config = nodeConfigFromKubelet(loadKubeletConfig(opts));
  } else if (opts.machineGiven) {
    machine = loadMachine(opts.machine);
  }
  const version: KubernetesVersion = (opts.kubernetesVersion as KubernetesVersion | undefined) ?? "1.37";
  const v = await verifyStateDir(dir, { config, version, machine });
  if (v.files.every((f) => f.verdict === "absent")) throw noStateFileError(dir);
  const problems = v.files.reduce((n, f) => n + f.problems.length, 0);
  const warnings = v.files.reduce((n, f) => n + f.warnings.length, 0);
  const ok = problems === 0 && !(opts.strict && warnings > 0);
  const stdout =
    opts.output === "table"
      ? table(v, problems, warnings, opts.strict ?? false)
      : formatData(
          {
            apiVersion: "podpin/v1",
            kind: "CheckpointVerification",
            directory: dir,
            readAs: v.readAs,
            ok,
            problems,
            warnings,
            files: v.files,
            notes: v.notes,
          },
          opts.output,
        );
  return { exitCode: ok ? 0 : 1, stdout };
}

export function registerVerify(parent: Command): void {
  const cmd = addNodeOptions(
    parent
      .command("verify")
      .description(
        "Verify a state directory without changing it: checksums and formats of cpu_manager_state, memory_manager_state and device-plugins/kubelet_internal_checkpoint as the configured kubelet reads them, podpin's record, and with -m the managers' start-up validation; one line per file",
      )
      .argument("<dir>", "a kubelet root directory (/var/lib/kubelet) or a podpin agent state directory"),
  )
    .addOption(outputOption())
    .addOption(flagOption("--strict", "count warnings (accepted quirks, an interrupted write) as problems"))
    .addHelpText("after", VERIFY_EXIT_STATUS)
    .action((dir: string, opts: VerifyCommandOptions, command: Command) =>
      runCommand(() =>
        checkpointVerify(dir, { ...opts, machineGiven: command.getOptionValueSource("machine") === "cli" }),
      ),
    );
  refuseRepeatedOptions(cmd);
}
