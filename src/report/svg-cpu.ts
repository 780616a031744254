import { type CPUView, podDisplayName, type PodSummary } from "./ownership.js";
import { type Box, fixedBox, px } from "./layout.js";
import { NEUTRAL, type PodColours } from "./palette.js";
import { cellStyle, type Scale } from "./svg-style.js";
import { escapeXml } from "./units.js";

export interface CellContext {
  scale: Scale;
  idPrefix: string;
  pods: ReadonlyMap<string, PodSummary>;
  colours: ReadonlyMap<string, PodColours>;
}

function plural(names: readonly string[], one: string, many: string): string {
  return `${names.length === 1 ? one : many} ${names.join(", ")}`;
}

function podLine(pod: PodSummary | undefined, uid: string): string {
  if (!pod) return `Pod ${uid}`;
  const bubble = pod.bubble ? ` · bubble ${pod.bubble.toString()}` : "";
  return `Pod ${podDisplayName(pod)}${bubble}`;
}

/** The hover text of one CPU: where it sits, who holds it and with which assignment type. */
export function cpuTooltip(cpu: CPUView, pods: ReadonlyMap<string, PodSummary>): string {
  const lines = [
    `CPU ${cpu.id} · core ${cpu.core} · socket ${cpu.socket} · NUMA ${cpu.numa} · L3 ${cpu.uncore}`,
  ];
  const o = cpu.owner;
  switch (o.kind) {
    case "reserved":
      lines.push(
        cpu.inDefaultSet
          ? "Reserved for the system (also serves the node shared pool)"
          : "Reserved for the system (kept out of the node shared pool)",
      );
      break;
    case "node-shared":
      lines.push("Node shared pool (default CPU set) · node_shared");
      break;
    case "unaccounted":
      lines.push("Not in the default CPU set and held by no pod of this view (left-over state)");
      break;
    case "node-exclusive":
      lines.push(
        podLine(pods.get(o.pod), o.pod),
        `Container ${o.container} (${o.containerKind}) · node_exclusive`,
      );
      break;
    case "pod-exclusive":
      lines.push(
        podLine(pods.get(o.pod), o.pod),
        `Container ${o.container} (${o.containerKind}) · pod_exclusive`,
      );
      break;
    case "pod-shared":
      lines.push(
        podLine(pods.get(o.pod), o.pod),
        `Pod shared pool · pod_shared · ${plural(o.containers, "container", "containers")}`,
      );
      break;
    case "bubble-unused":
      lines.push(
        podLine(pods.get(o.pod), o.pod),
        "In the bubble, used by no long-running container (wasted remainder)",
      );
      break;
  }
  const inits =
    "initContainers" in o ? o.initContainers.filter((n) => !("container" in o) || o.container !== n) : [];
  if (inits.length > 0)
    lines.push(`Used at start-up by ${plural(inits, "init container", "init containers")}`);
  return lines.join("\n");
}

/** One CPU: a `<g class="cpu owner-…" data-cpu="…">` holding its tooltip, cell and id. */
export function cpuCell(cpu: CPUView, ctx: CellContext): Box {
  const { scale } = ctx;
  const s = scale.cell;
  return fixedBox(s, s, (x, y, out) => {
    const st = cellStyle(cpu, ctx.colours, scale);
    const o = cpu.owner;
    let data = ` data-cpu="${cpu.id}" data-owner="${o.kind}"`;
    if ("pod" in o) data += ` data-pod="${escapeXml(o.pod)}"`;
    if ("container" in o) data += ` data-container="${escapeXml(o.container)}"`;
    if (o.kind === "pod-shared") data += ` data-containers="${escapeXml(o.containers.join(","))}"`;
    const i = st.strokeWidth / 2;
    const dash = st.dash ? ` stroke-dasharray="${st.dash}"` : "";
    const halo = st.halo ? ` stroke="${st.halo}"` : "";
    out.push(
      `<g class="cpu owner-${o.kind}" id="${ctx.idPrefix}cpu-${cpu.id}"${data}>`,
      `<title>${escapeXml(cpuTooltip(cpu, ctx.pods))}</title>`,
      `<rect x="${px(x + i)}" y="${px(y + i)}" width="${px(s - 2 * i)}" height="${px(s - 2 * i)}" rx="${s >= 16 ? 3 : 1.5}" fill="${st.fill}" stroke="${st.stroke}" stroke-width="${st.strokeWidth}"${dash}/>`,
      `<text class="cid" x="${px(x + s / 2)}" y="${px(y + s / 2 + 0.5)}" fill="${st.text}"${halo}>${cpu.id}</text>`,
      "</g>",
    );
  });
}

/** A physical core: its hardware threads side by side (two rows beyond four threads). */
export function coreBox(core: number, threads: readonly CPUView[], ctx: CellContext): Box {
  const { cell, corePad } = ctx.scale;
  const gap = 1;
  const perRow = threads.length <= 4 ? threads.length : Math.ceil(threads.length / 2);
  const rows = Math.ceil(threads.length / perRow);
  const w = perRow * cell + (perRow - 1) * gap + 2 * corePad;
  const h = rows * cell + (rows - 1) * gap + 2 * corePad;
  const cells = threads.map((t) => cpuCell(t, ctx));
  return fixedBox(w, h, (x, y, out) => {
    out.push(
      `<g class="core" data-core="${core}">`,
      `<rect x="${px(x + 0.5)}" y="${px(y + 0.5)}" width="${px(w - 1)}" height="${px(h - 1)}" rx="${cell >= 16 ? 4 : 2}" fill="${NEUTRAL.coreFill}" stroke="${NEUTRAL.coreStroke}"/>`,
    );
    cells.forEach((c, i) => {
      const col = i % perRow;
      const row = Math.floor(i / perRow);
      c.draw(x + corePad + col * (cell + gap), y + corePad + row * (cell + gap), out);
    });
    out.push("</g>");
  });
}
