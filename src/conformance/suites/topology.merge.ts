import { topologyVectors } from "../../managers/topology/index.js";
import { asArray, type CaseOutcome, caseName, compare, guard, type Suite } from "../suite.js";

const { mergeVectorFromJSON, runMergeVector } = topologyVectors;

const FILE = "topology/merge.json";

/** The policies' merge (default fast implementation) and admit verdict on the providers' hints. */
export const suite: Suite = {
  file: FILE,
  run(data: unknown): CaseOutcome[] {
    const cases = asArray(data, FILE).map((c, i) => {
      const name = caseName(c, i);
      return mergeVectorFromJSON(c, name, `${FILE}: case ${JSON.stringify(name)}`);
    });
    return cases.map((v) => {
      const label = `${v.policy}${Object.keys(v.options).length ? ` ${JSON.stringify(v.options)}` : ""}: ${v.name}`;
      return guard(label, () =>
        compare(label, { hint: v.expectedHint, admit: v.expectedAdmit }, runMergeVector(v)),
      );
    });
  },
};
