import { type Box, column, fixedBox, px, textWidth } from "./layout.js";
import { type NUMANodeView, type NUMAResourceView, podDisplayName, type PodSummary } from "./ownership.js";
import { NEUTRAL, type PodColours } from "./palette.js";
import type { Scale } from "./svg-style.js";
import { escapeXml, formatBytes, freeOfAllocatable } from "./units.js";

interface Segment {
  cls: string;
  bytes: bigint;
  fill: string;
  title: string;
  pod: string | null;
}

function segments(
  node: number,
  r: NUMAResourceView,
  pods: ReadonlyMap<string, PodSummary>,
  colours: ReadonlyMap<string, PodColours>,
): Segment[] {
  const where = `NUMA ${node} ${r.resource}`;
  const out: Segment[] = [];
  if (r.systemReserved > 0n)
    out.push({
      cls: "mem-system",
      bytes: r.systemReserved,
      fill: NEUTRAL.memSystem,
      title: `${where}: ${formatBytes(r.systemReserved)} reserved for the system`,
      pod: null,
    });
  for (const u of r.pods) {
    const p = pods.get(u.pod);
    const name = p ? podDisplayName(p) : u.pod;
    out.push({
      cls: "mem-pod",
      bytes: u.bytes,
      fill: colours.get(u.pod)?.base.fill ?? NEUTRAL.memOther,
      title: `${where}: ${formatBytes(u.bytes)} held by pod ${name}`,
      pod: u.pod,
    });
  }
  if (r.otherReserved > 0n)
    out.push({
      cls: "mem-other",
      bytes: r.otherReserved,
      fill: NEUTRAL.memOther,
      title: `${where}: ${formatBytes(r.otherReserved)} reserved, not accounted to a pod of this view`,
      pod: null,
    });
  if (r.free > 0n)
    out.push({
      cls: "mem-free",
      bytes: r.free,
      fill: NEUTRAL.memFree,
      title: `${where}: ${freeOfAllocatable(r)} (${formatBytes(r.total)} in all)`,
      pod: null,
    });
  return out;
}

/**
 * One bar: label line above (free of allocatable, as the tables say it), then the segments scaled
 * to the node's total, the system's reservation included.
 */
function resourceBar(
  node: number,
  r: NUMAResourceView,
  width: number,
  scale: Scale,
  pods: ReadonlyMap<string, PodSummary>,
  colours: ReadonlyMap<string, PodColours>,
): Box {
  const lineH = scale.smallFont + 4;
  const segs = segments(node, r, pods, colours);
  const sum = segs.reduce((s, x) => s + x.bytes, 0n);
  const label = barLabel(r);
  return fixedBox(width, lineH + scale.barH, (x, y, out) => {
    out.push(
      `<g class="mem-bar" data-numa="${node}" data-resource="${escapeXml(r.resource)}">`,
      `<text class="sub" x="${px(x)}" y="${px(y + scale.smallFont)}">${escapeXml(label)}</text>`,
    );
    const by = y + lineH;
    if (sum === 0n) {
      out.push(
        `<rect x="${px(x)}" y="${px(by)}" width="${px(width)}" height="${scale.barH}" rx="2" fill="none" stroke="${NEUTRAL.memFreeStroke}" stroke-dasharray="3 2"/>`,
      );
    } else {
      // Scale in floating point from exact byte counts: 53 bits of precision are plenty for pixels.
      let cx = x;
      for (const s of segs) {
        const w = (Number(s.bytes) / Number(sum)) * width;
        const podAttr = s.pod === null ? "" : ` data-pod="${escapeXml(s.pod)}"`;
        out.push(
          `<rect class="mem-seg ${s.cls}"${podAttr} x="${px(cx)}" y="${px(by)}" width="${px(Math.max(w, 0.5))}" height="${scale.barH}" fill="${s.fill}"><title>${escapeXml(s.title)}</title></rect>`,
        );
        cx += w;
      }
      out.push(
        `<rect x="${px(x)}" y="${px(by)}" width="${px(width)}" height="${scale.barH}" rx="2" fill="none" stroke="${NEUTRAL.memFreeStroke}"/>`,
      );
    }
    out.push("</g>");
  });
}

/** The resources a node has a bar for: those it has any of, or that a pod holds. */
function shownResources(node: NUMANodeView): NUMAResourceView[] {
  return node.memory.filter((r) => r.total > 0n || r.pods.length > 0);
}

/** `memory · 46.9Gi free of 62.9Gi allocatable`: the line above a bar. */
export function barLabel(r: NUMAResourceView): string {
  return `${r.resource} · ${freeOfAllocatable(r)}`;
}

/** The width the bars of `nodes` need for their labels, and at least `min`. */
export function barWidth(nodes: readonly NUMANodeView[], scale: Scale, min: number): number {
  let w = min;
  for (const n of nodes)
    for (const r of shownResources(n)) w = Math.max(w, Math.ceil(textWidth(barLabel(r), scale.smallFont)));
  return w;
}

/** The memory bars of one NUMA node, one per resource; a memory-less node says so. */
export function memoryBars(
  node: NUMANodeView,
  width: number,
  scale: Scale,
  pods: ReadonlyMap<string, PodSummary>,
  colours: ReadonlyMap<string, PodColours>,
): Box {
  const shown = shownResources(node);
  if (shown.length === 0) {
    return fixedBox(width, scale.smallFont + 4, (x, y, out) => {
      out.push(
        `<text class="sub mem-none" data-numa="${node.id}" x="${px(x)}" y="${px(y + scale.smallFont)}">no memory</text>`,
      );
    });
  }
  return column(
    shown.map((r) => resourceBar(node.id, r, width, scale, pods, colours)),
    Math.max(3, scale.groupGap / 2),
  );
}
