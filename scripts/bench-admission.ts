import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { parseKubeletConfig } from "../src/k8s/kubelet-config.js";
import { parsePods } from "../src/k8s/pod.js";
import type { Pod } from "../src/k8s/types.js";
import { presetMachine } from "../src/machine/index.js";
import { nodeConfigFromKubelet } from "../src/node/config.js";
import { Node } from "../src/node/node.js";
import type { TopologyManagerPolicyName, TopologyManagerScopeName } from "../src/node/types.js";
import { measure, type Timing } from "./bench-timing.js";

/**
 * One admission (Topology Manager admit with the CPU and Memory Managers as hint providers) of
 * the blog examples on machines of growing NUMA count. Only `admit` is timed; each sample then
 * removes the pod, which gives back the same empty node for the next sample.
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
}

const MACHINES = [
  { numaNodes: 2, preset: "worked-example" },
  { numaNodes: 8, preset: "synthetic-8n-512c" },
  { numaNodes: 16, preset: "synthetic-16n" },
  { numaNodes: 32, preset: "synthetic-32n" },
] as const;

/**
 * Both hint providers list every NUMA mask whose free resources cover the request
 * (cpu-manager.md §8, memory-manager.md §4): 2^N − 1 masks per admission. 16 nodes take a few
 * hundred milliseconds; 32 would take hours.
 */
const LARGEST_ENUMERABLE_NUMA = 16;

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

function admissionSample(node: Node, pod: Pod): () => number {
  return () => {
    const t0 = performance.now();
    const result = node.admit(pod);
    const spent = performance.now() - t0;
    if (!result.admitted) throw new Error(`${pod.name} rejected on ${node.machine.name}: ${result.message}`);
    node.remove(pod.uid);
    return spent;
  };
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
        };
        rows.push(row);
        if (numaNodes > LARGEST_ENUMERABLE_NUMA) {
          row.skipped = `hint generation lists 2^${numaNodes} − 1 NUMA masks per provider`;
          continue;
        }
        const node = exampleNode(preset, numaNodes, scope, policy);
        const slow = numaNodes > 8;
        row.timing = measure(admissionSample(node, pod), {
          warmup: slow ? 1 : 3,
          minRuns: slow ? 5 : 9,
          maxRuns: 200,
          budgetMs: slow ? 0 : 1000,
        });
        const baseline = rows.find(
          (r) => r.numaNodes === 2 && r.pod === label && r.policy === policy,
        )?.timing;
        if (baseline) row.vsBaseline = row.timing.medianMs / baseline.medianMs;
      }
    }
  }
  return rows;
}
