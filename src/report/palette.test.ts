import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { buildNodeView } from "./ownership.js";
import {
  luminance,
  NEUTRAL,
  POD_COLOURS,
  POD_MARKS,
  paintDefs,
  patternTile,
  podColours,
  podLook,
  textOn,
} from "./palette.js";
import { busyState, syntheticMachine } from "./samples.js";

const GI = 1n << 30n;

/** CIE L*a*b* of an sRGB colour (D65). */
function lab(hex: string): [number, number, number] {
  const lin = (i: number): number => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const [r, g, b] = [lin(1), lin(3), lin(5)];
  const f = (t: number): number => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
  const x = f((r * 0.4124 + g * 0.3576 + b * 0.1805) / 0.95047);
  const y = f(r * 0.2126 + g * 0.7152 + b * 0.0722);
  const z = f((r * 0.0193 + g * 0.1192 + b * 0.9505) / 1.08883);
  return [116 * y - 16, 500 * (x - y), 200 * (y - z)];
}

/** CIE76 colour difference: about 2 is just noticeable, above 25 clearly different colours. */
function deltaE(a: string, b: string): number {
  const [p, q] = [lab(a), lab(b)];
  return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

describe("pod palette", () => {
  it("has twelve colours clearly apart from each other and from the node-level greys", () => {
    assert.equal(POD_COLOURS.length, 12);
    for (let i = 0; i < POD_COLOURS.length; i++) {
      for (let j = i + 1; j < POD_COLOURS.length; j++) {
        const d = deltaE(POD_COLOURS[i], POD_COLOURS[j]);
        assert.ok(d >= 30, `${POD_COLOURS[i]} vs ${POD_COLOURS[j]}: ΔE ${d.toFixed(1)}`);
      }
      for (const grey of [NEUTRAL.reservedFill, NEUTRAL.sharedFill, NEUTRAL.memOther]) {
        const d = deltaE(POD_COLOURS[i], grey);
        assert.ok(d >= 25, `${POD_COLOURS[i]} vs grey ${grey}: ΔE ${d.toFixed(1)}`);
      }
    }
  });

  it("writes CPU ids in white or dark ink, whichever reads at WCAG AA on each colour", () => {
    for (const c of POD_COLOURS) {
      const ratio = contrast(c, textOn(c));
      assert.ok(ratio >= 4.5, `${c} with ${textOn(c)}: ${ratio.toFixed(2)}`);
    }
  });

  it("gives the first 48 pods 48 different (colour, mark) looks, and then repeats them", () => {
    const looks = Array.from({ length: 48 }, (_, i) => podLook(i)).map((l) => `${l.colourIndex}-${l.mark}`);
    assert.equal(new Set(looks).size, 48);
    assert.deepEqual(podLook(48), podLook(0));
    assert.deepEqual(
      POD_MARKS.map((_, k) => podLook(k * 12).mark),
      [...POD_MARKS],
    );
    fc.assert(
      fc.property(fc.nat(500), fc.nat(500), (a, b) => {
        const same = podLook(a).colourIndex === podLook(b).colourIndex && podLook(a).mark === podLook(b).mark;
        return same === (a % 48 === b % 48);
      }),
    );
  });

  it("paints 22 pods of a busy machine in 22 looks, each pattern naming its pod's look", () => {
    const m = syntheticMachine({
      name: "m",
      sockets: 2,
      numaPerSocket: 4,
      coresPerNuma: 16,
      threadsPerCore: 2,
      memoryPerNode: 64n * GI,
    });
    const view = buildNodeView(m, busyState(m, 0.9));
    const pods = view.pods.slice(0, 22);
    assert.equal(pods.length, 22);
    const colours = podColours(view, "p-");
    assert.equal(new Set(pods.map((p) => colours.get(p.uid)!.look)).size, 22);
    assert.equal(new Set(pods.map((p) => colours.get(p.uid)!.base.fill)).size, 22);
    const defs = paintDefs(colours, patternTile(16));
    for (const p of pods) {
      const pc = colours.get(p.uid)!;
      for (const paint of [pc.base, pc.shared, pc.unused, ...pc.containers.values()]) {
        if (paint.pattern === null) {
          assert.equal(pc.mark, "solid");
          assert.ok(paint.fill.startsWith("#"));
          continue;
        }
        assert.equal(paint.fill, `url(#${paint.pattern.id})`);
        assert.ok(paint.pattern.id.startsWith("p-paint-"));
        assert.ok(
          defs.includes(`<pattern id="${paint.pattern.id}" data-look="${pc.look}" data-mark="${pc.mark}"`),
        );
      }
    }
    // One pattern per look and variant, however many pods share the look.
    const ids = [...defs.matchAll(/<pattern id="([^"]+)"/g)].map((x) => x[1]);
    assert.equal(new Set(ids).size, ids.length);
  });

  it("sizes pattern tiles to the cells: two per cell, never below 3 px", () => {
    assert.equal(patternTile(30), 15);
    assert.equal(patternTile(16), 8);
    assert.equal(patternTile(7), 3.5);
    assert.equal(patternTile(4), 3);
  });
});
