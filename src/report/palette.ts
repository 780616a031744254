import type { CPUOwner, NodeView } from "./ownership.js";

/**
 * Colours of the picture. Every pod gets its own hue (golden-angle steps, so neighbours in pod
 * order differ strongly); its exclusive containers are shades of that hue, its pod shared pool a
 * hatch of it, its unused bubble CPUs an outline of it. Node-level owners are neutral greys.
 */
export interface PodColours {
  hue: number;
  /** Frame of the bubble and outline of shared/unused CPUs. */
  frame: string;
  /** Fill of the pod's memory in the bars, and of its single exclusive container. */
  base: string;
  /** Hatch stripes of the pod shared pool. */
  hatchStripe: string;
  hatchGround: string;
  /** Text on outlined (unfilled) cells. */
  ink: string;
  /** Exclusive container name -> fill; text colour for that fill. */
  containers: Map<string, { fill: string; text: string }>;
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

// Lightness steps for successive exclusive containers of one pod: alternate dark and light so
// that adjacent slices stay apart.
const CONTAINER_LIGHTNESS = [44, 60, 34, 68, 52, 39, 64];

function hslToHex(h: number, s: number, l: number): string {
  const sat = s / 100;
  const light = l / 100;
  const k = (n: number): number => (n + h / 30) % 12;
  const a = sat * Math.min(light, 1 - light);
  const f = (n: number): number => light - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)));
  const hex = (x: number): string =>
    Math.round(x * 255)
      .toString(16)
      .padStart(2, "0");
  return `#${hex(f(0))}${hex(f(8))}${hex(f(4))}`;
}

/** The hue of the pod at `index` (deterministic; starts at a blue). */
export function podHue(index: number): number {
  return Math.round((206 + index * 137.508) % 360);
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

export function podColours(view: NodeView): Map<string, PodColours> {
  const order = exclusiveContainerOrder(view);
  const out = new Map<string, PodColours>();
  for (const pod of view.pods) {
    const hue = podHue(pod.index);
    const containers = new Map<string, { fill: string; text: string }>();
    (order.get(pod.uid) ?? []).forEach((name, i) => {
      const l = CONTAINER_LIGHTNESS[i % CONTAINER_LIGHTNESS.length];
      containers.set(name, { fill: hslToHex(hue, 72, l), text: l >= 58 ? NEUTRAL.ink : "#ffffff" });
    });
    out.set(pod.uid, {
      hue,
      frame: hslToHex(hue, 70, 26),
      base: hslToHex(hue, 72, 48),
      hatchStripe: hslToHex(hue, 62, 70),
      hatchGround: hslToHex(hue, 70, 93),
      ink: hslToHex(hue, 70, 24),
      containers,
    });
  }
  return out;
}
