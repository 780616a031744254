import type { AdmissionResult } from "../../node/index.js";
import { placementShape } from "./alignment.js";
import type { FleetInputs } from "./fleet-inputs.js";
import { FleetNodes } from "./fleet-nodes.js";
import { topologyMatchFilter, topologyMatchScore } from "./numa-filter.js";
import { type PodProfile, PodProfiles } from "./pod-profile.js";
import {
  MAX_EXAMPLES,
  type RejectionExample,
  type ScenarioName,
  type ScenarioReport,
  type UnschedulableExample,
  type WorkloadSummary,
} from "./report-types.js";
import { type ExtraPlugins, SelectionBuffers, selectNode } from "./scheduler.js";
import { strandedCPUs } from "./stranded.js";
import { type NodeTally, summarize } from "./summary.js";

/**
 * One what-if run: every pod of the workload, in order, is placed by the scheduler and then
 * admitted or rejected by the chosen node's kubelet before the next pod is placed (a rejected pod
 * fails and holds nothing; it is counted once, not retried). `allocatable`: the scheduler sees
 * node allocatable only. `numa-aware`: it also runs the NodeResourceTopologyMatch filter (and, if
 * the fleet asks, its LeastAllocated score) on each node's NUMA zones.
 */

export const SCENARIOS: readonly ScenarioName[] = ["allocatable", "numa-aware"];

const DESCRIPTIONS: Record<ScenarioName, string> = {
  allocatable:
    "the scheduler sees node allocatable only (NodeResourcesFit; LeastAllocated and BalancedAllocation scores)",
  "numa-aware":
    "the scheduler also matches each node's NodeResourceTopology zones (NodeResourceTopologyMatch, single-numa-node)",
};

function numaPlugins(nodes: FleetNodes, profile: PodProfile, scoring: boolean): ExtraPlugins {
  const amounts = profile.topologyNeedsAmounts;
  const filter = (n: number) => topologyMatchFilter(profile.topology, nodes.topology(n, amounts));
  // The score reads zone amounts for Guaranteed pods only (the others score the maximum).
  const scoreAmounts = profile.topology.qos === "Guaranteed";
  return scoring
    ? { filter, score: (n) => topologyMatchScore(profile.topology, nodes.topology(n, scoreAmounts)) }
    : { filter };
}

/** A rejected pod's leftovers: the kubelet's next admission would clean them; the exporter never counts them. */
function releaseRejected(
  nodes: FleetNodes,
  node: number,
  result: AdmissionResult,
  containers: readonly string[],
): void {
  if (!result.leftoverState) return;
  const kubelet = nodes.kubelet(node);
  for (const c of containers) kubelet.removeContainer(result.pod.uid, c);
}

export function runScenario(inputs: FleetInputs, scenario: ScenarioName): ScenarioReport {
  const nodes = new FleetNodes(inputs.groups);
  const profiles = new PodProfiles(nodes.state);
  const buffers = new SelectionBuffers(nodes.size);
  const tallies: NodeTally[] = Array.from({ length: nodes.size }, () => ({
    bound: 0,
    admitted: 0,
    rejected: 0,
    guaranteed: 0,
    singleNuma: 0,
    minimalNuma: 0,
  }));
  const workloads = new Map<string, WorkloadSummary>(
    inputs.workloads.map((name) => [name, { name, pods: 0, admitted: 0, rejected: 0, unschedulable: 0 }]),
  );
  const byReason = new Map<string, number>();
  const rejectedExamples: RejectionExample[] = [];
  const unmet = new Set<PodProfile>();
  const unschedulableExamples: UnschedulableExample[] = [];
  let unschedulable = 0;
  const numaAware = scenario === "numa-aware";
  const scoring = inputs.topologyMatchScoring === "LeastAllocated";

  for (const { pod, workload, qos } of inputs.pods) {
    const w = workloads.get(workload)!;
    w.pods++;
    const profile = profiles.of(pod, qos);
    const extra = numaAware ? numaPlugins(nodes, profile, scoring) : undefined;
    const placed = selectNode(nodes.state, profile.columns, extra, buffers);
    const ref = `${pod.namespace}/${pod.name}`;
    if (placed.node < 0) {
      unschedulable++;
      w.unschedulable++;
      unmet.add(profile);
      if (unschedulableExamples.length < MAX_EXAMPLES)
        unschedulableExamples.push({
          pod: ref,
          workload,
          message: "message" in placed ? placed.message : "",
        });
      continue;
    }
    const n = placed.node;
    const kubelet = nodes.kubelet(n);
    const result = kubelet.admit(pod);
    const tally = tallies[n];
    tally.bound++;
    nodes.changed(n);
    if (!result.admitted) {
      tally.rejected++;
      w.rejected++;
      unmet.add(profile);
      const reason = result.reason ?? "Unknown";
      byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
      if (rejectedExamples.length < MAX_EXAMPLES)
        rejectedExamples.push({
          pod: ref,
          workload,
          node: nodes.names[n],
          reason,
          message: result.message ?? "",
        });
      releaseRejected(
        nodes,
        n,
        result,
        [...pod.initContainers, ...pod.containers].map((c) => c.name),
      );
      continue;
    }
    nodes.state.bind(n, profile.columns);
    tally.admitted++;
    w.admitted++;
    if (qos === "Guaranteed") {
      const shape = placementShape(kubelet, result, profile);
      tally.guaranteed++;
      if (shape.numaNodes === 1) tally.singleNuma++;
      if (shape.numaNodes <= shape.minimalNumaNodes) tally.minimalNuma++;
    }
  }

  const free = Array.from({ length: nodes.size }, (_, n) => Math.floor(nodes.state.freeCPU(n) / 1000));
  const stranded = strandedCPUs(nodes, [...unmet], free, numaAware);
  const admitted = tallies.reduce((s, t) => s + t.admitted, 0);
  const rejected = tallies.reduce((s, t) => s + t.rejected, 0);
  const { groups, total } = summarize(nodes, tallies, free, stranded);
  return {
    scenario,
    description: DESCRIPTIONS[scenario],
    pods: { total: inputs.pods.length, bound: admitted + rejected, admitted, rejected, unschedulable },
    rejections: {
      byReason: Object.fromEntries([...byReason].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
      examples: rejectedExamples,
    },
    unschedulable: { examples: unschedulableExamples },
    workloads: [...workloads.values()],
    groups,
    total,
  };
}
