import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { parseKubeletConfig, parsePods, type Pod } from "../src/k8s/index.js";
import { type DeviceResource, type Machine, NO_PLUGIN_OPTIONS, presetMachine } from "../src/machine/index.js";
import {
  Node,
  nodeConfigFromKubelet,
  type TopologyManagerPolicyName,
  type TopologyManagerScopeName,
} from "../src/node/index.js";
import type { BenchOptions } from "./bench-targets.js";
import { measure, type Timing } from "./bench-timing.js";

/**
 * A device-heavy admission: an 8-NUMA machine with one GPU per NUMA node, and the blog pods with a
 * GPU in their main container, in both scopes. Each row is timed beside the same pod without its
 * GPU on the same machine (the CPU and memory work alone), and reported as the ratio of the two.
 */

export interface DeviceAdmissionRow {
  machine: string;
  pod: string;
  scope: TopologyManagerScopeName;
  policy: TopologyManagerPolicyName;
  withDevices: Timing;
  cpuOnly: Timing;
  /** withDevices median over cpuOnly median. */
  ratio: number;
}

const NUMA_NODES = 8;
const GPU = "nvidia.com/gpu";

function gpuMachine(): Machine {
  const base = presetMachine("synthetic-8n-512c");
  if (!base) throw new Error("no preset synthetic-8n-512c");
  const gpus: DeviceResource = {
    name: GPU,
    registered: true,
    devices: Array.from({ length: NUMA_NODES }, (_, n) => ({
      id: `GPU-${n}`,
      numaNodes: [n],
      healthy: true,
    })),
    plugin: NO_PLUGIN_OPTIONS,
  };
  return { ...base, name: "synthetic-8n-512c + 8 GPUs", devices: new Map([[GPU, gpus]]) };
}

const examples = new URL("../examples/", import.meta.url);

function examplePod(file: string): Pod {
  const [pod] = parsePods(readFileSync(new URL(file, examples), "utf8"), file);
  return pod;
}

/** The same pod with every device-plugin limit removed. */
function withoutDevices(pod: Pod): Pod {
  const strip = <T extends { resources?: { limits: Record<string, unknown> } | null }>(c: T): T =>
    c.resources
      ? {
          ...c,
          resources: {
            ...c.resources,
            limits: Object.fromEntries(Object.entries(c.resources.limits).filter(([k]) => k !== GPU)),
          },
        }
      : c;
  return { ...pod, initContainers: pod.initContainers.map(strip), containers: pod.containers.map(strip) };
}

/** The pod with one GPU added to its first app container's limits. */
function withGPU(pod: Pod): Pod {
  const [first, ...rest] = pod.containers;
  if (!first.resources) throw new Error(`${pod.name}: the first container has no resources`);
  const gpu = parsePods(
    `apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  containers:\n  - name: x\n    resources: {limits: {${GPU}: "1"}}\n`,
    "gpu",
  )[0].containers[0].resources?.limits[GPU];
  if (!gpu) throw new Error("cannot build the GPU limit");
  return {
    ...pod,
    containers: [
      { ...first, resources: { ...first.resources, limits: { ...first.resources.limits, [GPU]: gpu } } },
      ...rest,
    ],
  };
}

function node(machine: Machine, scope: TopologyManagerScopeName, policy: TopologyManagerPolicyName): Node {
  const file = `kubelet-${scope}-scope.yaml`;
  const base = nodeConfigFromKubelet(parseKubeletConfig(readFileSync(new URL(file, examples), "utf8"), file));
  return new Node({ machine, config: { ...base, topologyManagerPolicy: policy } });
}

function sample(n: Node, pod: Pod): () => number {
  return () => {
    const t0 = performance.now();
    const result = n.admit(pod);
    const spent = performance.now() - t0;
    if (!result.admitted) throw new Error(`${pod.name} rejected on ${n.machine.name}: ${result.message}`);
    n.remove(pod.uid);
    return spent;
  };
}

const TIMING = { warmup: 50, minRuns: 30, maxRuns: 2000, budgetMs: 600 };
const QUICK_TIMING = { warmup: 5, minRuns: 10, maxRuns: 100, budgetMs: 30 };

export function benchDeviceAdmissions(opts: BenchOptions): DeviceAdmissionRow[] {
  const timing = opts.quick ? QUICK_TIMING : TIMING;
  const machine = gpuMachine();
  const pods = [
    {
      scope: "pod" as const,
      label: "tightly-coupled-database + 1 GPU (pod scope)",
      file: "tightly-coupled-database.yaml",
    },
    { scope: "container" as const, label: "ml-workload-gpu (container scope)", file: "ml-workload-gpu.yaml" },
  ];
  const rows: DeviceAdmissionRow[] = [];
  for (const { scope, label, file } of pods) {
    const example = examplePod(file);
    const gpuPod = example.containers.some((c) => c.resources?.limits[GPU]) ? example : withGPU(example);
    const cpuPod = withoutDevices(gpuPod);
    for (const policy of ["single-numa-node", "best-effort", "restricted"] as const) {
      const n = node(machine, scope, policy);
      // Alternate the two so that both see the same JIT and GC state.
      measure(sample(n, cpuPod), { ...timing, budgetMs: timing.budgetMs / 6 });
      const withDevices = measure(sample(n, gpuPod), timing);
      const cpuOnly = measure(sample(n, cpuPod), timing);
      rows.push({
        machine: machine.name,
        pod: label,
        scope,
        policy,
        withDevices,
        cpuOnly,
        ratio: withDevices.p50Ms / cpuOnly.p50Ms,
      });
    }
  }
  return rows;
}
