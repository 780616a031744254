import type { CPUView } from "./ownership.js";
import { NEUTRAL, type PodColours } from "./palette.js";

/** Sizes of the picture, chosen from the number of CPUs so that big machines stay on one screen. */
export interface Scale {
  /** Side of one CPU cell. */
  cell: number;
  /** Padding inside a core box. */
  corePad: number;
  /** Gap between cores. */
  coreGap: number;
  /** Padding and gap of group boxes (L3, NUMA node, socket). */
  groupPad: number;
  groupGap: number;
  /** Whether CPU ids are printed in the cells. */
  showIds: boolean;
  idFont: number;
  labelFont: number;
  smallFont: number;
  barH: number;
  /** Stroke width of the bubble frame around a pod's CPUs. */
  frame: number;
}

export function scaleFor(numCPUs: number): Scale {
  if (numCPUs <= 48)
    return {
      cell: 30,
      corePad: 3,
      coreGap: 6,
      groupPad: 11,
      groupGap: 14,
      showIds: true,
      idFont: 12,
      labelFont: 14,
      smallFont: 11.5,
      barH: 13,
      frame: 2.5,
    };
  if (numCPUs <= 96)
    return {
      cell: 26,
      corePad: 3,
      coreGap: 5,
      groupPad: 10,
      groupGap: 12,
      showIds: true,
      idFont: 11,
      labelFont: 13,
      smallFont: 11,
      barH: 12,
      frame: 2.5,
    };
  if (numCPUs <= 300)
    return {
      cell: 20,
      corePad: 2,
      coreGap: 4,
      groupPad: 8,
      groupGap: 10,
      showIds: true,
      idFont: 9,
      labelFont: 12,
      smallFont: 10,
      barH: 10,
      frame: 2,
    };
  if (numCPUs <= 640)
    return {
      cell: 16,
      corePad: 2,
      coreGap: 3,
      groupPad: 7,
      groupGap: 9,
      showIds: true,
      idFont: 7.5,
      labelFont: 12,
      smallFont: 10,
      barH: 9,
      frame: 1.8,
    };
  if (numCPUs <= 1536)
    return {
      cell: 11,
      corePad: 1,
      coreGap: 2,
      groupPad: 6,
      groupGap: 8,
      showIds: false,
      idFont: 0,
      labelFont: 11,
      smallFont: 9,
      barH: 8,
      frame: 1.4,
    };
  return {
    cell: 7,
    corePad: 1,
    coreGap: 1,
    groupPad: 5,
    groupGap: 7,
    showIds: false,
    idFont: 0,
    labelFont: 11,
    smallFont: 9,
    barH: 7,
    frame: 1,
  };
}

/** Font size of the device labels. */
export function deviceFont(scale: Scale): number {
  return Math.max(8, scale.smallFont - 1.5);
}

/** How a cell looks: a CPU, a device, a legend swatch (which has no text). */
export interface CellStyle {
  fill: string;
  stroke: string;
  strokeWidth: number;
  dash: string | null;
  text: string;
}

/** Held by nothing, free to give: a CPU of the node shared pool, a free device. */
export const SHARED_STYLE: Readonly<CellStyle> = {
  fill: NEUTRAL.sharedFill,
  stroke: NEUTRAL.sharedStroke,
  strokeWidth: 1,
  dash: null,
  text: NEUTRAL.sharedText,
};

/** In use but held by no pod of the view (left-over state): such CPUs and devices. */
export const UNACCOUNTED_STYLE: Readonly<CellStyle> = {
  fill: NEUTRAL.unaccountedFill,
  stroke: NEUTRAL.unaccountedStroke,
  strokeWidth: 1.2,
  dash: "2 1.5",
  text: NEUTRAL.unaccountedStroke,
};

/** A `<pattern>` of diagonal stripes: `stripe` wide in a `size` square, on `ground`. */
export function stripePattern(id: string, size: number, stripe: number, ground: string, ink: string): string {
  return (
    `<pattern id="${id}" width="${size}" height="${size}" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">` +
    `<rect width="${size}" height="${size}" fill="${ground}"/><rect width="${stripe}" height="${size}" fill="${ink}"/></pattern>`
  );
}

export function hatchId(idPrefix: string, podIndex: number): string {
  return `${idPrefix}hatch-${podIndex}`;
}

/** How one CPU cell looks, from its owner and the pod colours. */
export function cellStyle(
  cpu: CPUView,
  colours: ReadonlyMap<string, PodColours>,
  podIndex: ReadonlyMap<string, number>,
  scale: Scale,
  idPrefix: string,
): Readonly<CellStyle> {
  const o = cpu.owner;
  switch (o.kind) {
    case "reserved":
      return {
        fill: NEUTRAL.reservedFill,
        stroke: NEUTRAL.reservedFill,
        strokeWidth: 1,
        dash: null,
        text: NEUTRAL.reservedText,
      };
    case "node-shared":
      return SHARED_STYLE;
    case "unaccounted":
      return UNACCOUNTED_STYLE;
    case "node-exclusive":
    case "pod-exclusive": {
      const pc = colours.get(o.pod)!;
      const c = pc.containers.get(o.container) ?? { fill: pc.base, text: "#ffffff" };
      return o.kind === "pod-exclusive"
        ? { fill: c.fill, stroke: pc.frame, strokeWidth: scale.frame, dash: null, text: c.text }
        : { fill: c.fill, stroke: c.fill, strokeWidth: 1, dash: null, text: c.text };
    }
    case "pod-shared": {
      const pc = colours.get(o.pod)!;
      return {
        fill: `url(#${hatchId(idPrefix, podIndex.get(o.pod)!)})`,
        stroke: pc.frame,
        strokeWidth: scale.frame,
        dash: null,
        text: pc.ink,
      };
    }
    case "bubble-unused": {
      const pc = colours.get(o.pod)!;
      return {
        fill: "#ffffff",
        stroke: pc.frame,
        strokeWidth: Math.max(1, scale.frame * 0.6),
        dash: scale.cell >= 16 ? "3 2" : "2 1",
        text: pc.ink,
      };
    }
  }
}

/** The `<defs>` every picture needs: one hatch pattern per pod. */
export function hatchPatterns(
  pods: readonly { uid: string; index: number }[],
  colours: ReadonlyMap<string, PodColours>,
  idPrefix: string,
): string {
  const out: string[] = [];
  for (const p of pods) {
    const pc = colours.get(p.uid)!;
    out.push(stripePattern(hatchId(idPrefix, p.index), 6, 3, pc.hatchGround, pc.hatchStripe));
  }
  return out.join("");
}

/** CSS of the picture, inside the SVG so that it also renders on its own. */
export function svgCss(scale: Scale, idPrefix: string): string {
  const root = `#${idPrefix}machine`;
  return [
    `${root}{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}`,
    `${root} .lbl{font-size:${scale.labelFont}px;font-weight:600;fill:${NEUTRAL.ink}}`,
    `${root} .sub{font-size:${scale.smallFont}px;fill:${NEUTRAL.muted}}`,
    `${root} .cid{font-size:${scale.idFont}px;font-weight:600;text-anchor:middle;dominant-baseline:central;pointer-events:none}`,
    `${root} .legend-text{font-size:11px;fill:${NEUTRAL.ink}}`,
    `${root} .legend-head{font-size:12px;font-weight:600;fill:${NEUTRAL.ink}}`,
    `${root} .title{font-size:15px;font-weight:700;fill:${NEUTRAL.ink}}`,
    `${root} .cpu:hover rect{stroke:#0f172a;stroke-width:2.5}`,
    `${root} .mem-seg:hover{opacity:.8}`,
    `${root} .did{font-size:${deviceFont(scale)}px;font-weight:600;text-anchor:middle;dominant-baseline:central;pointer-events:none;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace}`,
    `${root} .device:hover rect{stroke:#0f172a;stroke-width:2}`,
  ].join("\n");
}
