import type { DeviceView } from "./device-view.js";
import { type Box, column, fixedBox, flow, px, textWidth } from "./layout.js";
import { podDisplayName, type PodSummary } from "./ownership.js";
import { NEUTRAL, type PodColours } from "./palette.js";
import {
  type CellStyle,
  deviceFont,
  SHARED_STYLE,
  type Scale,
  stripePattern,
  UNACCOUNTED_STYLE,
} from "./svg-style.js";
import { escapeXml } from "./units.js";

/*
 * Device-plugin devices in the picture: one small box per device, labelled by a short id, grouped
 * by resource under each NUMA node. A pod's devices take the pod's colour (as its CPUs and memory
 * do); free ones are pale; unhealthy ones are hatched grey; in-use devices no pod of the view
 * holds are outlined like left-over CPUs.
 */

export interface DeviceContext {
  scale: Scale;
  idPrefix: string;
  pods: ReadonlyMap<string, PodSummary>;
  colours: ReadonlyMap<string, PodColours>;
}

const UNHEALTHY_HATCH = "hatch-unhealthy";

/** The hatch of unhealthy devices (one per picture). */
export function deviceDefs(idPrefix: string): string {
  return stripePattern(`${idPrefix}${UNHEALTHY_HATCH}`, 5, 2, "#f3f4f6", "#d1d5db");
}

export function unhealthyFill(idPrefix: string): string {
  return `url(#${idPrefix}${UNHEALTHY_HATCH})`;
}

/** How a device box looks, from its owner and health (free and in-use ones as such CPUs look). */
export function deviceLook(
  d: DeviceView,
  colours: ReadonlyMap<string, PodColours>,
  idPrefix: string,
): Readonly<CellStyle> {
  const pc = d.owner.kind === "held" ? colours.get(d.owner.pod) : undefined;
  if (!d.healthy)
    return {
      fill: unhealthyFill(idPrefix),
      stroke: pc ? pc.frame : "#6b7280",
      strokeWidth: pc ? 2 : 1,
      dash: null,
      text: NEUTRAL.ink,
      halo: null,
    };
  if (pc)
    return {
      fill: pc.base.fill,
      stroke: pc.frame,
      strokeWidth: 1,
      dash: null,
      text: pc.base.text,
      halo: pc.base.colour,
    };
  return d.owner.kind === "in-use" ? UNACCOUNTED_STYLE : SHARED_STYLE;
}

function podName(pods: ReadonlyMap<string, PodSummary>, uid: string): string {
  const p = pods.get(uid);
  return p ? podDisplayName(p) : uid;
}

/** The hover text: the full id, where it sits, health, and who holds it. */
export function deviceTooltip(d: DeviceView, pods: ReadonlyMap<string, PodSummary>): string {
  const where = d.numaNodes.length === 0 ? "no NUMA affinity" : `NUMA ${d.numaNodes.join(",")}`;
  const lines = [`${d.resource} ${d.id}`, `${where} · ${d.healthy ? "healthy" : "unhealthy"}`];
  if (d.owner.kind === "held")
    lines.push(
      `Pod ${podName(pods, d.owner.pod)} · ${d.owner.containers.length === 1 ? "container" : "containers"} ${d.owner.containers.join(", ")}`,
    );
  else if (d.owner.kind === "in-use")
    lines.push(
      "In use, held by no pod of this view (a removed or rejected pod's; released at the next purge)",
    );
  else lines.push(d.healthy ? "Free" : "Free, but no container can be given it while unhealthy");
  return lines.join("\n");
}

function deviceBox(d: DeviceView, numa: number | null, ctx: DeviceContext): Box {
  const font = deviceFont(ctx.scale);
  const h = Math.round(font + 7);
  const w = Math.max(Math.ceil(textWidth(d.label, font) + 8), h + 6);
  return fixedBox(w, h, (x, y, out) => {
    const look = deviceLook(d, ctx.colours, ctx.idPrefix);
    const o = d.owner;
    let data = ` data-resource="${escapeXml(d.resource)}" data-device="${escapeXml(d.id)}" data-owner="${o.kind}"`;
    data += ` data-health="${d.healthy ? "healthy" : "unhealthy"}" data-numa="${numa === null ? "none" : numa}"`;
    if (o.kind === "held")
      data += ` data-pod="${escapeXml(o.pod)}" data-containers="${escapeXml(o.containers.join(","))}"`;
    const i = look.strokeWidth / 2;
    const dash = look.dash ? ` stroke-dasharray="${look.dash}"` : "";
    out.push(
      `<g class="device owner-${o.kind}${d.healthy ? "" : " unhealthy"}"${data}>`,
      `<title>${escapeXml(deviceTooltip(d, ctx.pods))}</title>`,
      `<rect x="${px(x + i)}" y="${px(y + i)}" width="${px(w - 2 * i)}" height="${px(h - 2 * i)}" rx="2" fill="${look.fill}" stroke="${look.stroke}" stroke-width="${look.strokeWidth}"${dash}/>`,
      `<text class="did" x="${px(x + w / 2)}" y="${px(y + h / 2 + 0.5)}" fill="${look.text}"${look.halo ? ` stroke="${look.halo}"` : ""}>${escapeXml(d.label)}</text>`,
      "</g>",
    );
  });
}

/** `nvidia.com/gpu · 3 free of 4 · 1 unhealthy`. */
function groupLabel(resource: string, devices: readonly DeviceView[]): string {
  const free = devices.filter((d) => d.healthy && d.owner.kind === "free").length;
  const bad = devices.filter((d) => !d.healthy).length;
  return `${resource} · ${free} free of ${devices.length}${bad > 0 ? ` · ${bad} unhealthy` : ""}`;
}

/**
 * The devices of one NUMA node (`numa` null: those without NUMA affinity), one labelled group per
 * resource, wrapped to `width`. Null when there are none.
 */
export function deviceGroups(
  devices: readonly DeviceView[],
  numa: number | null,
  width: number,
  ctx: DeviceContext,
): Box | null {
  if (devices.length === 0) return null;
  const byResource = new Map<string, DeviceView[]>();
  for (const d of devices) byResource.set(d.resource, [...(byResource.get(d.resource) ?? []), d]);
  const lineH = ctx.scale.smallFont + 4;
  const groups = [...byResource].map(([resource, list]) => {
    const label = groupLabel(resource, list);
    const title = fixedBox(Math.min(width, textWidth(label, ctx.scale.smallFont)), lineH, (x, y, out) => {
      out.push(
        `<text class="sub" x="${px(x)}" y="${px(y + ctx.scale.smallFont)}">${escapeXml(label)}</text>`,
      );
    });
    const boxes = flow(
      list.map((d) => deviceBox(d, numa, ctx)),
      width,
      3,
      3,
    );
    return fixedBox(Math.max(title.w, boxes.w), title.h + boxes.h, (x, y, out) => {
      out.push(
        `<g class="device-group" data-resource="${escapeXml(resource)}" data-numa="${numa === null ? "none" : numa}">`,
      );
      title.draw(x, y, out);
      boxes.draw(x, y + title.h, out);
      out.push("</g>");
    });
  });
  return column(groups, Math.max(3, ctx.scale.groupGap / 2));
}
