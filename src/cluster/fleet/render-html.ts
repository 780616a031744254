import { escapeXml } from "../../report/index.js";
import { percent, renderFleetTable } from "./render-table.js";
import type { FleetReport, GroupSummary, ScenarioReport } from "./report-types.js";

/**
 * `podpin fleet -o html`: one self-contained page (inline CSS and SVG, no script, no external
 * asset) with grouped bar charts, per node group and for the fleet, allocatable-only beside
 * NUMA-aware, and the text report below them. Colours and type follow the simulate report.
 */

const SERIES = [
  { name: "allocatable-only", color: "#94a3b8" },
  { name: "NUMA-aware", color: "#2563eb" },
];

interface Chart {
  title: string;
  caption: string;
  value(g: GroupSummary): number;
  label(v: number): string;
  /** Fixed top of the axis (rates); otherwise the largest value. */
  max?: number;
}

const CHARTS: Chart[] = [
  {
    title: "Pods rejected by the kubelet",
    caption: "Pods the scheduler bound whose node's kubelet refused them (TopologyAffinityError and others).",
    value: (g) => g.rejected,
    label: String,
  },
  {
    title: "Guaranteed pods on one NUMA node",
    caption: "Share of admitted Guaranteed pods whose CPUs, memory and devices sit on a single NUMA node.",
    value: (g) => g.alignment.alignmentRate ?? 0,
    label: (v) => percent(v),
    max: 1,
  },
  {
    title: "Stranded CPUs",
    caption:
      "Free CPUs on nodes where none of the rejected or unschedulable pods would be placed and admitted.",
    value: (g) => g.strandedCPUs.total,
    label: String,
  },
  {
    title: "Free CPUs",
    caption: "Allocatable CPUs no admitted pod requests.",
    value: (g) => g.freeCPUs.total,
    label: String,
  },
];

const W = 640;
const ROW = 22;
const LABEL_W = 150;
const VALUE_W = 70;

function groupsOf(s: ScenarioReport): GroupSummary[] {
  return [...s.groups, s.total];
}

function barChart(chart: Chart, scenarios: readonly ScenarioReport[], index: number): string {
  const names = groupsOf(scenarios[0]).map((g) => g.name);
  const values = scenarios.map((s) => groupsOf(s).map((g) => chart.value(g)));
  const max = chart.max ?? Math.max(1, ...values.flat());
  const barArea = W - LABEL_W - VALUE_W;
  const blockH = scenarios.length * ROW + 10;
  const height = names.length * blockH + 10;
  const parts: string[] = [];
  names.forEach((name, gi) => {
    const y0 = 5 + gi * blockH;
    parts.push(
      `<text x="${LABEL_W - 8}" y="${y0 + (scenarios.length * ROW) / 2 + 4}" text-anchor="end" class="group">${escapeXml(name)}</text>`,
    );
    for (let si = 0; si < scenarios.length; si++) {
      const v = values[si][gi];
      const w = max === 0 ? 0 : Math.max(v > 0 ? 1 : 0, Math.round((v / max) * barArea));
      const y = y0 + si * ROW;
      const series = SERIES[si] ?? SERIES[0];
      parts.push(
        `<rect x="${LABEL_W}" y="${y}" width="${w}" height="${ROW - 6}" rx="3" fill="${series.color}"><title>${escapeXml(`${name}, ${series.name}: ${chart.label(v)}`)}</title></rect>`,
        `<text x="${LABEL_W + w + 6}" y="${y + ROW - 10}" class="value">${escapeXml(chart.label(v))}</text>`,
      );
    }
  });
  const id = `chart-${index}`;
  return `<figure class="panel"><h2 id="${id}">${escapeXml(chart.title)}</h2><svg role="img" aria-labelledby="${id}" viewBox="0 0 ${W} ${height}" width="${W}" height="${height}" xmlns="http://www.w3.org/2000/svg">${parts.join("")}</svg><figcaption>${escapeXml(chart.caption)}</figcaption></figure>`;
}

const CSS = `
:root{--ink:#1e293b;--muted:#64748b;--line:#e2e8f0;--bg:#f8fafc}
*{box-sizing:border-box}
body{margin:0;padding:16px 20px;background:var(--bg);color:var(--ink);font:13px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
h1{font-size:20px;margin:0 0 4px}
h2{font-size:15px;margin:0 0 8px}
.summary{color:var(--muted);margin:0 0 2px}
.legend{display:flex;gap:16px;margin:10px 0 0;padding:0;list-style:none;font-size:12px}
.legend li{display:flex;align-items:center;gap:6px}
.legend i{display:inline-block;width:12px;height:12px;border-radius:3px}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(680px,100%),1fr));gap:16px;margin-top:14px}
.panel{margin:0;background:#fff;border:1px solid var(--line);border-radius:10px;padding:12px 14px;box-shadow:0 1px 2px rgba(15,23,42,.04);min-width:0}
.panel svg{display:block;max-width:100%;height:auto}
figcaption{color:var(--muted);font-size:12px;margin-top:6px}
svg text{font:12px system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;fill:var(--ink)}
svg text.value{fill:var(--muted);font-variant-numeric:tabular-nums}
pre{background:#fff;border:1px solid var(--line);border-radius:10px;padding:12px 14px;overflow-x:auto;font-size:12px;margin-top:16px}
`;

export function renderFleetHtml(report: FleetReport): string {
  const legend = SERIES.slice(0, report.scenarios.length)
    .map((s) => `<li><i style="background:${s.color}"></i>${escapeXml(s.name)}</li>`)
    .join("");
  const summary = report.scenarios
    .map((s) => `<p class="summary">${escapeXml(`${s.scenario}: ${s.description}`)}</p>`)
    .join("");
  const charts = CHARTS.map((c, i) => barChart(c, report.scenarios, i)).join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeXml(`podpin fleet: ${report.fleet}`)}</title><style>${CSS}</style></head>
<body><header><h1>${escapeXml(`Fleet ${report.fleet}: ${report.nodes} nodes, ${report.pods} pods`)}</h1>${summary}<ul class="legend">${legend}</ul></header>
<main><div class="charts">${charts}</div><pre>${escapeXml(renderFleetTable(report))}</pre></main></body></html>
`;
}
