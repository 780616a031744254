import { type Box, bestColumns, column, fixedBox, grid, px, textWidth } from "./layout.js";
import type { CPUView, NodeView, NUMANodeView } from "./ownership.js";
import { podsByUid } from "./ownership.js";
import { podColours } from "./palette.js";
import { type CellContext, coreBox } from "./svg-cpu.js";
import { deviceDefs, deviceGroups } from "./svg-devices.js";
import { type FrameOptions, frame } from "./svg-frame.js";
import { legendBox, legendDefs } from "./svg-legend.js";
import { barWidth, memoryBars } from "./svg-memory.js";
import { podPatterns, type Scale, scaleFor, svgCss } from "./svg-style.js";
import { escapeXml } from "./units.js";

export interface SvgOptions {
  /** Prefix of every element id, so several pictures can share one page (default none). */
  idPrefix?: string;
  /** Draw the legend above the machine (default true). */
  legend?: boolean;
  /** Draw the title line (default true). */
  title?: boolean;
}

/**
 * Which hardware level encloses the other: NUMA nodes inside sockets (the usual case, also SNC and
 * NPS), or sockets inside NUMA nodes (a NUMA node spanning several packages). When neither nests
 * cleanly, NUMA nodes go outside and each holds the part of every socket it covers.
 */
type Orientation = "socket-numa" | "numa-socket";

function orientation(cpus: readonly CPUView[]): Orientation {
  const socketsOfNuma = new Map<number, Set<number>>();
  for (const c of cpus) {
    let s = socketsOfNuma.get(c.numa);
    if (!s) socketsOfNuma.set(c.numa, (s = new Set()));
    s.add(c.socket);
  }
  return [...socketsOfNuma.values()].every((s) => s.size === 1) ? "socket-numa" : "numa-socket";
}

type Tree<T> = Map<number, T>;

function child<T>(m: Tree<T>, k: number, make: () => T): T {
  let v = m.get(k);
  if (v === undefined) m.set(k, (v = make()));
  return v;
}

function sortedEntries<T>(m: Tree<T>): [number, T][] {
  return [...m.entries()].sort((a, b) => a[0] - b[0]);
}

/** outer -> inner -> uncore -> core -> threads, every level ascending by id. */
type Hierarchy = Tree<Tree<Tree<Tree<CPUView[]>>>>;

function hierarchy(cpus: readonly CPUView[], o: Orientation): Hierarchy {
  const root: Hierarchy = new Map();
  for (const c of cpus) {
    const outer = o === "socket-numa" ? c.socket : c.numa;
    const inner = o === "socket-numa" ? c.numa : c.socket;
    const cores = child(
      child(
        child(root, outer, () => new Map()),
        inner,
        () => new Map(),
      ),
      c.uncore,
      () => new Map(),
    );
    child(cores, c.core, () => []).push(c);
  }
  return root;
}

interface Ctx extends CellContext {
  view: NodeView;
  numa: Map<number, NUMANodeView>;
  /** uncore id -> NUMA nodes it covers. */
  uncoreNuma: Map<number, number[]>;
}

const COLOURS = {
  socketFill: "#f5f7fa",
  socketStroke: "#94a3b8",
  numaFill: "#ffffff",
  numaStroke: "#b8c2cf",
  uncoreStroke: "#cfd6df",
} as const;

function coreGrid(cores: Tree<CPUView[]>, ctx: Ctx, aspect: number): Box {
  const boxes = sortedEntries(cores).map(([core, threads]) => coreBox(core, threads, ctx));
  return grid(boxes, bestColumns(boxes, ctx.scale.coreGap, aspect), ctx.scale.coreGap);
}

function uncoreNote(uncore: number, numa: number | null, ctx: Ctx): string {
  const covers = ctx.uncoreNuma.get(uncore) ?? [];
  const others = covers.filter((n) => n !== numa);
  if (numa === null || others.length === 0) return `L3 ${uncore}`;
  return `L3 ${uncore} shared with NUMA ${others.join(",")}`;
}

/** The cores of one inner group, split into L3 boxes when the group holds several. */
function innerContent(
  uncores: Tree<Tree<CPUView[]>>,
  numa: number | null,
  ctx: Ctx,
): { box: Box; l3: string } {
  const entries = sortedEntries(uncores);
  if (entries.length === 1) {
    const [uncore, cores] = entries[0];
    return { box: coreGrid(cores, ctx, 2.6), l3: uncoreNote(uncore, numa, ctx) };
  }
  const s = ctx.scale;
  const boxes = entries.map(([uncore, cores]) =>
    frame(coreGrid(cores, ctx, 1.4), {
      attrs: `class="uncore" data-uncore="${uncore}"`,
      label: uncoreNote(uncore, numa, ctx),
      sub: null,
      fill: "none",
      stroke: COLOURS.uncoreStroke,
      dash: "4 3",
      pad: Math.max(3, s.groupPad - 3),
      labelFont: s.smallFont,
      smallFont: s.smallFont,
      radius: 4,
      labelClass: "sub",
    }),
  );
  return {
    box: grid(boxes, bestColumns(boxes, s.groupGap, 2), s.groupGap),
    l3: `${entries.length} L3 caches`,
  };
}

function numaSummary(n: NUMANodeView | undefined, cpus: number): string {
  const free = n ? n.allocatableCpus.size : 0;
  return `${cpus} CPU${cpus === 1 ? "" : "s"} · ${free} free`;
}

function countCPUs(uncores: Tree<Tree<CPUView[]>>): number {
  let n = 0;
  for (const cores of uncores.values()) for (const t of cores.values()) n += t.length;
  return n;
}

/** A NUMA node's memory bars, then its devices (when it has any). */
function memoryAndDevices(numa: NUMANodeView, width: number, ctx: Ctx): Box {
  const s = ctx.scale;
  const bars = memoryBars(numa, width, s, ctx.pods, ctx.colours);
  const devices = deviceGroups(numa.devices, numa.id, width, ctx);
  return devices ? column([bars, devices], Math.max(3, s.groupGap / 2)) : bars;
}

function withMemory(content: Box, numa: NUMANodeView | undefined, ctx: Ctx): Box {
  if (!numa) return content;
  const s = ctx.scale;
  const below = memoryAndDevices(numa, Math.max(content.w, barWidth([numa], s, 150)), ctx);
  return column([content, fixedBox(0, 2, () => {}), below], s.groupGap / 2);
}

/**
 * The two kinds of group frame: a NUMA node's, and that of a group holding or standing beside NUMA
 * nodes (a socket, the CPU-less nodes, the devices without NUMA affinity).
 */
const GROUP_FRAMES = {
  numa: { fill: COLOURS.numaFill, stroke: COLOURS.numaStroke, radius: 6 },
  outer: { fill: COLOURS.socketFill, stroke: COLOURS.socketStroke, radius: 8 },
} as const;

function groupFrame(
  kind: keyof typeof GROUP_FRAMES,
  content: Box,
  head: Pick<FrameOptions, "attrs" | "label" | "sub">,
  ctx: Ctx,
): Box {
  const s = ctx.scale;
  return frame(content, {
    ...head,
    ...GROUP_FRAMES[kind],
    pad: s.groupPad,
    labelFont: s.labelFont,
    smallFont: s.smallFont,
  });
}

function numaFrame(numaId: number, content: Box, sub: string, ctx: Ctx): Box {
  return groupFrame(
    "numa",
    content,
    { attrs: `class="numa" data-numa="${numaId}"`, label: `NUMA ${numaId}`, sub },
    ctx,
  );
}

function socketFrame(socket: number, content: Box, sub: string | null, ctx: Ctx): Box {
  return groupFrame(
    "outer",
    content,
    { attrs: `class="socket" data-socket="${socket}"`, label: `Socket ${socket}`, sub },
    ctx,
  );
}

function cpuNodes(h: Hierarchy, o: Orientation, ctx: Ctx): Box[] {
  const s = ctx.scale;
  const outers: Box[] = [];
  for (const [outer, inners] of sortedEntries(h)) {
    const innerBoxes: Box[] = [];
    let outerCPUs = 0;
    for (const [inner, uncores] of sortedEntries(inners)) {
      const n = countCPUs(uncores);
      outerCPUs += n;
      if (o === "socket-numa") {
        const { box, l3 } = innerContent(uncores, inner, ctx);
        const numa = ctx.numa.get(inner);
        innerBoxes.push(numaFrame(inner, withMemory(box, numa, ctx), `${numaSummary(numa, n)} · ${l3}`, ctx));
      } else {
        const { box, l3 } = innerContent(uncores, outer, ctx);
        innerBoxes.push(socketFrame(inner, box, `${n} CPUs · ${l3}`, ctx));
      }
    }
    const content = grid(innerBoxes, bestColumns(innerBoxes, s.groupGap, 3.2), s.groupGap);
    if (o === "socket-numa") {
      outers.push(socketFrame(outer, content, `${outerCPUs} CPUs`, ctx));
    } else {
      const numa = ctx.numa.get(outer);
      outers.push(numaFrame(outer, withMemory(content, numa, ctx), numaSummary(numa, outerCPUs), ctx));
    }
  }
  return outers;
}

/**
 * CPU-less NUMA nodes (HBM, CXL, GPU memory) as boxes of memory bars and devices, gathered in one
 * frame: a GB200's GPUs sit on such nodes.
 */
function memoryOnlyNodes(nodes: NUMANodeView[], width: number, ctx: Ctx): Box | null {
  if (nodes.length === 0) return null;
  const s = ctx.scale;
  const barW = barWidth(nodes, s, 150);
  const withDevices = nodes.some((n) => n.devices.length > 0);
  const boxes = nodes.map((n) =>
    groupFrame(
      "numa",
      memoryAndDevices(n, barW, ctx),
      { attrs: `class="numa memory-only" data-numa="${n.id}"`, label: `NUMA ${n.id}`, sub: "no CPUs" },
      ctx,
    ),
  );
  const boxW = boxes[0].w;
  const cols = Math.max(
    1,
    Math.min(boxes.length, Math.floor((width - 2 * s.groupPad + s.groupGap) / (boxW + s.groupGap))),
  );
  return groupFrame(
    "outer",
    grid(boxes, cols, s.groupGap),
    {
      attrs: `class="memory-only-nodes"`,
      label: withDevices ? "NUMA nodes without CPUs" : "Memory-only NUMA nodes",
      sub: `${nodes.length} node${nodes.length === 1 ? "" : "s"} without CPUs${withDevices ? " (memory and devices)" : ""}`,
    },
    ctx,
  );
}

function hasDevices(view: NodeView): boolean {
  return view.devicesWithoutNUMA.length > 0 || view.numaNodes.some((n) => n.devices.length > 0);
}

/** Devices whose plugin gives no NUMA node, in one strip of their own. */
function noAffinityStrip(view: NodeView, width: number, ctx: Ctx): Box | null {
  const s = ctx.scale;
  const groups = deviceGroups(view.devicesWithoutNUMA, null, Math.max(300, width - 2 * s.groupPad), ctx);
  if (!groups) return null;
  const n = view.devicesWithoutNUMA.length;
  return groupFrame(
    "outer",
    groups,
    {
      attrs: `class="devices-no-numa"`,
      label: "No NUMA affinity",
      sub: `${n} device${n === 1 ? "" : "s"} whose plugin reports no NUMA node (they never count toward a topology hint)`,
    },
    ctx,
  );
}

/** `32 CPUs · 16 cores · 2 sockets · 2 NUMA nodes · 4 pods`. */
export function viewSummary(view: NodeView): string {
  const sockets = new Set(view.cpus.map((c) => c.socket)).size;
  const cores = new Set(view.cpus.map((c) => `${c.socket}/${c.core}`)).size;
  const memOnly = view.numaNodes.filter((n) => n.cpus.isEmpty()).length;
  const parts = [
    `${view.cpus.length} CPUs`,
    `${cores} cores`,
    `${sockets} socket${sockets === 1 ? "" : "s"}`,
    `${view.numaNodes.length} NUMA node${view.numaNodes.length === 1 ? "" : "s"}${memOnly > 0 ? ` (${memOnly} without CPUs)` : ""}`,
    `${view.pods.length} pod${view.pods.length === 1 ? "" : "s"}`,
  ];
  const devices = new Set(
    [...view.numaNodes.flatMap((n) => n.devices), ...view.devicesWithoutNUMA].map(
      (d) => `${d.resource}\u0000${d.id}`,
    ),
  );
  if (devices.size > 0) parts.splice(4, 0, `${devices.size} device${devices.size === 1 ? "" : "s"}`);
  return parts.join(" · ");
}

function titleBox(view: NodeView, scale: Scale): Box {
  return fixedBox(0, 22, (x, y, out) => {
    out.push(
      `<text class="title" x="${px(x)}" y="${px(y + 15)}">${escapeXml(view.machineName)}</text>`,
      `<text class="sub" x="${px(x + textWidth(view.machineName, 15, true) + 12)}" y="${px(y + 15)}" font-size="${scale.smallFont + 1}">${escapeXml(viewSummary(view))}</text>`,
    );
  });
}

/**
 * The machine picture as one self-contained `<svg>`: sockets, NUMA nodes, L3 caches, cores and
 * hardware threads laid out as the hardware nests them, one `<g class="cpu owner-…">` per CPU,
 * memory bars per NUMA node, and a legend. Output is deterministic for a given view.
 */
export function renderMachineSvg(view: NodeView, options: SvgOptions = {}): string {
  return machinePicture(view, options).svg;
}

/** The picture and its natural size in CSS pixels (the page scales it to fit its window). */
export interface MachinePicture {
  svg: string;
  width: number;
  height: number;
}

export function machinePicture(view: NodeView, options: SvgOptions = {}): MachinePicture {
  const idPrefix = options.idPrefix ?? "";
  const scale = scaleFor(view.cpus.length);
  const pods = podsByUid(view);
  const colours = podColours(view, idPrefix);
  const ctx: Ctx = {
    view,
    scale,
    idPrefix,
    pods,
    colours,
    numa: new Map(view.numaNodes.map((n) => [n.id, n])),
    uncoreNuma: new Map(),
  };
  for (const c of view.cpus) {
    const list = child(ctx.uncoreNuma, c.uncore, () => []);
    if (!list.includes(c.numa)) list.push(c.numa);
  }
  for (const list of ctx.uncoreNuma.values()) list.sort((a, b) => a - b);

  const o = orientation(view.cpus);
  const outers = cpuNodes(hierarchy(view.cpus, o), o, ctx);
  const machine = grid(outers, bestColumns(outers, scale.groupGap + 4, 2.4), scale.groupGap + 4);
  const memOnly = memoryOnlyNodes(
    view.numaNodes.filter((n) => n.cpus.isEmpty()),
    Math.max(machine.w, 700),
    ctx,
  );
  const pictureParts: Box[] = [machine];
  if (memOnly) pictureParts.push(memOnly);
  const noNUMA = noAffinityStrip(view, Math.max(machine.w, 700), ctx);
  if (noNUMA) pictureParts.push(noNUMA);
  const picture = column(pictureParts, scale.groupGap + 4);

  const body: Box[] = [];
  if (options.title !== false) body.push(titleBox(view, scale));
  body.push(picture);
  if (options.legend !== false)
    body.push(legendBox(view, Math.max(picture.w, 640), scale, colours, idPrefix));
  const all = column(body, 14);

  const margin = 12;
  const w = Math.ceil(Math.max(all.w, 640) + 2 * margin);
  const h = Math.ceil(all.h + 2 * margin);
  const label = `CPU${hasDevices(view) ? ", memory and device" : " and memory"} ownership of ${view.machineName}`;
  // data-cell and data-id-font tell the page's zoom when the CPU ids become readable.
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" id="${idPrefix}machine" class="podpin-machine${scale.showIds ? "" : " ids-off"}" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" preserveAspectRatio="xMidYMin meet" data-cell="${scale.cell}" data-id-font="${scale.idFont}" role="img" aria-label="${escapeXml(label)}">`,
    `<style>${svgCss(scale, idPrefix)}</style>`,
    `<defs>${legendDefs(idPrefix)}${deviceDefs(idPrefix)}${podPatterns(colours, scale)}</defs>`,
    `<rect width="${w}" height="${h}" fill="#ffffff"/>`,
  ];
  all.draw(margin, margin, out);
  out.push("</svg>");
  return { svg: out.join("\n"), width: w, height: h };
}
