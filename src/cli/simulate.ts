import { type Command, Option } from "commander";
import {
  metricsText,
  Node,
  runSimulation,
  type SimulationEvent,
  type SimulationStep,
} from "../node/index.js";
import {
  buildNodeView,
  decisionRowFromAdmission,
  formatData,
  nodeStateOf,
  renderHtmlReport,
  renderSimulationTable,
  simulationDoc,
} from "../report/index.js";
import { SIMULATE_COLUMN_KEY } from "./column-key.js";
import { type CommandOutput, runCommand, UsageError } from "./errors.js";
import { DEFAULT_MACHINE, loadNodeInputs, loadPods, loadSteps, type NodeInputOptions } from "./inputs.js";
import { flagOption, outputOption, repeatableOption, valueOption } from "./options.js";
import {
  addPodInputOptions,
  type PodReadingFlags,
  podInputOptionsOf,
  podSourcesOf,
} from "./pod-input-options.js";

export interface SimulateOptions extends NodeInputOptions, PodReadingFlags {
  steps?: string;
  output: "table" | "json" | "yaml";
  metrics?: boolean;
  html?: string;
}

/** The options every node-building command shares, with their defaults shown in `--help`. */
export function addNodeOptions(cmd: Command): Command {
  return cmd
    .addOption(
      valueOption(
        "-c, --config <file>",
        "KubeletConfiguration (YAML/JSON), alone or in a kubeadm multi-document configuration",
        { without: "the kubelet's defaults, every resource manager off" },
      ),
    )
    .addOption(
      valueOption("-m, --machine <machine>", 'preset name, machine file, or "this" (this machine\'s sysfs)', {
        value: DEFAULT_MACHINE,
      }),
    )
    .addOption(
      new Option("--kubernetes-version <version>", "behave as this kubelet version")
        .choices(["1.36", "1.37"])
        .default(undefined, 'the configuration\'s kubernetesVersion, else "1.37"'),
    )
    .addOption(
      valueOption(
        "--feature-gates <gates>",
        "override gates, e.g. PodLevelResources=true,PodLevelResourceManagers=true",
        { without: "the gates of the configuration and the version" },
      ),
    )
    .addOption(
      valueOption(
        "--kubelet-flags <flags>",
        'the kubelet\'s command-line flags, e.g. "--cpu-manager-policy=static --kube-reserved=cpu=1,memory=1Gi" (they override --config, as on a node)',
        { without: "none" },
      ),
    )
    .addOption(
      repeatableOption(
        "--kubelet-flags-file <file>",
        "a file with the kubelet's flags: /var/lib/kubelet/kubeadm-flags.env, a systemd drop-in, or a flag line",
        "none",
      ),
    );
}

/** Whether the kubelet runs on its built-in defaults (no configuration file, no flags). */
export function usesKubeletDefaults(opts: NodeInputOptions): boolean {
  return !opts.config && opts.kubeletFlags === undefined && opts.kubeletFlagsFile === undefined;
}

export interface SimulationRun {
  exitCode: number;
  stdout: string;
  html: string | null;
}

/** The whole simulate command as a function of its inputs (testable without a process). */
export async function simulate(podSources: readonly string[], opts: SimulateOptions): Promise<SimulationRun> {
  if (podSources.length === 0 && !opts.steps)
    throw new UsageError(
      "no pods: give -f FILE (a pod file, a directory, or - for standard input), files as arguments, or --steps",
    );
  const { machine, kubelet, config } = loadNodeInputs(opts);
  const reading = podInputOptionsOf(opts);
  const events: SimulationEvent[] = loadPods(podSources, reading).map((pod) => ({ op: "admit", pod }));
  if (opts.steps) events.push(...loadSteps(opts.steps, reading));
  // The engine reads no clock; the command gives it one so the admission-duration histogram
  // is observed once per admission, as the kubelet's is.
  const node = new Node({ machine, config, now: () => performance.now() });
  const steps: SimulationStep[] = [];
  for (const event of events) {
    // A second admission of a running pod is a mistake in the inputs, not a kubelet decision.
    if (event.op === "admit" && node.admittedPods().some((p) => p.uid === event.pod.uid))
      throw new UsageError(
        `pod ${event.pod.namespace}/${event.pod.name}: metadata.uid: ${event.pod.uid} is already admitted; remove it first or give the copy its own uid`,
      );
    steps.push(...runSimulation(node, [event]));
  }
  const doc = simulationDoc(node, steps, opts.metrics ? node.metrics.snapshot() : undefined, {
    configSource: usesKubeletDefaults(opts) ? null : kubelet.source,
  });
  let stdout = opts.output === "table" ? renderSimulationTable(doc) : formatData(doc, opts.output);
  if (opts.metrics && opts.output === "table")
    stdout += `\n${await metricsText(node.metrics, config.kubernetesVersion)}`;
  let html: string | null = null;
  if (opts.html) {
    html = renderHtmlReport({
      view: buildNodeView(machine, nodeStateOf(node)),
      decisions: steps.flatMap((s) => (s.op === "admit" ? [decisionRowFromAdmission(s.result)] : [])),
      summary: [
        `kubelet ${config.kubernetesVersion}: cpuManagerPolicy ${config.cpuManagerPolicy}, memoryManagerPolicy ${config.memoryManagerPolicy}, topologyManagerPolicy ${config.topologyManagerPolicy} (scope ${config.topologyManagerScope})`,
        `PodLevelResources=${config.featureGates.PodLevelResources}, PodLevelResourceManagers=${config.featureGates.PodLevelResourceManagers}`,
      ],
      notes: machine.notes,
    });
  }
  const rejected = steps.some((s) => s.op === "admit" && !s.result.admitted);
  return { exitCode: rejected ? 1 : 0, stdout, html };
}

/** The command's output: the page first, so that a page that cannot be written is the only output. */
function simulateOutput(run: SimulationRun, opts: SimulateOptions): CommandOutput {
  const notes = usesKubeletDefaults(opts) ? [NO_CONFIG_NOTE] : [];
  const files =
    opts.html && run.html !== null ? [{ option: "--html", path: opts.html, content: run.html }] : [];
  return { exitCode: run.exitCode, stdout: run.stdout, files, notes };
}

/** Said on stderr when no configuration was given: the result is the kubelet's defaults. */
export const NO_CONFIG_NOTE =
  "no --config: the kubelet's defaults (CPU, Memory and Topology Managers all off); e.g. --config examples/kubelet-pod-scope.yaml";

export function registerSimulate(program: Command): void {
  addPodInputOptions(
    addNodeOptions(
      program
        .command("simulate")
        .description(
          "Admit pods in order on a simulated node, as the kubelet's Topology, CPU, Memory and Device Managers would, and show every decision",
        )
        .argument(
          "[pods...]",
          "pod or workload files (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, kubectl dumps and Lists), directories of them, or - for standard input",
        ),
    ),
  )
    .addOption(
      valueOption(
        "--steps <file>",
        "scripted events (YAML: steps: [{admit: pod.yaml}, {remove: ns/name}, {updateDevices: {resource, devices}}]), after the pods",
        { without: "none" },
      ),
    )
    .addOption(outputOption())
    .addOption(flagOption("--metrics", "also print the resource managers' metrics (Prometheus text format)"))
    .addOption(
      valueOption("--html <file>", "write an HTML report with a picture of the node", { without: "none" }),
    )
    .addHelpText(
      "after",
      `\nExit status: 0 when every pod was admitted, 1 when any was rejected, 2 on bad input.\n${SIMULATE_COLUMN_KEY}\nExamples:\n  podpin simulate -c examples/kubelet-pod-scope.yaml -f examples/tightly-coupled-database.yaml\n  podpin simulate -c examples/kubelet-pod-scope.yaml -f examples/tightly-coupled-database.yaml -f examples/ml-workload.yaml --html report.html\n`,
    )
    .action((pods: string[], opts: SimulateOptions) =>
      runCommand(async () => simulateOutput(await simulate(podSourcesOf(pods, opts), opts), opts)),
    );
}
