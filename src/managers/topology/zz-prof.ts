import { benchMergeInputs } from "./bench-inputs.js";
import { mergeHints } from "./merge.js";
const input = benchMergeInputs(16, 2, {});
const ts: number[] = [];
for (let i = 0; i < 10; i++) { const t0 = performance.now(); mergeHints(input.slots, input.ctx); ts.push(performance.now() - t0); }
console.log(ts.map((t) => t.toFixed(0)).join(" "));
