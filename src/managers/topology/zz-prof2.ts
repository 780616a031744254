import { benchMergeInputs } from "./bench-inputs.js";
import { maxOfMinAffinityCounts } from "./compare.js";
import { bestAchievableAffinity, NonPreferredOrder } from "./merge-fast.js";
const input = benchMergeInputs(16, 2, {});
for (let i = 0; i < 4; i++) {
  let t0 = performance.now();
  const B = maxOfMinAffinityCounts(input.slots);
  const t1 = performance.now();
  const s = new Set<bigint>(); for (const sl of input.slots) for (const h of sl) s.add(h.affinity!);
  const t2 = performance.now();
  const s2 = new Set<number>(); for (const sl of input.slots) for (const h of sl) s2.add(Number(h.affinity!));
  const t3 = performance.now();
  const order = new NonPreferredOrder(input.ctx, B);
  bestAchievableAffinity(input.slots, input.ctx, order, "search");
  const t4 = performance.now();
  console.log(`B ${(t1-t0).toFixed(1)} bigSet ${(t2-t1).toFixed(1)} numSet ${(t3-t2).toFixed(1)} search ${(t4-t3).toFixed(1)}`);
}
