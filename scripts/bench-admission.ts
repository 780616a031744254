import { isDeepStrictEqual } from "node:util";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { parseKubeletConfig, parsePods, type Pod } from "../src/k8s/index.js";
import { presetMachine } from "../src/machine/index.js";
import { type CPUHintSettings, cpuHintSettings } from "../src/managers/cpu/index.js";
import { type MemoryHintSettings, memoryHintSettings } from "../src/managers/memory/index.js";
import { MAX_TABULATED_NODES } from "../src/managers/topology/index.js";
import {
  type AdmissionResult,
  Node,
  nodeConfigFromKubelet,
  type TopologyManagerPolicyName,
  type TopologyManagerScopeName,
} from "../src/node/index.js";
import { measure, type Timing } from "./bench-timing.js";

/**
 * One admission (Topology Manager admit with the CPU and Memory Managers as hint providers) of
 * the blog examples on machines of growing NUMA count, with the hint providers as they run
 * (tables, and only single-node hints under `single-numa-node`) and, in the same run, with the
 * reference hint generation (every mask, one by one). Only `admit` is timed; each sample then
 * removes the pod, which gives back the same empty node for the next sample. Both must decide
 * alike: same admission result, merged hints and allocations.
 */

export interface AdmissionRow {
  numaNodes: number;
  machine: string;
  pod: string;
  scope: TopologyManagerScopeName;
  policy: TopologyManagerPolicyName;
  timing: Timing | null;
  /** Median over the 2-NUMA median of the same pod and policy. */
  vsBaseline: number | null;
  /** Why the scenario was not run. */
  skipped: string | null;
  /** The same admission with the reference hint generation. */
  reference: Timing | null;
  /** Reference median over median. */
  referenceOverFast: number | null;
  /** Why the reference did not run. */
  referenceSkipped: string | null;
  /** The two admissions decided differently (a bug in the hint providers). */
  mismatch: boolean;
}

const MACHINES = [
  { numaNodes: 2, preset: "worked-example" },
  { numaNodes: 8, preset: "synthetic-8n-512c" },
  { numaNodes: 16, preset: "synthetic-16n" },
  { numaNodes: 32, preset: "synthetic-32n" },
  { numaNodes: 34, preset: "nvidia-gb200-tray" },
  { numaNodes: 64, preset: "synthetic-64n" },
] as const;

/** The reference lists 2^N − 1 masks per provider: 16 nodes take a few hundred ms, 32 would take hours. */
const LARGEST_REFERENCE_NUMA = 16;

interface HintMode {
  cpu: CPUHintSettings;
  memory: MemoryHintSettings;
}

const DEFAULT_MODE: HintMode = { cpu: { ...cpuHintSettings }, memory: { ...memoryHintSettings } };
const REFERENCE_MODE: HintMode = {
  cpu: { ...cpuHintSettings, enumeration: "reference", singleNUMAFastPath: false },
  memory: { ...memoryHintSettings, enumeration: "reference", singleNUMAFastPath: false },
};

function withMode<T>(mode: HintMode, fn: () => T): T {
  Object.assign(cpuHintSettings, mode.cpu);
  Object.assign(memoryHintSettings, mode.memory);
  try {
    return fn();
  } finally {
    Object.assign(cpuHintSettings, DEFAULT_MODE.cpu);
    Object.assign(memoryHintSettings, DEFAULT_MODE.memory);
  }
}

const examples = new URL("../examples/", import.meta.url);

function examplePod(file: string): Pod {
  const [pod] = parsePods(readFileSync(new URL(file, examples), "utf8"), file);
  return pod;
}

function exampleNode(
  preset: string,
  numaNodes: number,
  scope: TopologyManagerScopeName,
  policy: TopologyManagerPolicyName,
) {
  const file = `kubelet-${scope}-scope.yaml`;
  const base = nodeConfigFromKubelet(parseKubeletConfig(readFileSync(new URL(file, examples), "utf8"), file));
  const machine = presetMachine(preset);
  if (!machine) throw new Error(`no preset ${preset}`);
  return new Node({
    machine,
    config: {
      ...base,
      topologyManagerPolicy: policy,
      topologyManagerPolicyOptions:
        numaNodes > 8 ? { "max-allowable-numa-nodes": String(numaNodes) } : base.topologyManagerPolicyOptions,
    },
  });
}

function admissionSample(node: Node, pod: Pod, mode: HintMode): () => number {
  return () =>
    withMode(mode, () => {
      const t0 = performance.now();
      const result = node.admit(pod);
      const spent = performance.now() - t0;
      if (!result.admitted)
        throw new Error(`${pod.name} rejected on ${node.machine.name}: ${result.message}`);
      node.remove(pod.uid);
      return spent;
    });
}

/** What an admission decided, without the providers' answers (fewer under single-numa-node). */
function decision(result: AdmissionResult): unknown {
  const merges = result.trace.merges.map(({ answers: _answers, ...rest }) => rest);
  return JSON.parse(
    JSON.stringify({ ...result, trace: { ...result.trace, merges } }, (_k, v) =>
      typeof v === "bigint" ? String(v) : v,
    ),
  );
}

function decideOnce(node: Node, pod: Pod, mode: HintMode): unknown {
  return withMode(mode, () => {
    const result = decision(node.admit(pod));
    node.remove(pod.uid);
    return result;
  });
}

function timingOptions(slow: boolean) {
  return { warmup: slow ? 1 : 3, minRuns: slow ? 5 : 9, maxRuns: 200, budgetMs: slow ? 0 : 1000 };
}

/** Per scenario and mode: a few thousand small admissions, until the JIT has settled. */
const WARM_UP_MS = 250;

/** Runs the small scenarios in both modes first, so that the first rows are not timed cold. */
function warmUp(pods: readonly { scope: TopologyManagerScopeName; pod: Pod }[]): void {
  for (const { scope, pod } of pods) {
    for (const policy of ["single-numa-node", "best-effort"] as const) {
      for (const { preset, numaNodes } of MACHINES.slice(0, 2)) {
        const node = exampleNode(preset, numaNodes, scope, policy);
        for (const mode of [DEFAULT_MODE, REFERENCE_MODE]) {
          const sample = admissionSample(node, pod, mode);
          const until = performance.now() + WARM_UP_MS;
          while (performance.now() < until) sample();
        }
      }
    }
  }
}

export function benchAdmissions(): AdmissionRow[] {
  const pods = [
    {
      scope: "pod" as const,
      label: "tightly-coupled-database (pod scope)",
      pod: examplePod("tightly-coupled-database.yaml"),
    },
    {
      scope: "container" as const,
      label: "ml-workload (container scope)",
      pod: examplePod("ml-workload.yaml"),
    },
  ];
  const policies: TopologyManagerPolicyName[] = ["single-numa-node", "best-effort"];
  warmUp(pods);
  const rows: AdmissionRow[] = [];
  for (const { numaNodes, preset } of MACHINES) {
    for (const { scope, label, pod } of pods) {
      for (const policy of policies) {
        const row: AdmissionRow = {
          numaNodes,
          machine: preset,
          pod: label,
          scope,
          policy,
          timing: null,
          vsBaseline: null,
          skipped: null,
          reference: null,
          referenceOverFast: null,
          referenceSkipped: null,
          mismatch: false,
        };
        rows.push(row);
        const enumerated = `hint generation lists 2^${numaNodes} − 1 NUMA masks per provider`;
        if (policy !== "single-numa-node" && numaNodes > MAX_TABULATED_NODES) {
          row.skipped = enumerated;
          continue;
        }
        const node = exampleNode(preset, numaNodes, scope, policy);
        row.timing = measure(admissionSample(node, pod, DEFAULT_MODE), timingOptions(false));
        const baseline = rows.find(
          (r) => r.numaNodes === 2 && r.pod === label && r.policy === policy,
        )?.timing;
        if (baseline) row.vsBaseline = row.timing.medianMs / baseline.medianMs;

        if (numaNodes > LARGEST_REFERENCE_NUMA) {
          row.referenceSkipped = `the reference lists 2^${numaNodes} − 1 masks`;
          continue;
        }
        row.mismatch = !isDeepStrictEqual(
          decideOnce(node, pod, DEFAULT_MODE),
          decideOnce(node, pod, REFERENCE_MODE),
        );
        row.reference = measure(admissionSample(node, pod, REFERENCE_MODE), timingOptions(numaNodes > 8));
        row.referenceOverFast = row.reference.medianMs / row.timing.medianMs;
      }
    }
  }
  return rows;
}
