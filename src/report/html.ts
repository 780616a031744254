import { type ContainerRow, type DecisionRow, formatBlocks, formatQuota } from "./decisions.js";
import type { NodeView } from "./ownership.js";
import { podColours } from "./palette.js";
import { renderMachineSvg, viewSummary } from "./svg.js";
import { formatHeldDevices } from "./device-text.js";
import type { DeviceView } from "./device-view.js";
import { escapeXml, formatBytes, formatNodeList } from "./units.js";

export interface HtmlReportInput {
  /** Page title; defaults to `podpin · <machine name>`. */
  title?: string;
  view: NodeView;
  /** Pods in admission order; empty for a bare machine. */
  decisions: readonly DecisionRow[];
  /** Lines shown under the title (kubelet configuration, command line). Plain text. */
  summary?: readonly string[];
  /** Caveats about the machine description (for example unverified values). */
  notes?: readonly string[];
}

const CSS = `
:root{--ink:#1e293b;--muted:#64748b;--line:#e2e8f0;--bg:#f8fafc;--ok:#15803d;--bad:#b91c1c}
*{box-sizing:border-box}
body{margin:0;padding:20px 24px;background:var(--bg);color:var(--ink);font:13px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
h1{font-size:20px;margin:0 0 4px}
h2{font-size:15px;margin:0 0 8px}
.summary{color:var(--muted);margin:0 0 2px}
.notes{margin:6px 0 0;padding-left:18px;color:#92400e}
.layout{display:flex;flex-wrap:wrap;gap:20px;align-items:flex-start;margin-top:14px}
.panel{background:#fff;border:1px solid var(--line);border-radius:10px;padding:14px;box-shadow:0 1px 2px rgba(15,23,42,.04)}
.picture{flex:0 1 auto;max-width:100%;overflow:auto}
.picture svg{display:block;height:auto;max-width:none}
.side{flex:1 1 560px;min-width:min(560px,100%);display:flex;flex-direction:column;gap:20px}
.side .panel{overflow-x:auto}
.nw{white-space:nowrap}
.pool{color:var(--muted);font-style:italic;white-space:nowrap}
table{border-collapse:collapse;width:100%;font-size:12px}
th,td{text-align:left;padding:4px 7px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;color:var(--muted);font-size:11px;text-transform:uppercase;letter-spacing:.03em;white-space:nowrap}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:11.5px}
tr.pod td{background:#f8fafc;border-top:2px solid var(--line);font-weight:600}
tr.pod td .swatch{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:6px;vertical-align:baseline}
tr.pod-level td{color:var(--muted);font-size:11.5px}
tr.container td:first-child{padding-left:24px;white-space:nowrap}
.badge{display:inline-block;padding:0 7px;border-radius:9px;font-size:11px;font-weight:600}
.badge.ok{background:#dcfce7;color:var(--ok)}
.badge.bad{background:#fee2e2;color:var(--bad)}
.msg{font-weight:400;color:var(--bad)}
.at{display:inline-block;padding:0 6px;border-radius:4px;font-size:11px;background:#eef2f6;white-space:nowrap}
.at.node_exclusive,.at.pod_exclusive{background:#dbeafe;color:#1e40af}
.at.pod_shared{background:#ede9fe;color:#5b21b6}
tr[data-pod]:hover td{background:#fefce8}
svg .cpu.hl rect,svg .device.hl rect{stroke:#facc15;stroke-width:3}
.warn{font-weight:400;color:#92400e}
footer{margin-top:18px;color:var(--muted);font-size:11px}
`;

// Highlights a pod's CPUs and devices while its rows are hovered; everything works without it.
const HOVER_SCRIPT = `
document.addEventListener("mouseover",function(e){var t=e.target;var row=t&&t.closest?t.closest("tr[data-pod]"):null;
document.querySelectorAll("svg .cpu.hl, svg .device.hl").forEach(function(c){c.classList.remove("hl")});
if(!row)return;var uid=row.getAttribute("data-pod");
document.querySelectorAll("svg .cpu, svg .device").forEach(function(c){if(c.getAttribute("data-pod")===uid)c.classList.add("hl")});});
`;

function td(text: string, cls = ""): string {
  return `<td${cls ? ` class="${cls}"` : ""}>${escapeXml(text)}</td>`;
}

function codeTd(text: string): string {
  return `<td><code>${escapeXml(text)}</code></td>`;
}

/** A CPU list that wraps only after its commas (never inside a range like `17-19`). */
function cpuListHtml(list: string): string {
  if (list === "") return "-";
  return list
    .split(",")
    .map((part) => `<span class="nw">${escapeXml(part)}</span>`)
    .join(",<wbr>");
}

/** The CPU assignment type, and the memory one beside it when it differs. */
function assignmentTd(c: ContainerRow): string {
  const cpu = `<span class="at ${c.assignmentType}">${escapeXml(c.assignmentType)}</span>`;
  const m = c.memoryAssignmentType;
  if (m === undefined || m === c.assignmentType) return `<td>${cpu}</td>`;
  return `<td>${cpu} <span class="at ${m}" title="memory assignment type">mem ${escapeXml(m)}</span></td>`;
}

function cpuTd(c: ContainerRow): string {
  if (c.hasCPUAssignment) return `<td><code>${cpuListHtml(c.cpus.toString())}</code></td>`;
  return `<td><span class="pool" title="${escapeXml(`node shared pool: ${c.cpus.toString()}`)}">node shared pool</span></td>`;
}

function allDevices(view: NodeView): DeviceView[] {
  return [...view.numaNodes.flatMap((n) => n.devices), ...view.devicesWithoutNUMA];
}

/** The devices a container holds, labelled as in the picture. */
function devicesTd(c: ContainerRow, labels: ReadonlyMap<string, string>): string {
  const text = formatHeldDevices(c.devices ?? [], (r, id) => labels.get(`${r}\u0000${id}`) ?? id);
  const full = (c.devices ?? []).flatMap((a) => a.devices.map((d) => `${a.resource} ${d.id}`)).join("\n");
  const err = c.deviceError ? `<div class="msg">at container start: ${escapeXml(c.deviceError)}</div>` : "";
  return `<td${full ? ` title="${escapeXml(full)}"` : ""}><code>${escapeXml(text)}</code>${err}</td>`;
}

function decisionsTable(view: NodeView, rows: readonly DecisionRow[]): string {
  if (rows.length === 0) return `<p class="summary">No admission decisions to show.</p>`;
  const colours = podColours(view);
  const deviceViews = allDevices(view);
  const labels = new Map(deviceViews.map((d) => [`${d.resource}\u0000${d.id}`, d.label]));
  const withDevices =
    deviceViews.length > 0 || rows.some((r) => r.containers.some((c) => (c.devices ?? []).length > 0));
  const cols = withDevices ? 9 : 8;
  const out: string[] = [
    '<table class="decisions"><thead><tr>',
    `<th>Container</th><th>Kind</th><th>Assignment</th><th>CPUs</th><th>NUMA</th><th>Mems</th><th>Memory</th>${withDevices ? "<th>Devices</th>" : ""}<th>CFS quota</th>`,
    "</tr></thead><tbody>",
  ];
  for (const r of rows) {
    const uid = escapeXml(r.pod.uid);
    const colour = colours.get(r.pod.uid)?.base;
    const swatch = colour ? `<span class="swatch" style="background:${colour}"></span>` : "";
    const verdict = r.admitted
      ? `<span class="badge ok">admitted</span>`
      : `<span class="badge bad">rejected</span> ${escapeXml(r.reason ?? "")}`;
    const message = !r.admitted && r.message ? `<div class="msg">${escapeXml(r.message)}</div>` : "";
    out.push(
      `<tr class="pod" data-pod="${uid}"><td colspan="${cols}">${swatch}${escapeXml(`${r.pod.namespace}/${r.pod.name}`)} ${verdict}${message}${(r.warnings ?? []).map((w) => `<div class="warn">warning: ${escapeXml(w)}</div>`).join("")}</td></tr>`,
    );
    if (r.bubble || r.podMemory || r.devicesDeferred || (r.admitted && r.podCpuQuotaUs !== null)) {
      const parts: string[] = [];
      if (r.bubble) parts.push(`bubble <code>${cpuListHtml(r.bubble.toString())}</code>`);
      if (r.podSharedPool)
        parts.push(`pod shared pool <code>${cpuListHtml(r.podSharedPool.toString())}</code>`);
      if (r.podMemory) parts.push(`pod memory <code>${escapeXml(formatBlocks(r.podMemory))}</code>`);
      if (r.podCpuQuotaUs !== null)
        parts.push(`pod CFS quota <code>${escapeXml(formatQuota(r.podCpuQuotaUs))}</code>`);
      if (r.devicesDeferred) parts.push("devices chosen at container start, not reserved at admission");
      out.push(
        `<tr class="pod-level" data-pod="${uid}"><td colspan="${cols}">${parts.join(" · ")}</td></tr>`,
      );
    }
    for (const c of r.containers) {
      out.push(
        `<tr class="container" data-pod="${uid}" data-container="${escapeXml(c.name)}">`,
        td(c.name),
        td(c.kind),
        assignmentTd(c),
        cpuTd(c),
        td(formatNodeList(c.numaAffinity)),
        td(formatNodeList(c.cpusetMems)),
        codeTd(formatBlocks(c.memory)),
        withDevices ? devicesTd(c, labels) : "",
        td(formatQuota(c.cfsQuotaUs), "num"),
        "</tr>",
      );
    }
  }
  out.push("</tbody></table>");
  return out.join("");
}

/** `3 / 4` free of all, with the unhealthy count. */
function deviceCell(devices: readonly DeviceView[], resource: string): string {
  const list = devices.filter((d) => d.resource === resource);
  if (list.length === 0) return td("-", "num");
  const free = list.filter((d) => d.healthy && d.owner.kind === "free").length;
  const bad = list.filter((d) => !d.healthy).length;
  return td(`${free} / ${list.length}${bad > 0 ? ` (${bad} unhealthy)` : ""}`, "num");
}

function freeTable(view: NodeView): string {
  const resources = [...new Set(view.numaNodes.flatMap((n) => n.memory.map((r) => r.resource)))];
  const devices = [...new Set(allDevices(view).map((d) => d.resource))].sort();
  const out: string[] = [
    `<table class="free"><thead><tr><th>NUMA</th><th>CPUs</th><th>Free CPUs</th><th>Free list</th>`,
    ...resources.map((r) => `<th>${escapeXml(r)} free</th>`),
    ...devices.map((r) => `<th>${escapeXml(r)} free / all</th>`),
    "</tr></thead><tbody>",
  ];
  for (const n of view.numaNodes) {
    out.push(
      `<tr data-numa="${n.id}">`,
      td(String(n.id)),
      td(String(n.cpus.size), "num"),
      td(String(n.allocatableCpus.size), "num"),
      `<td><code>${cpuListHtml(n.allocatableCpus.toString())}</code></td>`,
    );
    for (const res of resources) {
      const r = n.memory.find((m) => m.resource === res);
      out.push(td(r ? `${formatBytes(r.free)} / ${formatBytes(r.allocatable)}` : "-", "num"));
    }
    for (const r of devices) out.push(deviceCell(n.devices, r));
    out.push("</tr>");
  }
  if (view.devicesWithoutNUMA.length > 0) {
    out.push(`<tr data-numa="none">`, td("none"), td("-"), td("-"), td("-"), ...resources.map(() => td("-")));
    for (const r of devices) out.push(deviceCell(view.devicesWithoutNUMA, r));
    out.push("</tr>");
  }
  out.push("</tbody></table>");
  return out.join("");
}

/**
 * The report as one self-contained HTML page: inline CSS and SVG, no external resources. All
 * text from the input is escaped.
 */
export function renderHtmlReport(input: HtmlReportInput): string {
  const { view } = input;
  const title = input.title ?? `podpin · ${view.machineName}`;
  const summary = [`Machine ${view.machineName}: ${viewSummary(view)}`, ...(input.summary ?? [])]
    .map((s) => `<p class="summary">${escapeXml(s)}</p>`)
    .join("");
  const notes =
    input.notes && input.notes.length > 0
      ? `<ul class="notes">${input.notes.map((n) => `<li>${escapeXml(n)}</li>`).join("")}</ul>`
      : "";
  const admitted = input.decisions.filter((d) => d.admitted).length;
  const verdicts =
    input.decisions.length > 0
      ? `<p class="summary">${admitted} of ${input.decisions.length} pods admitted.</p>`
      : "";
  return [
    "<!DOCTYPE html>",
    `<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${escapeXml(title)}</title><style>${CSS}</style></head><body>`,
    `<header><h1>${escapeXml(title)}</h1>${summary}${verdicts}${notes}</header>`,
    `<main class="layout">`,
    `<section class="panel picture">${renderMachineSvg(view, { title: false })}</section>`,
    `<section class="side">`,
    `<div class="panel"><h2>Decisions</h2>${decisionsTable(view, input.decisions)}</div>`,
    `<div class="panel"><h2>Free per NUMA node</h2>${freeTable(view)}</div>`,
    "</section></main>",
    `<footer>Generated by podpin. Hover a CPU or a device for its owner; hover a pod's rows to highlight its CPUs and devices.</footer>`,
    `<script>${HOVER_SCRIPT}</script>`,
    "</body></html>",
    "",
  ].join("\n");
}
