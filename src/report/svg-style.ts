import { px } from "./layout.js";
import type { CPUOwner, CPUView } from "./ownership.js";
import { NEUTRAL, type Paint, type PodColours, paintDefs, patternTile } from "./palette.js";

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
  /**
   * Whether CPU ids are readable at the picture's own size. They are always drawn (sized to fit
   * their cell) so that they appear once the page zooms in far enough.
   */
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
      idFont: 3.9,
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
    idFont: 2.5,
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
  /** Outline behind the text, so that it stays readable over a pod's mark; null for none. */
  halo: string | null;
}

/** Held by nothing, free to give: a CPU of the node shared pool, a free device. */
export const SHARED_STYLE: Readonly<CellStyle> = {
  fill: NEUTRAL.sharedFill,
  stroke: NEUTRAL.sharedStroke,
  strokeWidth: 1,
  dash: null,
  text: NEUTRAL.sharedText,
  halo: null,
};

/** In use but held by no pod of the view (left-over state): such CPUs and devices. */
export const UNACCOUNTED_STYLE: Readonly<CellStyle> = {
  fill: NEUTRAL.unaccountedFill,
  stroke: NEUTRAL.unaccountedStroke,
  strokeWidth: 1.2,
  dash: "2 1.5",
  text: NEUTRAL.unaccountedStroke,
  halo: null,
};

export const RESERVED_STYLE: Readonly<CellStyle> = {
  fill: NEUTRAL.reservedFill,
  stroke: NEUTRAL.reservedFill,
  strokeWidth: 1,
  dash: null,
  text: NEUTRAL.reservedText,
  halo: null,
};

/** A `<pattern>` of diagonal stripes: `stripe` wide in a `size` square, on `ground`. */
export function stripePattern(id: string, size: number, stripe: number, ground: string, ink: string): string {
  return (
    `<pattern id="${id}" width="${size}" height="${size}" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">` +
    `<rect width="${size}" height="${size}" fill="${ground}"/><rect width="${stripe}" height="${size}" fill="${ink}"/></pattern>`
  );
}

function painted(p: Paint, stroke: string, strokeWidth: number, dash: string | null = null): CellStyle {
  return {
    fill: p.fill,
    stroke,
    strokeWidth,
    dash,
    text: p.text,
    halo: p.pattern ? p.colour : null,
  };
}

/** How a cell of `owner` looks, from the pod colours (the picture's cells and the legend's swatches). */
export function ownerStyle(
  o: CPUOwner,
  colours: ReadonlyMap<string, PodColours>,
  scale: Pick<Scale, "frame" | "cell">,
): Readonly<CellStyle> {
  switch (o.kind) {
    case "reserved":
      return RESERVED_STYLE;
    case "node-shared":
      return SHARED_STYLE;
    case "unaccounted":
      return UNACCOUNTED_STYLE;
    case "node-exclusive":
    case "pod-exclusive": {
      const pc = colours.get(o.pod)!;
      const p = pc.containers.get(o.container) ?? pc.base;
      return o.kind === "pod-exclusive" ? painted(p, pc.frame, scale.frame) : painted(p, p.colour, 1);
    }
    case "pod-shared": {
      const pc = colours.get(o.pod)!;
      return painted(pc.shared, pc.frame, scale.frame);
    }
    case "bubble-unused": {
      const pc = colours.get(o.pod)!;
      return painted(pc.unused, pc.frame, Math.max(1, scale.frame * 0.6), scale.cell >= 16 ? "3 2" : "2 1");
    }
  }
}

/** How one CPU cell looks, from its owner and the pod colours. */
export function cellStyle(
  cpu: CPUView,
  colours: ReadonlyMap<string, PodColours>,
  scale: Scale,
): Readonly<CellStyle> {
  return ownerStyle(cpu.owner, colours, scale);
}

/** The `<defs>` every picture needs for its pods: one pattern per paint with a mark or a hatch. */
export function podPatterns(colours: ReadonlyMap<string, PodColours>, scale: Scale): string {
  return paintDefs(colours, patternTile(scale.cell));
}

/** CSS of the picture, inside the SVG so that it also renders on its own. */
export function svgCss(scale: Scale, idPrefix: string): string {
  const root = `#${idPrefix}machine`;
  return [
    `${root}{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}`,
    `${root} .lbl{font-size:${scale.labelFont}px;font-weight:600;fill:${NEUTRAL.ink}}`,
    `${root} .sub{font-size:${scale.smallFont}px;fill:${NEUTRAL.muted}}`,
    `${root} .cid{font-size:${scale.idFont}px;font-weight:600;text-anchor:middle;dominant-baseline:central;pointer-events:none;paint-order:stroke;stroke-width:${px(Math.max(0.6, scale.idFont / 5))}px;stroke-linejoin:round}`,
    // Ids too small to read are hidden; the page's zoom shows them again (class ids-off toggles).
    `${root}.ids-off .cid{display:none}`,
    `${root} .legend-text{font-size:11px;fill:${NEUTRAL.ink}}`,
    `${root} .legend-head{font-size:12px;font-weight:600;fill:${NEUTRAL.ink}}`,
    `${root} .title{font-size:15px;font-weight:700;fill:${NEUTRAL.ink}}`,
    // Highlights keep their width on screen however far the page zooms in.
    `${root} .cpu:hover rect{stroke:#0f172a;stroke-width:2.5;vector-effect:non-scaling-stroke}`,
    `${root} .mem-seg:hover{opacity:.8}`,
    `${root} .did{font-size:${deviceFont(scale)}px;font-weight:600;text-anchor:middle;dominant-baseline:central;pointer-events:none;paint-order:stroke;stroke-width:2px;stroke-linejoin:round;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace}`,
    `${root} .device:hover rect{stroke:#0f172a;stroke-width:2;vector-effect:non-scaling-stroke}`,
  ].join("\n");
}
