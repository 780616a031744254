import type { CPUOwner, NodeView } from "./ownership.js";

/*
 * Colours of the picture. A pod's identity is a pair: one of twelve qualitative colours, and a
 * mark laid over it (none, dots, bars, a grid), so that 48 pods in a row look pairwise different;
 * beyond that the pairs repeat and the tooltip, the search and the pods table tell pods apart.
 * Every paint a pod uses (its exclusive containers in shades of its colour, its pod shared pool
 * hatched, its unused bubble CPUs outlined, its memory and devices) carries the same mark.
 * Node-level owners are neutral greys, which no pod colour comes close to.
 */

/**
 * Twelve colours far apart for people (CIE76 ΔE ≥ 30 between any two, and from the greys of the
 * node-level owners), of mixed lightness so that they stay apart in greyscale too.
 */
export const POD_COLOURS: readonly string[] = [
  "#2f6fd6", // blue
  "#e67e00", // orange
  "#34a853", // green
  "#d62f3a", // red
  "#8854d0", // purple
  "#8c5a2b", // brown
  "#ef6fb4", // pink
  "#8f9a00", // olive
  "#0fa3b1", // teal
  "#1b2a5e", // navy
  "#f0c000", // gold
  "#9c1650", // wine
];

/** The marks, in the order pods take them once the colours run out. */
export const POD_MARKS = ["solid", "dots", "bars", "grid"] as const;
export type PodMark = (typeof POD_MARKS)[number];

/** How one kind of cell of a pod is painted. `fill` is a colour or a `url(#…)` pattern. */
export interface Paint {
  fill: string;
  /** The colour under the mark (the fill itself when it is a plain colour). */
  colour: string;
  /** Text on this paint. */
  text: string;
  /** The pattern this paint needs, or null for a plain colour. */
  pattern: PatternSpec | null;
}

export interface PatternSpec {
  id: string;
  /** Ground colour, and the colour of the diagonal stripes for a hatch (null: no stripes). */
  ground: string;
  stripes: string | null;
  mark: PodMark;
  markColour: string;
  markOpacity: number;
  /** `c<colour>-<mark>`: the identity of the pod the pattern belongs to. */
  look: string;
}

export interface PodColours {
  index: number;
  colourIndex: number;
  mark: PodMark;
  /** `c<colour index>-<mark>`; two pods look alike exactly when their looks are equal. */
  look: string;
  /** The pod's colour. */
  colour: string;
  /** Frame of the bubble and outline of shared/unused CPUs. */
  frame: string;
  /** Text on outlined (unfilled) cells. */
  ink: string;
  /** The pod's own paint: its memory, its devices, its swatch, a container not otherwise known. */
  base: Paint;
  /** The pod shared pool: a hatch of the pod's colour. */
  shared: Paint;
  /** Bubble CPUs no long-running container uses. */
  unused: Paint;
  /** Exclusive container name -> its paint (shades of the pod's colour). */
  containers: Map<string, Paint>;
}

export const NEUTRAL = {
  reservedFill: "#475569",
  reservedText: "#ffffff",
  sharedFill: "#eef2f6",
  sharedStroke: "#c5ced9",
  sharedText: "#64748b",
  unaccountedFill: "#fff1f2",
  unaccountedStroke: "#e11d48",
  coreFill: "#ffffff",
  coreStroke: "#dfe4ea",
  memSystem: "#475569",
  memOther: "#94a3b8",
  memFree: "#eef2f6",
  memFreeStroke: "#c5ced9",
  ink: "#1e293b",
  muted: "#64748b",
} as const;

function rgb(hex: string): [number, number, number] {
  return [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
}

function hex(c: readonly number[]): string {
  return `#${c
    .map((x) =>
      Math.round(Math.max(0, Math.min(255, x)))
        .toString(16)
        .padStart(2, "0"),
    )
    .join("")}`;
}

/** `colour` moved toward white (amount > 0) or black (amount < 0) by |amount| (0..1). */
export function mix(colour: string, amount: number): string {
  const target = amount >= 0 ? 255 : 0;
  const a = Math.abs(amount);
  return hex(rgb(colour).map((x) => x + (target - x) * a));
}

/** WCAG relative luminance. */
export function luminance(colour: string): number {
  const lin = (x: number): number => {
    const c = x / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const [r, g, b] = rgb(colour).map(lin);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** White or dark ink, whichever reads better on `colour`. */
export function textOn(colour: string): string {
  return contrast(colour, "#ffffff") >= contrast(colour, NEUTRAL.ink) ? "#ffffff" : NEUTRAL.ink;
}

/**
 * Shades for successive exclusive containers of one pod: darker and lighter in turn, so that
 * neighbouring slices stay apart while remaining the pod's colour.
 */
const CONTAINER_SHADES = [0, -0.3, 0.32, -0.5, 0.5, -0.15, 0.18];

/** The colour and mark of the pod at `index`. */
export function podLook(index: number): { colourIndex: number; mark: PodMark } {
  const n = POD_COLOURS.length;
  return { colourIndex: index % n, mark: POD_MARKS[Math.floor(index / n) % POD_MARKS.length] };
}

function exclusiveContainerOrder(view: NodeView): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const note = (pod: string, name: string): void => {
    let list = out.get(pod);
    if (!list) out.set(pod, (list = []));
    if (!list.includes(name)) list.push(name);
  };
  // Order of first appearance on the machine keeps neighbouring slices in contrasting shades.
  for (const c of view.cpus) {
    const o: CPUOwner = c.owner;
    if (o.kind === "pod-exclusive" || o.kind === "node-exclusive") note(o.pod, o.container);
  }
  return out;
}

/** Marks in white on dark grounds, in dark ink on light ones. */
function markOn(ground: string): { colour: string; opacity: number } {
  return textOn(ground) === "#ffffff"
    ? { colour: "#ffffff", opacity: 0.72 }
    : { colour: NEUTRAL.ink, opacity: 0.5 };
}

function paint(
  idPrefix: string,
  look: string,
  variant: string,
  ground: string,
  mark: PodMark,
  extra: { stripes?: string; markColour?: string; markOpacity?: number; text?: string } = {},
): Paint {
  const text = extra.text ?? textOn(ground);
  if (mark === "solid" && !extra.stripes) return { fill: ground, colour: ground, text, pattern: null };
  const on = markOn(ground);
  const id = `${idPrefix}paint-${look}-${variant}`;
  return {
    fill: `url(#${id})`,
    colour: ground,
    text,
    pattern: {
      id,
      ground,
      stripes: extra.stripes ?? null,
      mark,
      markColour: extra.markColour ?? on.colour,
      markOpacity: extra.markOpacity ?? on.opacity,
      look,
    },
  };
}

/** Every pod's paints. Patterns are shared between pods that look alike (their ids name the look). */
export function podColours(view: NodeView, idPrefix = ""): Map<string, PodColours> {
  const order = exclusiveContainerOrder(view);
  const out = new Map<string, PodColours>();
  for (const pod of view.pods) {
    const { colourIndex, mark } = podLook(pod.index);
    const look = `c${colourIndex}-${mark}`;
    const colour = POD_COLOURS[colourIndex];
    const frame = mix(colour, -0.45);
    const containers = new Map<string, Paint>();
    (order.get(pod.uid) ?? []).forEach((name, i) => {
      const shade = CONTAINER_SHADES[i % CONTAINER_SHADES.length];
      containers.set(
        name,
        paint(idPrefix, look, `s${i % CONTAINER_SHADES.length}`, mix(colour, shade), mark),
      );
    });
    const ink = mix(colour, -0.5);
    out.set(pod.uid, {
      index: pod.index,
      colourIndex,
      mark,
      look,
      colour,
      frame,
      ink,
      base: paint(idPrefix, look, "s0", colour, mark),
      shared: paint(idPrefix, look, "hatch", mix(colour, 0.82), mark, {
        stripes: mix(colour, 0.45),
        markColour: frame,
        markOpacity: 0.7,
        text: ink,
      }),
      unused: paint(idPrefix, look, "unused", "#ffffff", mark, {
        markColour: mix(colour, 0.3),
        markOpacity: 0.8,
        text: ink,
      }),
      containers,
    });
  }
  return out;
}

/** One tile of a pattern's mark, in a `t` × `t` tile. */
function markShapes(p: PatternSpec, t: number): string {
  const a = `fill="${p.markColour}" fill-opacity="${p.markOpacity}"`;
  const n = (x: number): string => String(Math.round(x * 100) / 100);
  switch (p.mark) {
    case "solid":
      return "";
    case "dots":
      return `<circle cx="${n(t / 2)}" cy="${n(t / 2)}" r="${n(t * 0.24)}" ${a}/>`;
    case "bars":
      return `<rect x="${n(t * 0.36)}" width="${n(t * 0.28)}" height="${n(t)}" ${a}/>`;
    case "grid": {
      const lo = n(t * 0.4);
      const w = n(t * 0.2);
      return `<rect x="${lo}" width="${w}" height="${n(t)}" ${a}/><rect y="${lo}" width="${n(t)}" height="${w}" ${a}/>`;
    }
  }
}

/**
 * The side of a pattern tile for cells of `cell` pixels: two tiles per cell, so that a mark reads
 * as a texture on every cell however the cells fall on the tile grid, and stays big enough to see.
 */
export function patternTile(cell: number): number {
  return Math.max(3, Math.round(cell) / 2);
}

/** The `<pattern>` of a paint: ground, diagonal stripes for a hatch, then the pod's mark. */
export function patternDef(p: PatternSpec, tile = 6): string {
  const t = tile;
  const h = t / 2;
  // Stripes where x + y falls in [0, t/2) modulo t: they join up across tiles at 45°.
  const stripes = p.stripes
    ? `<path d="M0 0h${h}l-${h} ${h}z M${t} 0v${h}l-${h} ${h}h-${h}z" fill="${p.stripes}"/>`
    : "";
  return (
    `<pattern id="${p.id}" data-look="${p.look}" data-mark="${p.mark}" data-colour="${p.ground}" width="${t}" height="${t}" patternUnits="userSpaceOnUse">` +
    `<rect width="${t}" height="${t}" fill="${p.ground}"/>${stripes}${markShapes(p, t)}</pattern>`
  );
}

/** The patterns every pod paint needs, once each, with tiles of `tile` pixels. */
export function paintDefs(colours: ReadonlyMap<string, PodColours>, tile = 6): string {
  const seen = new Map<string, string>();
  for (const pc of colours.values())
    for (const p of [pc.base, pc.shared, pc.unused, ...pc.containers.values()])
      if (p.pattern && !seen.has(p.pattern.id)) seen.set(p.pattern.id, patternDef(p.pattern, tile));
  return [...seen.values()].join("");
}
