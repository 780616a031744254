import { type Box, column, fixedBox, flow, grid, px, textWidth } from "./layout.js";
import { type NodeView, podDisplayName, type PodSummary } from "./ownership.js";
import {
  NEUTRAL,
  POD_COLOURS,
  POD_MARKS,
  type Paint,
  type PodColours,
  type PodMark,
  patternDef,
} from "./palette.js";
import { unhealthyFill } from "./svg-devices.js";
import {
  type CellStyle,
  ownerStyle,
  RESERVED_STYLE,
  SHARED_STYLE,
  type Scale,
  stripePattern,
  UNACCOUNTED_STYLE,
} from "./svg-style.js";
import { escapeXml, formatBytes } from "./units.js";

/** How many pods the legend lists before it summarises the rest (the table lists them all). */
export const LEGEND_MAX_PODS = 60;
/** Beyond this many pods each pod gets one line instead of a block per container. */
export const LEGEND_DETAILED_PODS = 6;

const SW = 14; // swatch side
const LINE = 18;
const COL_W = 270;
const GENERIC_HATCH = "hatch-generic";

export interface Swatch {
  fill: string;
  stroke: string;
  strokeWidth: number;
  dash: string | null;
}

export function swatch(s: Swatch, x: number, y: number, side = SW): string {
  const i = s.strokeWidth / 2;
  const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : "";
  return `<rect x="${px(x + i)}" y="${px(y + i)}" width="${px(side - 2 * i)}" height="${px(side - 2 * i)}" rx="2" fill="${s.fill}" stroke="${s.stroke}" stroke-width="${s.strokeWidth}"${dash}/>`;
}

function clip(text: string, width: number, font: number): string {
  if (textWidth(text, font) <= width) return text;
  let n = text.length - 1;
  while (n > 1 && textWidth(`${text.slice(0, n)}…`, font) > width) n--;
  return `${text.slice(0, n)}…`;
}

/** One legend line: a swatch and a text, with the full text as tooltip when it had to be cut. */
/** `width` 0 sizes the item to its text. */
function item(s: Swatch, text: string, width: number, cls: string, extraAttrs = ""): Box {
  if (width === 0) width = SW + 8 + textWidth(text, 11);
  const shown = clip(text, width - SW - 8, 11);
  return fixedBox(width, LINE, (x, y, out) => {
    const title = shown === text ? "" : `<title>${escapeXml(text)}</title>`;
    out.push(
      `<g class="legend-item ${cls}"${extraAttrs}>${title}${swatch(s, x, y + 1)}<text class="legend-text" x="${px(x + SW + 6)}" y="${px(y + 12)}">${escapeXml(shown)}</text></g>`,
    );
  });
}

/** An indented muted line under an item. */
function note(text: string, width: number): Box {
  const shown = clip(text, width - SW - 8, 10);
  return fixedBox(width, LINE - 3, (x, y, out) => {
    const title = shown === text ? "" : `<title>${escapeXml(text)}</title>`;
    out.push(
      `<g>${title}<text class="sub" font-size="10" x="${px(x + SW + 6)}" y="${px(y + 9)}">${escapeXml(shown)}</text></g>`,
    );
  });
}

function heading(text: string, width: number, paint: Paint | null): Box {
  const shown = clip(text, width - (paint ? 16 : 0), 12);
  return fixedBox(width, LINE + 2, (x, y, out) => {
    const dot = paint
      ? `<circle cx="${px(x + 5)}" cy="${px(y + 9)}" r="5" fill="${paint.fill}" stroke="${paint.colour}"/>`
      : "";
    const tx = paint ? x + 16 : x;
    const title = shown === text ? "" : `<title>${escapeXml(text)}</title>`;
    out.push(
      `<g>${title}${dot}<text class="legend-head" x="${px(tx)}" y="${px(y + 13)}">${escapeXml(shown)}</text></g>`,
    );
  });
}

interface PodUse {
  exclusive: Map<string, { n: number; node: boolean }>;
  shared: number;
  sharedBy: string[];
  unused: number;
  memory: Map<string, bigint>;
  /** Devices held per resource (each device once, even when it sits on two NUMA nodes). */
  devices: Map<string, Set<string>>;
}

function podUses(view: NodeView): Map<string, PodUse> {
  const uses = new Map<string, PodUse>();
  const use = (pod: string): PodUse => {
    let u = uses.get(pod);
    if (!u)
      uses.set(
        pod,
        (u = {
          exclusive: new Map(),
          shared: 0,
          sharedBy: [],
          unused: 0,
          memory: new Map(),
          devices: new Map(),
        }),
      );
    return u;
  };
  for (const c of view.cpus) {
    const o = c.owner;
    if (o.kind === "pod-exclusive" || o.kind === "node-exclusive") {
      const u = use(o.pod);
      const e = u.exclusive.get(o.container) ?? { n: 0, node: o.kind === "node-exclusive" };
      e.n++;
      u.exclusive.set(o.container, e);
    } else if (o.kind === "pod-shared") {
      const u = use(o.pod);
      u.shared++;
      for (const n of o.containers) if (!u.sharedBy.includes(n)) u.sharedBy.push(n);
    } else if (o.kind === "bubble-unused") {
      use(o.pod).unused++;
    }
  }
  for (const n of view.numaNodes)
    for (const r of n.memory)
      for (const p of r.pods) {
        const m = use(p.pod).memory;
        m.set(r.resource, (m.get(r.resource) ?? 0n) + p.bytes);
      }
  for (const d of [...view.numaNodes.flatMap((n) => n.devices), ...view.devicesWithoutNUMA])
    if (d.owner.kind === "held") {
      const held = use(d.owner.pod).devices;
      const ids = held.get(d.resource) ?? new Set<string>();
      ids.add(d.id);
      held.set(d.resource, ids);
    }
  return uses;
}

const cpus = (n: number): string => `${n} CPU${n === 1 ? "" : "s"}`;

/** The swatch of a legend line: exactly how the cells it names are drawn. */
function swatchOf(style: CellStyle): Swatch {
  return { fill: style.fill, stroke: style.stroke, strokeWidth: style.strokeWidth, dash: style.dash };
}

function podBlock(pod: PodSummary, u: PodUse, pc: PodColours, scale: Scale): Box {
  const lines: Box[] = [heading(podDisplayName(pod), COL_W, pc.base)];
  const podAttr = ` data-pod="${escapeXml(pod.uid)}"`;
  const colours = new Map([[pod.uid, pc]]);
  for (const [name, e] of u.exclusive) {
    const s = swatchOf(
      ownerStyle(
        e.node
          ? {
              kind: "node-exclusive",
              pod: pod.uid,
              container: name,
              containerKind: "app",
              initContainers: [],
            }
          : {
              kind: "pod-exclusive",
              pod: pod.uid,
              container: name,
              containerKind: "app",
              initContainers: [],
            },
        colours,
        scale,
      ),
    );
    const kind = e.node ? "node exclusive" : "pod exclusive";
    lines.push(
      item(
        s,
        `${name} · ${kind} · ${cpus(e.n)}`,
        COL_W,
        "legend-container",
        `${podAttr} data-container="${escapeXml(name)}"`,
      ),
    );
  }
  if (u.shared > 0) {
    const s = swatchOf(
      ownerStyle({ kind: "pod-shared", pod: pod.uid, containers: [], initContainers: [] }, colours, scale),
    );
    lines.push(item(s, `pod shared pool · ${cpus(u.shared)}`, COL_W, "legend-shared", podAttr));
    if (u.sharedBy.length > 0) lines.push(note(`used by ${u.sharedBy.join(", ")}`, COL_W));
  }
  if (u.unused > 0) {
    const s = swatchOf(
      ownerStyle({ kind: "bubble-unused", pod: pod.uid, initContainers: [] }, colours, scale),
    );
    lines.push(item(s, `bubble, unused · ${cpus(u.unused)}`, COL_W, "legend-unused", podAttr));
  }
  if (u.memory.size > 0) {
    const text = [...u.memory].map(([r, b]) => `${r} ${formatBytes(b)}`).join(", ");
    const s: Swatch = { fill: pc.base.fill, stroke: pc.base.colour, strokeWidth: 1, dash: null };
    lines.push(item(s, text, COL_W, "legend-memory", podAttr));
  }
  if (u.devices.size > 0) {
    const text = [...u.devices].map(([r, ids]) => `${r} ${ids.size}`).join(", ");
    const s: Swatch = { fill: pc.base.fill, stroke: pc.frame, strokeWidth: 1, dash: null };
    lines.push(item(s, `devices: ${text}`, COL_W, "legend-devices", podAttr));
  }
  return column(lines, 0);
}

function podLine(pod: PodSummary, u: PodUse, pc: PodColours): Box {
  let n = u.shared + u.unused;
  for (const e of u.exclusive.values()) n += e.n;
  const parts = [podDisplayName(pod)];
  if (n > 0) parts.push(cpus(n));
  const mem = u.memory.get("memory");
  if (mem) parts.push(formatBytes(mem));
  if (u.unused > 0) parts.push(`${u.unused} unused`);
  let devices = 0;
  for (const ids of u.devices.values()) devices += ids.size;
  if (devices > 0) parts.push(`${devices} device${devices === 1 ? "" : "s"}`);
  const text = parts.join(" · ");
  const shown = clip(text, COL_W - SW - 8, 11);
  const s: Swatch = { fill: pc.base.fill, stroke: pc.frame, strokeWidth: 1, dash: null };
  return fixedBox(COL_W, LINE, (x, y, out) => {
    out.push(
      `<g class="legend-pod" data-pod="${escapeXml(pod.uid)}"><title>${escapeXml(text)}</title>${swatch(s, x, y + 1)}<text class="legend-text" x="${px(x + SW + 6)}" y="${px(y + 12)}">${escapeXml(shown)}</text></g>`,
    );
  });
}

/** One line of the generic key: what a kind of cell, device box or bar segment means. */
export interface LegendEntry {
  /** CSS class of the line (`legend-reserved`, ...). */
  cls: string;
  text: string;
  swatch: Swatch;
}

/**
 * The generic key, only with what the picture can show: the CPU owner kinds, the device kinds the
 * machine has, the memory segments; and, when pods repeat colours, what the marks mean.
 */
export function genericLegendEntries(view: NodeView, scale: Scale, idPrefix: string): LegendEntry[] {
  const frameW = Math.min(2.5, scale.frame + 0.5);
  const solid = "#7b8aa0";
  const frameC = "#1e293b";
  const e = (cls: string, text: string, swatch: Swatch): LegendEntry => ({ cls, text, swatch });
  const entries: LegendEntry[] = [
    e("legend-reserved", "reserved for the system", swatchOf(RESERVED_STYLE)),
    e("legend-node-shared", "node shared pool", swatchOf(SHARED_STYLE)),
    e("legend-node-exclusive", "exclusive to a container (node)", {
      fill: solid,
      stroke: solid,
      strokeWidth: 1,
      dash: null,
    }),
    e("legend-pod-exclusive", "exclusive slice of a pod bubble", {
      fill: solid,
      stroke: frameC,
      strokeWidth: frameW,
      dash: null,
    }),
    e("legend-pod-shared", "pod shared pool (in the bubble)", {
      fill: `url(#${idPrefix}${GENERIC_HATCH})`,
      stroke: frameC,
      strokeWidth: frameW,
      dash: null,
    }),
    e("legend-bubble-unused", "bubble CPU no container uses", {
      fill: "#ffffff",
      stroke: frameC,
      strokeWidth: 1.2,
      dash: "3 2",
    }),
  ];
  if (view.counts.unaccounted > 0)
    entries.push(e("legend-unaccounted", "held by no one (left-over state)", swatchOf(UNACCOUNTED_STYLE)));
  const devices = [...view.numaNodes.flatMap((n) => n.devices), ...view.devicesWithoutNUMA];
  if (devices.length > 0) {
    entries.push(
      e("legend-device-free", "device (small box, short id), free", swatchOf(SHARED_STYLE)),
      e("legend-device-held", "device held by a pod (its colour)", {
        fill: solid,
        stroke: frameC,
        strokeWidth: 1,
        dash: null,
      }),
    );
    if (devices.some((d) => !d.healthy))
      entries.push(
        e("legend-device-unhealthy", "unhealthy device", {
          fill: unhealthyFill(idPrefix),
          stroke: "#6b7280",
          strokeWidth: 1,
          dash: null,
        }),
      );
    if (devices.some((d) => d.owner.kind === "in-use"))
      entries.push(
        e(
          "legend-device-in-use",
          "device in use by no pod here (released at the next purge)",
          swatchOf(UNACCOUNTED_STYLE),
        ),
      );
  }
  entries.push(
    e("legend-mem-system", "memory reserved for the system", {
      fill: NEUTRAL.memSystem,
      stroke: NEUTRAL.memSystem,
      strokeWidth: 1,
      dash: null,
    }),
    e("legend-mem-free", "free memory", {
      fill: NEUTRAL.memFree,
      stroke: NEUTRAL.memFreeStroke,
      strokeWidth: 1,
      dash: null,
    }),
  );
  if (view.pods.length > POD_COLOURS.length)
    for (const mark of POD_MARKS.slice(1, 1 + Math.ceil(view.pods.length / POD_COLOURS.length) - 1))
      entries.push(
        e(
          `legend-mark legend-mark-${mark}`,
          `pods ${markRange(mark, view.pods.length)}: the ${POD_COLOURS.length} colours again, ${MARK_WORDS[mark]}`,
          {
            fill: `url(#${idPrefix}${markSampleId(mark)})`,
            stroke: solid,
            strokeWidth: 1,
            dash: null,
          },
        ),
      );
  return entries;
}

const MARK_WORDS: Record<PodMark, string> = {
  solid: "plain",
  dots: "with dots",
  bars: "with bars",
  grid: "with a grid",
};

/** `13–24`, or `13–24, 61–72, …` once the marks repeat too. */
function markRange(mark: PodMark, pods: number): string {
  const i = POD_MARKS.indexOf(mark);
  const n = POD_COLOURS.length;
  const cycle = n * POD_MARKS.length;
  const first = `${i * n + 1}–${(i + 1) * n}`;
  return pods > cycle + i * n ? `${first}, ${cycle + i * n + 1}–${cycle + (i + 1) * n}, …` : first;
}

function markSampleId(mark: PodMark): string {
  return `mark-sample-${mark}`;
}

/** The grey samples of the marks the generic key shows. */
function markSampleDefs(idPrefix: string): string {
  return POD_MARKS.slice(1)
    .map((mark) =>
      patternDef(
        {
          id: `${idPrefix}${markSampleId(mark)}`,
          ground: "#7b8aa0",
          stripes: null,
          mark,
          markColour: "#ffffff",
          markOpacity: 0.6,
          look: `sample-${mark}`,
        },
        5,
      ),
    )
    .join("");
}

function genericSection(view: NodeView, width: number, scale: Scale, idPrefix: string): Box {
  const items = genericLegendEntries(view, scale, idPrefix).map((g) => item(g.swatch, g.text, 0, g.cls));
  return flow(items, width, 18, 4);
}

/** Reorders boxes so that a row-major grid of `cols` columns reads top to bottom, column by column. */
function columnMajor(boxes: readonly Box[], cols: number): Box[] {
  const rows = Math.ceil(boxes.length / cols);
  const empty = fixedBox(0, 0, () => {});
  const out: Box[] = [];
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out.push(boxes[c * rows + r] ?? empty);
  return out;
}

/** The generic defs the legend needs besides the per-pod hatches. */
export function legendDefs(idPrefix: string): string {
  return stripePattern(`${idPrefix}${GENERIC_HATCH}`, 6, 3, "#e2e8f0", "#a3b1c4") + markSampleDefs(idPrefix);
}

/** The legend: what each style means, then each pod with its colours and what it holds. */
export function legendBox(
  view: NodeView,
  width: number,
  scale: Scale,
  colours: ReadonlyMap<string, PodColours>,
  idPrefix: string,
): Box {
  const parts: Box[] = [genericSection(view, width, scale, idPrefix)];
  const uses = podUses(view);
  const shown = view.pods.filter((p) => uses.has(p.uid));
  const detailed = shown.length <= LEGEND_DETAILED_PODS;
  const blocks = shown
    .slice(0, LEGEND_MAX_PODS)
    .map((p) =>
      detailed
        ? podBlock(p, uses.get(p.uid)!, colours.get(p.uid)!, scale)
        : podLine(p, uses.get(p.uid)!, colours.get(p.uid)!),
    );
  const notes: string[] = [];
  if (shown.length > LEGEND_MAX_PODS)
    notes.push(
      `${shown.length - LEGEND_MAX_PODS} more pods hold CPUs${[...uses.values()].some((u) => u.devices.size > 0) ? ", memory or devices" : " or memory"} (see the table)`,
    );
  const sharedOnly = view.pods.length - shown.length;
  if (sharedOnly > 0)
    notes.push(`${sharedOnly} pod${sharedOnly === 1 ? " runs" : "s run"} in the node shared pool only`);
  if (blocks.length > 0) {
    const maxCols = Math.max(1, Math.floor((width + 16) / (COL_W + 16)));
    const cols = Math.min(blocks.length, maxCols);
    // Compact lines read down the columns, like a list.
    const ordered = detailed ? blocks : columnMajor(blocks, cols);
    parts.push(grid(ordered, cols, detailed ? 16 : 4));
  }
  for (const n of notes)
    parts.push(
      fixedBox(width, LINE, (x, y, out) => {
        out.push(`<text class="sub legend-note" x="${px(x)}" y="${px(y + 12)}">${escapeXml(n)}</text>`);
      }),
    );
  return column(parts, 12);
}
