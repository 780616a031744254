import type { Command } from "commander";
import { explainAdmission } from "../node/index.js";
import { explainDoc, formatData, nodeDoc, renderExplainText } from "../report/index.js";
import { runCommand, UsageError } from "./errors.js";
import { explainNode, type StateNodeOptions } from "./explain-inputs.js";
import {
  addPodInputOptions,
  describeOrigins,
  type PodReadingFlags,
  podInputOptionsOf,
  podSourcesOf,
} from "./pod-input-options.js";
import { flagOption, outputOption, valueOption } from "./options.js";
import { loadPodInputs } from "./pod-sources.js";
import { addNodeOptions } from "./simulate.js";

export interface ExplainOptions extends StateNodeOptions, PodReadingFlags {
  output: "table" | "json" | "yaml";
  /** Also the notes that hold for most pods (the pod CPU quota the documentation describes, ...). */
  verbose?: boolean;
}

/**
 * `podpin explain` as a function: output text and exit code (0 admitted, 1 rejected), and whether
 * the kubelet's built-in defaults applied (neither the command line nor `--state` configured it).
 */
export function explain(
  podFile: string,
  opts: ExplainOptions,
): { exitCode: number; stdout: string; usedDefaults: boolean } {
  const inputs = loadPodInputs([podFile], podInputOptionsOf(opts));
  if (inputs.length !== 1) {
    const from = inputs.some((p) => p.origin.kind !== "Pod")
      ? ` (${describeOrigins(inputs)}; --replicas 1 explains one pod of a workload)`
      : "";
    throw new UsageError(`${podFile}: expected exactly one pod to explain, found ${inputs.length}${from}`);
  }
  const pods = inputs.map((p) => p.pod);
  const { node, usedDefaults } = explainNode(opts);
  const verbose = opts.verbose ?? false;
  const e = explainAdmission(node, pods[0], { verbose });
  const doc = explainDoc(e, { node: nodeDoc(node) });
  const stdout = opts.output === "table" ? renderExplainText(doc, { verbose }) : formatData(doc, opts.output);
  return { exitCode: e.result.admitted ? 0 : 1, stdout, usedDefaults };
}

/** The one file, directory or `-` that holds the pod to explain (as the argument or with -f). */
function onePodSource(arg: string | undefined, flags: PodReadingFlags): string {
  const sources = podSourcesOf(arg === undefined ? [] : [arg], flags);
  if (sources.length !== 1)
    throw new UsageError(
      `explain takes one pod: give one file, directory or - (as the argument or with -f), got ${sources.length}`,
    );
  return sources[0];
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
          "[pod]",
          "a file (YAML/JSON) holding one pod, or a workload that creates one (see --replicas), or - for standard input; or give it with -f",
        ),
    ),
  )
    .addOption(
      valueOption(
        "--state <dir|file>",
        "node state: a kubelet state directory (cpu_manager_state, memory_manager_state) or a `podpin simulate -o json` output",
        { without: "an empty node" },
      ),
    )
    .addOption(outputOption())
    .addOption(
      flagOption(
        "-v, --verbose",
        "also the notes that hold for most pods (the pod CPU quota the documentation describes, the predicate handler not run after a Topology Manager rejection)",
      ),
    )
    .addHelpText(
      "after",
      "\nA --state from podpin simulate -o json carries its machine and kubelet configuration: they apply unless -m or -c name others, and a different one is an error.\n\nExit status: 0 when the pod would be admitted, 1 when rejected, 2 on bad input.\n",
    )
    .action((pod: string | undefined, opts: ExplainOptions, command: Command) =>
      runCommand(() => {
        const run = explain(onePodSource(pod, opts), {
          ...opts,
          machineGiven: command.getOptionValueSource("machine") === "cli",
        });
        if (run.usedDefaults)
          process.stderr.write(
            "podpin: no --config: the kubelet's defaults (CPU, Memory and Topology Managers all off); e.g. --config examples/kubelet-pod-scope.yaml\n",
          );
        process.stdout.write(run.stdout);
        return run.exitCode;
      }),
    );
}
