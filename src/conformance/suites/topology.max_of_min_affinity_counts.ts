import { maxOfMinAffinityCounts, topologyVectors } from "../../managers/topology/index.js";
import { asArray, type CaseOutcome, caseName, compare, guard, type Suite } from "../suite.js";

const { arr, hintFromJSON, int, obj } = topologyVectors;

const FILE = "topology/max_of_min_affinity_counts.json";

/** `maxOfMinAffinityCounts` over slots of hints. */
export const suite: Suite = {
  file: FILE,
  run(data: unknown): CaseOutcome[] {
    return asArray(data, FILE).map((raw, i) => {
      const name = caseName(raw, i);
      const what = `${FILE}: case ${JSON.stringify(name)}`;
      const c = obj(raw, what);
      const slots = arr(c.hints, `${what}.hints`).map((slot, s) =>
        arr(slot, `${what}.hints[${s}]`).map((h, j) => hintFromJSON(h, `${what}.hints[${s}][${j}]`)),
      );
      const expected = int(c.expected, `${what}.expected`);
      return guard(name, () => compare(name, expected, maxOfMinAffinityCounts(slots)));
    });
  },
};
