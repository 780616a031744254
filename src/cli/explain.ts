import { type Command, Option } from "commander";
import { explainAdmission } from "../node/index.js";
import { explainDoc, formatData, nodeDoc, renderExplainText } from "../report/index.js";
import { runCommand, UsageError } from "./errors.js";
import { loadNodeInputs, type NodeInputOptions } from "./inputs.js";
import {
  addPodInputOptions,
  describeOrigins,
  type PodReadingFlags,
  podInputOptionsOf,
} from "./pod-input-options.js";
import { loadPodInputs } from "./pod-sources.js";
import { addNodeOptions, usesKubeletDefaults } from "./simulate.js";
import { nodeWithState } from "./state.js";

export interface ExplainOptions extends NodeInputOptions, PodReadingFlags {
  state?: string;
  output: "table" | "json" | "yaml";
}

/** `podpin explain` as a function: output text and exit code (0 admitted, 1 rejected). */
export function explain(podFile: string, opts: ExplainOptions): { exitCode: number; stdout: string } {
  const inputs = loadPodInputs([podFile], podInputOptionsOf(opts));
  if (inputs.length !== 1) {
    const from = inputs.some((p) => p.origin.kind !== "Pod")
      ? ` (${describeOrigins(inputs)}; --replicas 1 explains one pod of a workload)`
      : "";
    throw new UsageError(`${podFile}: expected exactly one pod to explain, found ${inputs.length}${from}`);
  }
  const pods = inputs.map((p) => p.pod);
  const { machine, config } = loadNodeInputs(opts);
  const node = nodeWithState(machine, config, opts.state);
  const e = explainAdmission(node, pods[0]);
  const doc = explainDoc(e, {
    policy: config.topologyManagerPolicy,
    scope: config.topologyManagerScope,
    version: config.kubernetesVersion,
    node: nodeDoc(node),
  });
  const stdout = opts.output === "table" ? renderExplainText(doc) : formatData(doc, opts.output);
  return { exitCode: e.result.admitted ? 0 : 1, stdout };
}

export function registerExplain(program: Command): void {
  addPodInputOptions(
    addNodeOptions(
      program
        .command("explain")
        .description(
          "Explain what the kubelet would decide for one pod on a node: every hint, the merge, the verdict, and for a rejection what would fit",
        )
        .argument(
          "<pod>",
          "a file (YAML/JSON) holding one pod, or a workload that creates one (see --replicas), or - for standard input",
        ),
    ),
  )
    .option(
      "--state <dir|file>",
      "node state: a kubelet state directory (cpu_manager_state, memory_manager_state) or a `podpin simulate -o json` output; default: an empty node",
    )
    .addOption(
      new Option("-o, --output <format>", "output format")
        .choices(["table", "json", "yaml"])
        .default("table"),
    )
    .addHelpText(
      "after",
      "\nExit status: 0 when the pod would be admitted, 1 when rejected, 2 on bad input.\n",
    )
    .action((pod: string, opts: ExplainOptions) =>
      runCommand(() => {
        const run = explain(pod, opts);
        if (usesKubeletDefaults(opts))
          process.stderr.write(
            "podpin: no --config: the kubelet's defaults (CPU, Memory and Topology Managers all off); e.g. --config examples/kubelet-pod-scope.yaml\n",
          );
        process.stdout.write(run.stdout);
        return run.exitCode;
      }),
    );
}
