import { CPUSet } from "../core/index.js";
import { formatBlocks } from "./decisions.js";
import { formatHeldDevices, type HeldDevicesText } from "./device-text.js";
import type { DeviceView } from "./device-view.js";
import {
  type CPUOwner,
  type NodeView,
  type PodContainerSummary,
  podDisplayName,
  type PodSummary,
} from "./ownership.js";
import type { PodColours } from "./palette.js";
import { type Swatch, swatch } from "./svg-legend.js";
import { type CellStyle, ownerStyle, SHARED_STYLE, type Scale } from "./svg-style.js";
import { escapeXml, formatBytes } from "./units.js";

/*
 * The pods table beside the picture: every pod of the node with its containers, their CPUs,
 * memory and devices, each row led by a swatch painted exactly as its cells are. It is the
 * picture's key for pods, and what the page's search box filters.
 */

const SWATCH = 14;

/**
 * Pods listed before the search box is used. The others' rows are in the page but not laid out
 * until a search finds them: a 4,096-CPU node with hundreds of pods stays quick to load and zoom.
 */
export const ROWS_SHOWN = 100;

/** A swatch as a small inline picture (its fill may name a pattern of the machine picture). */
export function swatchHtml(s: Swatch, cls = "sw"): string {
  return `<svg class="${cls}" width="${SWATCH}" height="${SWATCH}" viewBox="0 0 ${SWATCH} ${SWATCH}" aria-hidden="true">${swatch(s, 0, 0, SWATCH)}</svg>`;
}

function styleSwatch(st: CellStyle): Swatch {
  return { fill: st.fill, stroke: st.stroke, strokeWidth: st.strokeWidth, dash: st.dash };
}

/** A CPU list that wraps only after its commas (never inside a range like `17-19`). */
export function cpuListHtml(list: string): string {
  if (list === "") return "-";
  return list
    .split(",")
    .map((part) => `<span class="nw">${escapeXml(part)}</span>`)
    .join(",<wbr>");
}

export function allDevices(view: NodeView): DeviceView[] {
  return [...view.numaNodes.flatMap((n) => n.devices), ...view.devicesWithoutNUMA];
}

interface PodCells {
  /** Every CPU a cell of the pod is drawn on. */
  cpus: number[];
  /** container name -> the owner of the first cell drawn for it. */
  firstCell: Map<string, CPUOwner>;
}

function cellsByPod(view: NodeView): Map<string, PodCells> {
  const out = new Map<string, PodCells>();
  for (const c of view.cpus) {
    const o = c.owner;
    if (!("pod" in o)) continue;
    let p = out.get(o.pod);
    if (!p) out.set(o.pod, (p = { cpus: [], firstCell: new Map() }));
    p.cpus.push(c.id);
    const names = o.kind === "pod-shared" ? o.containers : "container" in o ? [o.container] : [];
    for (const n of names) if (!p.firstCell.has(n)) p.firstCell.set(n, o);
  }
  return out;
}

/** How a container's cells are drawn: its own cells, else the cell its CPUs show, else the shared pool. */
function containerSwatch(
  c: PodContainerSummary,
  cells: PodCells | undefined,
  owners: ReadonlyMap<number, CPUOwner>,
  colours: ReadonlyMap<string, PodColours>,
  scale: Scale,
): Swatch {
  const own = cells?.firstCell.get(c.name);
  if (own) return styleSwatch(ownerStyle(own, colours, scale));
  const first = c.cpus?.isEmpty() === false ? c.cpus.min() : undefined;
  const owner = first === undefined ? undefined : owners.get(first);
  return styleSwatch(owner ? ownerStyle(owner, colours, scale) : SHARED_STYLE);
}

function heldBy(devices: readonly DeviceView[], pod: string, container: string | null): HeldDevicesText[] {
  const byResource = new Map<string, Map<string, DeviceView>>();
  for (const d of devices) {
    if (d.owner.kind !== "held" || d.owner.pod !== pod) continue;
    if (container !== null && !d.owner.containers.includes(container)) continue;
    const m = byResource.get(d.resource) ?? new Map<string, DeviceView>();
    m.set(d.id, d);
    byResource.set(d.resource, m);
  }
  return [...byResource].map(([resource, m]) => ({
    resource,
    devices: [...m.values()].map((d) => ({ id: d.id, numaNodes: d.numaNodes })),
  }));
}

/** The pod's memory per resource and NUMA node: `16Gi @0`, `hugepages-2Mi 1Gi @1`. */
function podMemory(view: NodeView, pod: string): string {
  const parts: string[] = [];
  for (const n of view.numaNodes)
    for (const r of n.memory)
      for (const u of r.pods)
        if (u.pod === pod)
          parts.push(`${r.resource === "memory" ? "" : `${r.resource} `}${formatBytes(u.bytes)} @${n.id}`);
  return parts.length === 0 ? "-" : parts.join(", ");
}

function cpuCell(list: string, title = ""): string {
  return `<td${title ? ` title="${escapeXml(title)}"` : ""}><code>${cpuListHtml(list)}</code></td>`;
}

function containerCpus(c: PodContainerSummary): string {
  if (c.cpus === null) return `<td><span class="pool">node shared pool</span></td>`;
  return cpuCell(c.cpus.toString());
}

const ASSIGNMENT_WORDS: Record<string, string> = {
  node_exclusive: "node exclusive",
  pod_exclusive: "pod exclusive",
  pod_shared: "pod shared",
  node_shared: "node shared",
};

function podRows(
  pod: PodSummary,
  view: NodeView,
  owners: ReadonlyMap<number, CPUOwner>,
  cells: PodCells | undefined,
  colours: ReadonlyMap<string, PodColours>,
  scale: Scale,
  devices: readonly DeviceView[],
  withDevices: boolean,
  hidden: boolean,
): string[] {
  const hide = hidden ? " hidden" : "";
  const pc = colours.get(pod.uid)!;
  const uid = escapeXml(pod.uid);
  const name = podDisplayName(pod);
  const labels = new Map(devices.map((d) => [`${d.resource}\u0000${d.id}`, d.label]));
  const short = (r: string, id: string): string => labels.get(`${r}\u0000${id}`) ?? id;
  const held = CPUSet.fromIds(cells?.cpus ?? []);
  const podSwatch = swatchHtml({ fill: pc.base.fill, stroke: pc.frame, strokeWidth: 1, dash: null });
  const podDevices = heldBy(devices, pod.uid, null);
  const deviceCount = podDevices.reduce((n, r) => n + r.devices.length, 0);
  const find = `${name} ${pod.uid}`.toLowerCase();
  const rows = [
    `<tr class="pod${hide}" data-pod="${uid}" data-look="${pc.look}" data-find="${escapeXml(find)}" data-cpus="${held.toString()}">`,
    `<td class="name">${podSwatch}${escapeXml(name).replace("/", "/<wbr>")}</td>`,
    `<td>${pod.bubble ? "pod bubble" : "-"}</td>`,
    held.isEmpty()
      ? `<td><span class="pool">node shared pool</span></td>`
      : cpuCell(held.toString(), `${held.size} CPUs`),
    `<td><code>${escapeXml(podMemory(view, pod.uid))}</code></td>`,
    withDevices ? `<td>${deviceCount === 0 ? "-" : String(deviceCount)}</td>` : "",
    "</tr>",
  ];
  for (const c of pod.containers) {
    const sw = swatchHtml(containerSwatch(c, cells, owners, colours, scale));
    const words = ASSIGNMENT_WORDS[c.assignmentType] ?? c.assignmentType;
    const cfind = `${c.name} ${c.kind} ${c.assignmentType} ${words}`.toLowerCase();
    rows.push(
      `<tr class="container${hide}" data-pod="${uid}" data-container="${escapeXml(c.name)}" data-find="${escapeXml(cfind)}" data-cpus="${c.cpus?.toString() ?? ""}">`,
      `<td class="name">${sw}${escapeXml(c.name)} <span class="kind">${escapeXml(c.kind)}</span></td>`,
      `<td><span class="at ${c.assignmentType}">${escapeXml(words)}</span></td>`,
      containerCpus(c),
      `<td><code>${escapeXml(formatBlocks(c.memory))}</code></td>`,
      withDevices
        ? `<td><code>${escapeXml(formatHeldDevices(heldBy(devices, pod.uid, c.name), short) || "-")}</code></td>`
        : "",
      "</tr>",
    );
  }
  return rows;
}

/** The pods table with its search box; an empty string for a node without pods. */
export function podsPanel(view: NodeView, colours: ReadonlyMap<string, PodColours>, scale: Scale): string {
  if (view.pods.length === 0) return "";
  const devices = allDevices(view);
  const withDevices = devices.length > 0;
  const cells = cellsByPod(view);
  const owners = new Map(view.cpus.map((c) => [c.id, c.owner]));
  const out: string[] = [
    `<div class="panel pods"><div class="panel-head"><h2>Pods on the node</h2>`,
    `<label class="find"><span class="vh">Find a pod, container or CPU</span><input type="search" id="find" placeholder="find a pod, container or CPU id" autocomplete="off" aria-controls="pods-table"></label>`,
    `<span class="found" id="found" aria-live="polite">${view.pods.length} pod${view.pods.length === 1 ? "" : "s"}</span></div>`,
    `<div class="scroll"><table class="pods" id="pods-table" data-shown="${ROWS_SHOWN}"><thead><tr><th>Pod / container</th><th>Assignment</th><th>CPUs</th><th>Memory</th>${withDevices ? "<th>Devices</th>" : ""}</tr></thead><tbody>`,
  ];
  view.pods.forEach((p, i) => {
    const hidden = i >= ROWS_SHOWN;
    out.push(...podRows(p, view, owners, cells.get(p.uid), colours, scale, devices, withDevices, hidden));
  });
  const more = view.pods.length - ROWS_SHOWN;
  if (more > 0)
    out.push(
      `<tr class="more" id="pods-more"><td colspan="${withDevices ? 5 : 4}">${more} more pod${more === 1 ? "" : "s"}: type in the search box to find them</td></tr>`,
    );
  out.push("</tbody></table></div></div>");
  return out.join("");
}
