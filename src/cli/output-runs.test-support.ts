/**
 * Representative runs of every command that prints `-o json|yaml`, as in-process calls: each
 * example pod under each example configuration (simulate and explain), GPU machines, scripted
 * steps with removals and device updates, metrics, the 1.36 kubelet, the kubelet's defaults,
 * rejections under every Topology Manager policy, `full-pcpus-only`, a `--state` file, topology
 * documents of varied machines, the preset list and a checkpoint report. The output contract tests
 * validate them against docs/output-format.schema.json and scan them for internal spec ids.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadMachine, listPresets } from "../machine/index.js";
import {
  type ExplainDoc,
  renderExplainText,
  renderSimulationTable,
  type SimulationDoc,
} from "../report/index.js";
import { checkpoint } from "./checkpoint.js";
import { checkpointVerify } from "./checkpoint-verify.js";
import { EXAMPLES, writeFixtures } from "./cli.test-support.js";
import { explain } from "./explain.js";
import { fleet, renderFleet } from "./fleet.js";
import { presetsOutput } from "./presets.js";
import { simulate } from "./simulate.js";
import { topologyOutput } from "./topology.js";

/** The `$defs` entry of docs/output-format.schema.json a document kind is checked against. */
export type DocumentKind =
  | "Simulation"
  | "Explanation"
  | "machine"
  | "PresetList"
  | "CheckpointReport"
  | "CheckpointVerification"
  | "FleetReport";

export interface OutputRun {
  /** The command line it stands for, for messages. */
  command: string;
  kind: DocumentKind;
  /** `-o json`. */
  json: string;
  /** `-o table` (the text people read), when the command has one worth scanning. */
  table: string | null;
}

const POD_SCOPE = join(EXAMPLES, "kubelet-pod-scope.yaml");
const CONTAINER_SCOPE = join(EXAMPLES, "kubelet-container-scope.yaml");

function examplePods(): string[] {
  return readdirSync(EXAMPLES)
    .filter((f) => f.endsWith(".yaml") && !f.startsWith("kubelet-"))
    .sort()
    .map((f) => join(EXAMPLES, f));
}

/** A kubelet configuration like the pod-scope example, with another policy, scope or CPU option. */
function configVariant(dir: string, name: string, change: (text: string) => string): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, change(readFileSync(POD_SCOPE, "utf8")));
  return path;
}

const THREE_CPUS = `apiVersion: v1
kind: Pod
metadata: {name: three-cpus, namespace: default, uid: uid-three}
spec:
  containers:
    - name: app
      image: busybox
      resources:
        requests: {cpu: "3", memory: 1Gi}
        limits: {cpu: "3", memory: 1Gi}
`;

const STEPS = (pods: string) => `steps:
  - admit: ${join(EXAMPLES, "ml-workload-gpu.yaml")}
  - updateDevices:
      resource: nvidia.com/gpu
      devices:
        - {id: GPU-a, numaNodes: [0], healthy: false}
        - {id: GPU-b, numaNodes: [1]}
        - {id: GPU-c, numaNodes: null}
  - remove: default/ml-workload-gpu
  - remove: no-such-pod
  - admit: ${pods}
`;

/** Every run, with the temporary directory it wrote its inputs to (the caller removes it). */
export async function outputRuns(): Promise<{ dir: string; runs: OutputRun[] }> {
  const fx = writeFixtures();
  const dir = fx.dir;
  const runs: OutputRun[] = [];
  // The table is rendered from the JSON document, as the command renders it from the same document.
  const sim = async (command: string, pods: string[], opts: Parameters<typeof simulate>[1]) => {
    const json = (await simulate(pods, { ...opts, output: "json" })).stdout;
    const table = renderSimulationTable(JSON.parse(json) as SimulationDoc);
    runs.push({ command: `simulate ${command}`, kind: "Simulation", json, table });
    return json;
  };
  const why = (command: string, pod: string, opts: Omit<Parameters<typeof explain>[1], "output">) => {
    const json = explain(pod, { ...opts, output: "json" }).stdout;
    const table = renderExplainText(JSON.parse(json) as ExplainDoc, { verbose: opts.verbose });
    runs.push({ command: `explain ${command}`, kind: "Explanation", json, table });
  };

  const configs = { "pod scope": POD_SCOPE, "container scope": CONTAINER_SCOPE };
  for (const pod of examplePods())
    for (const [scope, config] of Object.entries(configs)) {
      const machine = pod.includes("gpu") ? "nvidia-dgx-h100" : "worked-example";
      await sim(`${pod} (${scope}, ${machine})`, [pod], { config, machine, output: "json" });
      why(`${pod} (${scope}, ${machine})`, pod, { config, machine });
      why(`-v ${pod} (${scope}, ${machine})`, pod, { config, machine, verbose: true });
    }
  await sim("both blog pods, 1.36, --metrics", [fx.blogDir], {
    config: CONTAINER_SCOPE,
    machine: "worked-example",
    kubernetesVersion: "1.36",
    metrics: true,
    output: "json",
  });
  await sim("the kubelet's defaults", [fx.blogDir], { machine: "worked-example", output: "json" });
  const steps = join(dir, "gpu-steps.yaml");
  writeFileSync(steps, STEPS(join(EXAMPLES, "ml-training-8gpu.yaml")));
  await sim("--steps with device updates and removals", [], {
    config: CONTAINER_SCOPE,
    machine: "nvidia-dgx-h100",
    steps,
    output: "json",
  });

  for (const policy of ["single-numa-node", "restricted", "best-effort", "none"]) {
    const config = configVariant(dir, policy, (t) =>
      t.replace("topologyManagerPolicy: single-numa-node", `topologyManagerPolicy: ${policy}`),
    );
    why(`empty pod shared pool under ${policy}`, fx.emptySharedPool, { config, machine: "worked-example" });
    await sim(`empty pod shared pool under ${policy}`, [fx.emptySharedPool], {
      config,
      machine: "worked-example",
      output: "json",
    });
  }
  const fullCores = configVariant(dir, "full-pcpus-only", (t) =>
    t
      .replace(
        "cpuManagerPolicy: static",
        'cpuManagerPolicy: static\ncpuManagerPolicyOptions:\n  full-pcpus-only: "true"',
      )
      .replace("topologyManagerScope: pod", "topologyManagerScope: container"),
  );
  const three = join(dir, "three-cpus.yaml");
  writeFileSync(three, THREE_CPUS);
  why("3 CPUs under full-pcpus-only", three, { config: fullCores, machine: "worked-example" });
  why("3 CPUs under full-pcpus-only on 512 CPUs", three, { config: fullCores, machine: "synthetic-8n-512c" });

  const state = join(dir, "after-database.json");
  writeFileSync(
    state,
    await sim("the database, for --state", [join(EXAMPLES, "tightly-coupled-database.yaml")], {
      config: POD_SCOPE,
      machine: "worked-example",
      output: "json",
    }),
  );
  why("--state after the database", join(EXAMPLES, "too-big-database.yaml"), {
    machine: "worked-example",
    machineGiven: false,
    state,
  });

  for (const name of [
    "worked-example",
    "nvidia-dgx-h100",
    "intel-xeon-max-2s-snc4-hbm-flat",
    "nvidia-gb200-tray",
    "intel-xeon-6230r-2s-sriov",
    "topoDualSocketMultiNumaPerSocketHT",
  ]) {
    const machine = loadMachine(name);
    runs.push({
      command: `topology -m ${name}`,
      kind: "machine",
      json: topologyOutput(machine, "json"),
      table: topologyOutput(machine, "table"),
    });
  }
  runs.push({
    command: "presets",
    kind: "PresetList",
    json: presetsOutput(listPresets(), "json"),
    table: presetsOutput(listPresets(), "table"),
  });

  const kubeletDir = join(dir, "kubelet");
  mkdirSync(join(kubeletDir, "device-plugins"), { recursive: true });
  const doc = JSON.parse(readFileSync(state, "utf8")) as SimulationDoc;
  writeFileSync(join(kubeletDir, "cpu_manager_state"), doc.state.cpuManagerCheckpoint ?? "");
  writeFileSync(join(kubeletDir, "memory_manager_state"), doc.state.memoryManagerCheckpoint ?? "");
  writeFileSync(
    join(kubeletDir, "device-plugins", "kubelet_internal_checkpoint"),
    doc.state.deviceManagerCheckpoint,
  );
  for (const machineGiven of [true, false]) {
    const opts = { config: POD_SCOPE, machine: "worked-example", machineGiven };
    runs.push({
      command: `checkpoint ${machineGiven ? "-m worked-example " : ""}DIR`,
      kind: "CheckpointReport",
      json: checkpoint(kubeletDir, { ...opts, output: "json" }).stdout,
      table: checkpoint(kubeletDir, { ...opts, output: "table" }).stdout,
    });
  }
  for (const [what, opts] of [
    ["", { machine: "worked-example", machineGiven: false }],
    ["-m worked-example -c pod-scope ", { config: POD_SCOPE, machine: "worked-example", machineGiven: true }],
  ] as const) {
    const json = (await checkpointVerify(kubeletDir, { ...opts, output: "json" })).stdout;
    const table = (await checkpointVerify(kubeletDir, { ...opts, output: "table" })).stdout;
    runs.push({ command: `checkpoint verify ${what}DIR`, kind: "CheckpointVerification", json, table });
  }
  // A small fleet: kubelet rejections, pending pods, pod-level pods, in both scenarios.
  const fleetFile = join(dir, "fleet.yaml");
  writeFileSync(
    fleetFile,
    `apiVersion: podpin.io/v1alpha1
kind: Fleet
metadata: {name: contract}
scheduler: {topologyMatchScoring: LeastAllocated}
nodeGroups:
  - {name: pod-scope, count: 2, machine: worked-example, kubeletConfig: ${POD_SCOPE}}
  - {name: container-scope, count: 1, machine: worked-example, kubeletConfig: ${CONTAINER_SCOPE}}
workloads:
  - name: wide
    replicas: 6
    manifest:
      apiVersion: v1
      kind: Pod
      metadata: {name: wide}
      spec:
        containers:
          - name: c
            resources: {requests: {cpu: "15", memory: 8Gi}, limits: {cpu: "15", memory: 8Gi}}
  - {file: ${join(EXAMPLES, "tightly-coupled-database.yaml")}, replicas: 4}
  - {file: ${join(EXAMPLES, "too-big-database.yaml")}}
  - {file: ${join(EXAMPLES, "ml-workload-gpu.yaml")}}
`,
  );
  const fleetJson = (await fleet({ file: fleetFile, output: "json", workers: "1" })).stdout;
  runs.push({
    command: "fleet -f fleet.yaml",
    kind: "FleetReport",
    json: fleetJson,
    table: renderFleet(JSON.parse(fleetJson), "table"),
  });
  return { dir, runs };
}
