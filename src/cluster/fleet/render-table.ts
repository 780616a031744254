import { renderTable } from "../../report/index.js";
import type { Distribution, FleetReport, GroupSummary, ScenarioReport } from "./report-types.js";

/** `podpin fleet`'s default output: both scenarios side by side, then per node group, then examples. */

const TITLES: Record<string, string> = { allocatable: "ALLOCATABLE-ONLY", "numa-aware": "NUMA-AWARE" };

export const percent = (rate: number | null): string => (rate === null ? "-" : `${(rate * 100).toFixed(1)}%`);
const spread = (d: Distribution): string => `${d.min}/${d.median}/${d.max}`;

function alignmentCell(g: GroupSummary, minimal: boolean): string {
  const a = g.alignment;
  if (a.guaranteedAdmitted === 0) return "-";
  const n = minimal ? a.minimalNumaNodes : a.singleNumaNode;
  return `${percent(minimal ? a.minimalAlignmentRate : a.alignmentRate)} (${n}/${a.guaranteedAdmitted})`;
}

function sideBySide(scenarios: readonly ScenarioReport[]): string {
  const reasons = [...new Set(scenarios.flatMap((s) => Object.keys(s.rejections.byReason)))].sort();
  const row = (label: string, cell: (s: ScenarioReport) => string): string[] => [
    label,
    ...scenarios.map(cell),
  ];
  const rows = [
    row("pods admitted", (s) => String(s.pods.admitted)),
    row("rejected by the kubelet", (s) => String(s.pods.rejected)),
    ...reasons.map((r) => row(`  ${r}`, (s) => String(s.rejections.byReason[r] ?? 0))),
    row("unschedulable (pending)", (s) => String(s.pods.unschedulable)),
    row("Guaranteed on one NUMA node", (s) => alignmentCell(s.total, false)),
    row("Guaranteed on fewest NUMA nodes", (s) => alignmentCell(s.total, true)),
    row("free CPUs (total)", (s) => String(s.total.freeCPUs.total)),
    row("stranded CPUs (total, nodes)", (s) => `${s.total.strandedCPUs.total} on ${s.total.strandedNodes}`),
  ];
  return renderTable(
    ["", ...scenarios.map((s) => ({ header: TITLES[s.scenario] ?? s.scenario, align: "right" as const }))],
    rows,
  );
}

function perGroup(scenarios: readonly ScenarioReport[]): string {
  const rows: string[][] = [];
  const names = scenarios[0]?.groups.map((g) => g.name) ?? [];
  for (const [gi, name] of [...names, "total"].entries()) {
    for (const s of scenarios) {
      const g = name === "total" && gi === names.length ? s.total : s.groups[gi];
      rows.push([
        s === scenarios[0] ? name : "",
        s === scenarios[0] ? String(g.nodes) : "",
        s.scenario,
        String(g.admitted),
        String(g.rejected),
        alignmentCell(g, false),
        alignmentCell(g, true),
        spread(g.freeCPUs),
        `${g.strandedCPUs.total} (${g.strandedNodes})`,
        spread(g.strandedCPUs),
      ]);
    }
  }
  return renderTable(
    [
      "group",
      { header: "nodes", align: "right" },
      "scenario",
      { header: "admitted", align: "right" },
      { header: "rejected", align: "right" },
      { header: "one NUMA", align: "right" },
      { header: "fewest NUMA", align: "right" },
      { header: "free CPUs min/med/max", align: "right" },
      { header: "stranded (nodes)", align: "right" },
      { header: "stranded min/med/max", align: "right" },
    ],
    rows,
  );
}

function examples(s: ScenarioReport): string[] {
  const out: string[] = [];
  const title = TITLES[s.scenario]?.toLowerCase() ?? s.scenario;
  if (s.rejections.examples.length > 0) {
    out.push(
      `Rejected by the kubelet (${title}), first ${s.rejections.examples.length} of ${s.pods.rejected}:`,
    );
    for (const e of s.rejections.examples) out.push(`  ${e.pod} on ${e.node}: ${e.reason}: ${e.message}`);
  }
  if (s.unschedulable.examples.length > 0) {
    out.push(
      `Unschedulable (${title}), first ${s.unschedulable.examples.length} of ${s.pods.unschedulable}:`,
    );
    for (const e of s.unschedulable.examples) out.push(`  ${e.pod}: ${e.message}`);
  }
  return out;
}

export function renderFleetTable(report: FleetReport): string {
  const parts = [
    `Fleet ${report.fleet}: ${report.nodes} nodes, ${report.pods} pods`,
    "",
    sideBySide(report.scenarios),
    "",
    perGroup(report.scenarios),
  ];
  const ex = report.scenarios.flatMap(examples);
  if (ex.length > 0) parts.push("", ...ex);
  parts.push(
    "",
    "Free CPUs: allocatable CPUs no admitted pod requests. Stranded: free CPUs on nodes where none of the rejected or unschedulable pods (one of each shape) would be placed and admitted.",
  );
  return `${parts.join("\n")}\n`;
}
