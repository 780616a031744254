import { compareHints, type MergedHint, NUMAInfo, topologyVectors } from "../../managers/topology/index.js";
import { asArray, type CaseOutcome, caseName, compare, guard, type Suite } from "../suite.js";

const { distancesFromJSON, ints, maskFromJSON, bool, int, obj, optionsFromJSON, policyOptionsOf, str } =
  topologyVectors;

const FILE = "topology/compare.json";

/** A merged hint of this file: `numaNodes` is always a list (`[]` = the empty mask, not nil). */
function mergedHintFromJSON(v: unknown, what: string): MergedHint {
  const o = obj(v, what);
  return {
    affinity: maskFromJSON(o.numaNodes, `${what}.numaNodes`),
    preferred: bool(o.preferred, `${what}.preferred`),
  };
}

/** One step of the merge fold: does `compareHints` keep the current best or take the candidate? */
export const suite: Suite = {
  file: FILE,
  run(data: unknown): CaseOutcome[] {
    return asArray(data, FILE).map((raw, i) => {
      const name = caseName(raw, i);
      const what = `${FILE}: case ${JSON.stringify(name)}`;
      const c = obj(raw, what);
      const options = policyOptionsOf(optionsFromJSON(c.options, `${what}.options`), what);
      const policy = c.policy === undefined ? "best-effort" : str(c.policy, `${what}.policy`);
      const numa = NUMAInfo.create(
        ints(c.numaNodes ?? [], `${what}.numaNodes`),
        distancesFromJSON(c.distances, `${what}.distances`),
        options.preferClosestNUMA,
      );
      if (typeof numa === "string") throw new Error(`${what}: ${numa}`);
      const B = int(c.bestNonPreferredAffinityCount, `${what}.bestNonPreferredAffinityCount`);
      const current = c.current === null ? null : mergedHintFromJSON(c.current, `${what}.current`);
      const candidate = mergedHintFromJSON(c.candidate, `${what}.candidate`);
      const expected = str(c.expected, `${what}.expected`);
      if (expected !== "current" && expected !== "candidate")
        throw new Error(`${what}.expected: expected "current" or "candidate"`);
      const ctx = { numa, preferClosestNUMA: options.preferClosestNUMA && policy !== "single-numa-node" };
      return guard(name, () => {
        const chosen = compareHints(B, current, candidate, ctx);
        return compare(name, expected, chosen === candidate && chosen !== current ? "candidate" : "current");
      });
    });
  },
};
