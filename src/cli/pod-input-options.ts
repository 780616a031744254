import type { Command } from "commander";
import type { PodInput, PodInputOptions } from "../k8s/index.js";
import { UsageError } from "./errors.js";

/** The flags of the commands that read pods (`simulate`, `explain`), as Commander gives them. */
export interface PodReadingFlags {
  replicas?: string;
  staticPod?: boolean;
}

export function addPodInputOptions(cmd: Command): Command {
  return cmd
    .option(
      "--replicas <n>",
      "pods per workload, overriding spec.replicas and a Job's parallelism (a DaemonSet keeps one pod per node)",
    )
    .option(
      "--static-pod",
      "read Pods as the kubelet reads static pod manifests from disk, quantities as written (1.5Gi stays 1.5Gi, which the Memory Manager cannot pin); default: as the API server stores them (1.5Gi arrives as 1536Mi)",
    );
}

export function podInputOptionsOf(flags: PodReadingFlags): PodInputOptions {
  const out: PodInputOptions = {};
  if (flags.replicas !== undefined) {
    if (!/^[0-9]+$/.test(flags.replicas))
      throw new UsageError(
        `--replicas: expected a whole number of pods (0 or more), got ${JSON.stringify(flags.replicas)}`,
      );
    out.replicas = Number(flags.replicas);
  }
  if (flags.staticPod) out.staticPod = true;
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
