import { benchMergeInputs } from "./bench-inputs.js";
import { mergeHints } from "./merge.js";
for (const [n, o] of [[16, {}], [16, { conflicting: true }], [16, { conflicting: true, preferClosestNUMA: true }], [20, { conflicting: true }]] as const) {
  const input = benchMergeInputs(n, 2, o);
  const ts: number[] = [];
  for (let i = 0; i < 5; i++) { const t0 = performance.now(); mergeHints(input.slots, input.ctx); ts.push(performance.now() - t0); }
  console.log(n, JSON.stringify(o), ts.map((t) => t.toFixed(0)).join(" "));
}
