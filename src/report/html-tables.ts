import { type ContainerRow, type DecisionRow, formatBlocks, formatQuota } from "./decisions.js";
import { formatHeldDevices } from "./device-text.js";
import type { DeviceView } from "./device-view.js";
import { allDevices, cpuListHtml, swatchHtml } from "./html-pods.js";
import { type NodeView, podDisplayName } from "./ownership.js";
import type { PodColours } from "./palette.js";
import { escapeXml, formatBytes, formatNodeList } from "./units.js";

/* The page's tables besides the pods table: the admission decisions, and what is free per NUMA node. */

function td(text: string, cls = ""): string {
  return `<td${cls ? ` class="${cls}"` : ""}>${escapeXml(text)}</td>`;
}

function codeTd(text: string): string {
  return `<td><code>${escapeXml(text)}</code></td>`;
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

/** The devices a container holds, labelled as in the picture. */
function devicesTd(c: ContainerRow, labels: ReadonlyMap<string, string>): string {
  const text = formatHeldDevices(c.devices ?? [], (r, id) => labels.get(`${r}\u0000${id}`) ?? id);
  const full = (c.devices ?? []).flatMap((a) => a.devices.map((d) => `${a.resource} ${d.id}`)).join("\n");
  const err = c.deviceError ? `<div class="msg">at container start: ${escapeXml(c.deviceError)}</div>` : "";
  return `<td${full ? ` title="${escapeXml(full)}"` : ""}><code>${escapeXml(text)}</code>${err}</td>`;
}

/** The admission decisions in order, rejected pods included; each admitted pod led by its swatch. */
export function decisionsTable(
  view: NodeView,
  rows: readonly DecisionRow[],
  colours: ReadonlyMap<string, PodColours>,
): string {
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
    const pc = colours.get(r.pod.uid);
    const swatch = pc ? swatchHtml({ fill: pc.base.fill, stroke: pc.frame, strokeWidth: 1, dash: null }) : "";
    const verdict = r.admitted
      ? `<span class="badge ok">admitted</span>`
      : `<span class="badge bad">rejected</span> ${escapeXml(r.reason ?? "")}`;
    const message = !r.admitted && r.message ? `<div class="msg">${escapeXml(r.message)}</div>` : "";
    out.push(
      `<tr class="pod" data-pod="${uid}"><td colspan="${cols}">${swatch}${escapeXml(podDisplayName(r.pod))} ${verdict}${message}${(r.warnings ?? []).map((w) => `<div class="warn">warning: ${escapeXml(w)}</div>`).join("")}</td></tr>`,
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

/** Free CPUs, memory (free of allocatable, as the CLI's tables say it) and devices per NUMA node. */
export function freeTable(view: NodeView): string {
  // As in the picture's bars: resources no node has any of (empty hugepage pools) are left out.
  const resources = [
    ...new Set(
      view.numaNodes.flatMap((n) =>
        n.memory.filter((r) => r.total > 0n || r.pods.length > 0).map((r) => r.resource),
      ),
    ),
  ];
  const devices = [...new Set(allDevices(view).map((d) => d.resource))].sort();
  const out: string[] = [
    `<table class="free"><thead><tr><th>NUMA</th><th>CPUs</th><th>Free CPUs</th><th>Free list</th>`,
    ...resources.map((r) => `<th>${escapeXml(r)} free of allocatable</th>`),
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
      out.push(td(r ? `${formatBytes(r.free)} of ${formatBytes(r.allocatable)}` : "-", "num"));
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
