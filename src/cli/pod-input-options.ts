import type { Command } from "commander";
import type { PodInput } from "../k8s/index.js";
import { UsageError } from "./errors.js";
import { flagOption, repeatableOption, valueOption } from "./options.js";
import type { PodSourceOptions } from "./pod-sources.js";

/** The flags of the commands that read pods (`simulate`, `explain`), as Commander gives them. */
export interface PodReadingFlags {
  filename?: string[];
  recursive?: boolean;
  replicas?: string;
  staticPod?: boolean;
}

/** kubectl's `-f/--filename` and `-R/--recursive`, and how pods are read from what they name. */
export function addPodInputOptions(cmd: Command): Command {
  return cmd
    .addOption(
      repeatableOption(
        "-f, --filename <file>",
        "a pod or workload file, a directory of them, or - for standard input, as kubectl -f takes them; read before the files given as arguments",
        "none",
      ),
    )
    .addOption(
      flagOption("-R, --recursive", "read the directories given with -f or as arguments recursively"),
    )
    .addOption(
      valueOption(
        "--replicas <n>",
        "pods per workload, overriding spec.replicas and a Job's parallelism (a DaemonSet keeps one pod per node)",
        { without: "each workload's own count" },
      ),
    )
    .addOption(
      flagOption(
        "--static-pod",
        "read Pods as the kubelet reads static pod manifests from disk, quantities as written (1.5Gi stays 1.5Gi, which the Memory Manager cannot pin); without it, as the API server stores them (1.5Gi arrives as 1536Mi)",
      ),
    );
}

/** Where the pods come from: the `-f` values in order, then the command's arguments. */
export function podSourcesOf(args: readonly string[], flags: PodReadingFlags): string[] {
  return [...(flags.filename ?? []), ...args];
}

export function podInputOptionsOf(flags: PodReadingFlags): PodSourceOptions {
  const out: PodSourceOptions = {};
  if (flags.replicas !== undefined) {
    if (!/^[0-9]+$/.test(flags.replicas))
      throw new UsageError(
        `--replicas: expected a whole number of pods (0 or more), got ${JSON.stringify(flags.replicas)}`,
      );
    out.replicas = Number(flags.replicas);
  }
  if (flags.staticPod) out.staticPod = true;
  if (flags.recursive) out.recursive = true;
  return out;
}

/** `Deployment web (3 pods)`, for messages about what a file holds. */
export function describeOrigins(inputs: readonly PodInput[]): string {
  const counts = new Map<string, number>();
  for (const { origin } of inputs) {
    const key = `${origin.kind} ${origin.name}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([what, n]) => `${what}${n === 1 ? "" : ` (${n} pods)`}`).join(", ");
}
