import { type Box, column, fixedBox, flow, grid, px, textWidth } from "./layout.js";
import type { NodeView, PodSummary } from "./ownership.js";
import { NEUTRAL, type PodColours } from "./palette.js";
import { unhealthyFill } from "./svg-devices.js";
import { hatchId, SHARED_STYLE, type Scale, stripePattern, UNACCOUNTED_STYLE } from "./svg-style.js";
import { escapeXml, formatBytes } from "./units.js";

/** How many pods the legend lists before it summarises the rest (the table lists them all). */
export const LEGEND_MAX_PODS = 60;
/** Beyond this many pods each pod gets one line instead of a block per container. */
export const LEGEND_DETAILED_PODS = 6;

const SW = 14; // swatch side
const LINE = 18;
const COL_W = 270;
const GENERIC_HATCH = "hatch-generic";

interface Swatch {
  fill: string;
  stroke: string;
  strokeWidth: number;
  dash: string | null;
}

function swatch(s: Swatch, x: number, y: number): string {
  const i = s.strokeWidth / 2;
  const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : "";
  return `<rect x="${px(x + i)}" y="${px(y + i)}" width="${px(SW - 2 * i)}" height="${px(SW - 2 * i)}" rx="2" fill="${s.fill}" stroke="${s.stroke}" stroke-width="${s.strokeWidth}"${dash}/>`;
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

function heading(text: string, width: number, colour: string | null): Box {
  const shown = clip(text, width - (colour ? 16 : 0), 12);
  return fixedBox(width, LINE + 2, (x, y, out) => {
    const dot = colour ? `<circle cx="${px(x + 5)}" cy="${px(y + 9)}" r="5" fill="${colour}"/>` : "";
    const tx = colour ? x + 16 : x;
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

function podBlock(pod: PodSummary, u: PodUse, pc: PodColours, idPrefix: string, scale: Scale): Box {
  const lines: Box[] = [heading(`${pod.namespace}/${pod.name}`, COL_W, pc.base)];
  const frameW = Math.min(2.5, scale.frame + 0.5);
  const podAttr = ` data-pod="${escapeXml(pod.uid)}"`;
  for (const [name, e] of u.exclusive) {
    const fill = pc.containers.get(name)?.fill ?? pc.base;
    const s: Swatch = e.node
      ? { fill, stroke: fill, strokeWidth: 1, dash: null }
      : { fill, stroke: pc.frame, strokeWidth: frameW, dash: null };
    const kind = e.node ? "node exclusive" : "pod exclusive";
    lines.push(item(s, `${name} · ${kind} · ${cpus(e.n)}`, COL_W, "legend-container", podAttr));
  }
  if (u.shared > 0) {
    const s: Swatch = {
      fill: `url(#${hatchId(idPrefix, pod.index)})`,
      stroke: pc.frame,
      strokeWidth: frameW,
      dash: null,
    };
    lines.push(item(s, `pod shared pool · ${cpus(u.shared)}`, COL_W, "legend-shared", podAttr));
    if (u.sharedBy.length > 0) lines.push(note(`used by ${u.sharedBy.join(", ")}`, COL_W));
  }
  if (u.unused > 0) {
    const s: Swatch = { fill: "#ffffff", stroke: pc.frame, strokeWidth: 1.2, dash: "3 2" };
    lines.push(item(s, `bubble, unused · ${cpus(u.unused)}`, COL_W, "legend-unused", podAttr));
  }
  if (u.memory.size > 0) {
    const text = [...u.memory].map(([r, b]) => `${r} ${formatBytes(b)}`).join(", ");
    const s: Swatch = { fill: pc.base, stroke: pc.base, strokeWidth: 1, dash: null };
    lines.push(item(s, text, COL_W, "legend-memory", podAttr));
  }
  if (u.devices.size > 0) {
    const text = [...u.devices].map(([r, ids]) => `${r} ${ids.size}`).join(", ");
    const s: Swatch = { fill: pc.base, stroke: pc.frame, strokeWidth: 1, dash: null };
    lines.push(item(s, `devices: ${text}`, COL_W, "legend-devices", podAttr));
  }
  return column(lines, 0);
}

function podLine(pod: PodSummary, u: PodUse, pc: PodColours): Box {
  let n = u.shared + u.unused;
  for (const e of u.exclusive.values()) n += e.n;
  const parts = [`${pod.namespace}/${pod.name}`];
  if (n > 0) parts.push(cpus(n));
  const mem = u.memory.get("memory");
  if (mem) parts.push(formatBytes(mem));
  if (u.unused > 0) parts.push(`${u.unused} unused`);
  let devices = 0;
  for (const ids of u.devices.values()) devices += ids.size;
  if (devices > 0) parts.push(`${devices} device${devices === 1 ? "" : "s"}`);
  const text = parts.join(" · ");
  const shown = clip(text, COL_W - 16, 11);
  return fixedBox(COL_W, LINE, (x, y, out) => {
    out.push(
      `<g class="legend-pod" data-pod="${escapeXml(pod.uid)}"><title>${escapeXml(text)}</title><circle cx="${px(x + 5)}" cy="${px(y + 8)}" r="5" fill="${pc.base}"/><text class="legend-text" x="${px(x + 16)}" y="${px(y + 12)}">${escapeXml(shown)}</text></g>`,
    );
  });
}

function genericSection(view: NodeView, width: number, scale: Scale, idPrefix: string): Box {
  const frameW = Math.min(2.5, scale.frame + 0.5);
  const solid = "#7b8aa0";
  const frameC = "#1e293b";
  const items: Box[] = [
    item(
      { fill: NEUTRAL.reservedFill, stroke: NEUTRAL.reservedFill, strokeWidth: 1, dash: null },
      "reserved for the system",
      0,
      "legend-reserved",
    ),
    item(SHARED_STYLE, "node shared pool", 0, "legend-node-shared"),
    item(
      { fill: solid, stroke: solid, strokeWidth: 1, dash: null },
      "exclusive to a container (node)",
      0,
      "legend-node-exclusive",
    ),
    item(
      { fill: solid, stroke: frameC, strokeWidth: frameW, dash: null },
      "exclusive slice of a pod bubble",
      0,
      "legend-pod-exclusive",
    ),
    item(
      { fill: `url(#${idPrefix}${GENERIC_HATCH})`, stroke: frameC, strokeWidth: frameW, dash: null },
      "pod shared pool (in the bubble)",
      0,
      "legend-pod-shared",
    ),
    item(
      { fill: "#ffffff", stroke: frameC, strokeWidth: 1.2, dash: "3 2" },
      "bubble CPU no container uses",
      0,
      "legend-bubble-unused",
    ),
  ];
  if (view.counts.unaccounted > 0)
    items.push(item(UNACCOUNTED_STYLE, "held by no one (left-over state)", 0, "legend-unaccounted"));
  const devices = [...view.numaNodes.flatMap((n) => n.devices), ...view.devicesWithoutNUMA];
  if (devices.length > 0) {
    items.push(
      item(SHARED_STYLE, "device (small box, short id), free", 0, "legend-device-free"),
      item(
        { fill: solid, stroke: frameC, strokeWidth: 1, dash: null },
        "device held by a pod (its colour)",
        0,
        "legend-device-held",
      ),
    );
    if (devices.some((d) => !d.healthy))
      items.push(
        item(
          { fill: unhealthyFill(idPrefix), stroke: "#6b7280", strokeWidth: 1, dash: null },
          "unhealthy device",
          0,
          "legend-device-unhealthy",
        ),
      );
    if (devices.some((d) => d.owner.kind === "in-use"))
      items.push(
        item(
          UNACCOUNTED_STYLE,
          "device in use by no pod here (released at the next purge)",
          0,
          "legend-device-in-use",
        ),
      );
  }
  items.push(
    item(
      { fill: NEUTRAL.memSystem, stroke: NEUTRAL.memSystem, strokeWidth: 1, dash: null },
      "memory reserved for the system",
      0,
      "legend-mem-system",
    ),
    item(
      { fill: NEUTRAL.memFree, stroke: NEUTRAL.memFreeStroke, strokeWidth: 1, dash: null },
      "free memory",
      0,
      "legend-mem-free",
    ),
  );
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
  return stripePattern(`${idPrefix}${GENERIC_HATCH}`, 6, 3, "#e2e8f0", "#a3b1c4");
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
        ? podBlock(p, uses.get(p.uid)!, colours.get(p.uid)!, idPrefix, scale)
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
