import { benchMergeInputs } from "./bench-inputs.js";
import { mergeHints } from "./merge.js";
function time(label: string, fn: () => unknown) {
  const t0 = performance.now(); const r = fn(); const t1 = performance.now();
  console.log(label.padEnd(60), `${(t1 - t0).toFixed(1)} ms`, JSON.stringify(r, (_k, v) => typeof v === "bigint" ? v.toString(2) : v));
}
const configs: [number, number, object][] = [
  [8, 2, {}], [8, 4, {}], [8, 2, { conflicting: true }], [8, 4, { conflicting: true, preferClosestNUMA: true }],
  [12, 3, { conflicting: true }],
  [16, 2, {}], [16, 2, { conflicting: true }], [16, 2, { conflicting: true, preferClosestNUMA: true }], [16, 3, { conflicting: true }],
  [20, 2, { conflicting: true }],
  [32, 2, { maxMaskSize: 3 }], [32, 2, { maxMaskSize: 3, conflicting: true }],
  [64, 2, { maxMaskSize: 2 }], [64, 2, { maxMaskSize: 3, conflicting: true }], [64, 3, { maxMaskSize: 3, conflicting: true, preferClosestNUMA: true }],
];
for (const [n, r, o] of configs) {
  const input = benchMergeInputs(n, r, o);
  time(`N=${n} R=${r} ${JSON.stringify(o)} hints=${input.hintsPerSlot.join("x")}`, () => mergeHints(input.slots, input.ctx));
  if (input.hintsPerSlot.reduce((a, b) => a * b, 1) < 3e6) time(`   reference`, () => mergeHints(input.slots, input.ctx, "reference"));
}
