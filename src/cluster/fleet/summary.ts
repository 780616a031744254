import type { FleetNodes } from "./fleet-nodes.js";
import type { AlignmentSummary, Distribution, GroupSummary } from "./report-types.js";

/** What happened on one node in a run. */
export interface NodeTally {
  bound: number;
  admitted: number;
  rejected: number;
  /** Admitted Guaranteed pods, and those of them on one / on the fewest possible NUMA nodes. */
  guaranteed: number;
  singleNuma: number;
  minimalNuma: number;
}

export function distribution(values: readonly number[]): Distribution {
  if (values.length === 0) return { total: 0, min: 0, median: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  return {
    total: sorted.reduce((s, v) => s + v, 0),
    min: sorted[0],
    median: sorted[Math.ceil(sorted.length / 2) - 1],
    max: sorted[sorted.length - 1],
  };
}

const rate = (part: number, whole: number): number | null =>
  whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;

function alignmentOf(tallies: readonly NodeTally[]): AlignmentSummary {
  const guaranteedAdmitted = tallies.reduce((s, t) => s + t.guaranteed, 0);
  const singleNumaNode = tallies.reduce((s, t) => s + t.singleNuma, 0);
  const minimalNumaNodes = tallies.reduce((s, t) => s + t.minimalNuma, 0);
  return {
    guaranteedAdmitted,
    singleNumaNode,
    minimalNumaNodes,
    alignmentRate: rate(singleNumaNode, guaranteedAdmitted),
    minimalAlignmentRate: rate(minimalNumaNodes, guaranteedAdmitted),
  };
}

function summaryOf(
  nodes: FleetNodes,
  members: readonly number[],
  head: { name: string; machine: string; topologyManagerPolicy: string },
  tallies: readonly NodeTally[],
  free: readonly number[],
  stranded: readonly number[],
): GroupSummary {
  const cpu = nodes.state.column("cpu");
  const picked = members.map((n) => tallies[n]);
  return {
    ...head,
    nodes: members.length,
    allocatableCPUs: members.reduce((s, n) => s + Math.floor(nodes.state.allocatable[cpu][n] / 1000), 0),
    bound: picked.reduce((s, t) => s + t.bound, 0),
    admitted: picked.reduce((s, t) => s + t.admitted, 0),
    rejected: picked.reduce((s, t) => s + t.rejected, 0),
    alignment: alignmentOf(picked),
    freeCPUs: distribution(members.map((n) => free[n])),
    strandedCPUs: distribution(members.map((n) => stranded[n])),
    strandedNodes: members.filter((n) => stranded[n] > 0).length,
  };
}

/** Per node group, then the whole fleet. */
export function summarize(
  nodes: FleetNodes,
  tallies: readonly NodeTally[],
  free: readonly number[],
  stranded: readonly number[],
): { groups: GroupSummary[]; total: GroupSummary } {
  const all = Array.from({ length: nodes.size }, (_, n) => n);
  const groups = nodes.groups.map((g, gi) =>
    summaryOf(
      nodes,
      all.filter((n) => nodes.groupOf[n] === gi),
      { name: g.name, machine: g.machineName, topologyManagerPolicy: g.config.topologyManagerPolicy },
      tallies,
      free,
      stranded,
    ),
  );
  const total = summaryOf(
    nodes,
    all,
    { name: "total", machine: "", topologyManagerPolicy: "" },
    tallies,
    free,
    stranded,
  );
  return { groups, total };
}
