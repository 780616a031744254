import { existsSync } from "node:fs";
import { join } from "node:path";
import { type Command, Option } from "commander";
import {
  CHECKPOINT_FILES,
  type Migration,
  migrateStateDir,
  STATE_RECORD_FILE,
  StateDirError,
} from "../agent/state/index.js";
import type { CheckpointSettings } from "../checkpoint/index.js";
import type { KubernetesVersion } from "../k8s/index.js";
import { nodeConfigFromKubelet } from "../node/index.js";
import { type CommandOutput, runCommand } from "./errors.js";
import { loadKubeletConfig } from "./kubelet-inputs.js";
import { flagOption, refuseRepeatedOptions, valueOption } from "./options.js";
import { assertStateDirectory, noStateFileError } from "./state-dir-argument.js";

export interface MigrateCommandOptions {
  to: KubernetesVersion;
  dryRun?: boolean;
  config?: string;
  featureGates?: string;
}

export const MIGRATE_EXIT_STATUS = `
Each file is read with the fullest reading (any format a 1.36 or 1.37 kubelet reads) and written
as the target kubelet writes it, atomically and durably; the target's PodLevelResourceManagers
gate comes from -c and --feature-gates (the version's default otherwise). A podpin agent's
directory is migrated through its record, so a crash midway is finished at the agent's next
start; stop the agent first (a running one holds the directory and is refused).

Exit status (for scripts):
  0  migrated, or nothing to do (every file already in the target's format), or --dry-run
  1  refused, nothing written: the target's format cannot carry the state (pod-level entries
     into a format without them), a file no kubelet reads, an agent holds the directory, or the
     directory is mid-write or disagrees with its record
  2  bad input: no such directory, no state file in it, a bad option or configuration
`;

function targetSettings(opts: MigrateCommandOptions): CheckpointSettings {
  const kubelet = loadKubeletConfig({
    config: opts.config,
    featureGates: opts.featureGates,
    kubernetesVersion: opts.to,
  });
  const config = nodeConfigFromKubelet(kubelet);
  return { version: opts.to, gates: config.featureGates };
}

function describe(m: Migration, to: CheckpointSettings, dryRun: boolean): string {
  const lines = m.steps.map((s) => {
    if (s.action === "absent") return `${s.file}: absent`;
    if (s.file === CHECKPOINT_FILES[2])
      return `${s.file}: unchanged (${s.from}, the same format in every version)`;
    if (s.action === "unchanged") return `${s.file}: unchanged (already ${s.to})`;
    return `${s.file}: ${s.from} -> ${s.to}`;
  });
  if (m.record) lines.push(`${STATE_RECORD_FILE}: generation ${m.record.from} -> ${m.record.to}`);
  const target = `Kubernetes ${to.version} (PodLevelResourceManagers ${to.gates.PodLevelResourceManagers ? "on" : "off"})`;
  const changes = m.steps.some((s) => s.action === "rewrite");
  lines.push(
    !changes
      ? `nothing to do: the directory is already in the formats of ${target}`
      : dryRun
        ? `dry run: would migrate to ${target}; nothing written`
        : `migrated to ${target}`,
  );
  return `${lines.join("\n")}\n`;
}

/** `podpin checkpoint migrate DIR --to V`: rewrites the files in the target version's formats. */
export async function checkpointMigrate(dir: string, opts: MigrateCommandOptions): Promise<CommandOutput> {
  assertStateDirectory(dir);
  if (![...CHECKPOINT_FILES, STATE_RECORD_FILE].some((f) => existsSync(join(dir, f))))
    throw noStateFileError(dir);
  const to = targetSettings(opts);
  try {
    const m = await migrateStateDir(dir, { to, dryRun: opts.dryRun });
    return { exitCode: 0, stdout: describe(m, to, opts.dryRun ?? false) };
  } catch (err) {
    if (!(err instanceof StateDirError)) throw err;
    return { exitCode: 1, stdout: "", notes: [`${err.message} (nothing written)`] };
  }
}

export function registerMigrate(parent: Command): void {
  const cmd = parent
    .command("migrate")
    .description(
      "Rewrite a state directory's checkpoint files in the formats of another Kubernetes version (1.36: CPU V2/V3, memory V1/V2; 1.37: CPU V4, memory V3), refusing when the target cannot carry the state",
    )
    .argument("<dir>", "a kubelet root directory (/var/lib/kubelet) or a podpin agent state directory")
    .addOption(
      new Option("--to <version>", "the Kubernetes version whose formats to write")
        .choices(["1.36", "1.37"])
        .makeOptionMandatory(),
    )
    .addOption(flagOption("--dry-run", "say what would be rewritten, write nothing"))
    .addOption(
      valueOption(
        "-c, --config <file>",
        "the target kubelet's KubeletConfiguration (for its feature gates)",
        {
          without: "the kubelet's defaults",
        },
      ),
    )
    .addOption(
      valueOption("--feature-gates <gates>", "the target's gates, e.g. PodLevelResourceManagers=true", {
        without: "the gates of the configuration and the version",
      }),
    )
    .addHelpText("after", MIGRATE_EXIT_STATUS)
    .action((dir: string, opts: MigrateCommandOptions) => runCommand(() => checkpointMigrate(dir, opts)));
  refuseRepeatedOptions(cmd);
}
