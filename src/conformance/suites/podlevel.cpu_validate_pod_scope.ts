import { cpuVectors } from "../../managers/cpu/index.js";
import { asArray, type CaseOutcome, caseName, compare, guard, type Suite } from "../suite.js";

const { bool, obj, optStr, podFromJSON, policyFromPodLevelCase, str } = cpuVectors;

const FILE = "podlevel/cpu_validate_pod_scope.json";

function runCase(raw: unknown, index: number): CaseOutcome {
  const name = caseName(raw, index);
  return guard(name, () => {
    const what = `${FILE}: case ${JSON.stringify(name)}`;
    const c = obj(raw, what);
    const op = str(c.op, `${what}.op`);
    if (op !== "validatePodScopeResources")
      throw new Error(`${what}.op: expected "validatePodScopeResources"`);
    const policy = policyFromPodLevelCase(c, what);
    const message = policy.validatePodScopeResources(podFromJSON(c.pod, `${what}.pod`));
    const exp = obj(c.expected, `${what}.expected`);
    const wantError = bool(exp.error, `${what}.expected.error`);
    const derived = optStr(exp.derivedMessage, `${what}.expected.derivedMessage`);
    // The Go test asserts only error / no error; the derived message follows the same rules.
    return compare(
      name,
      { error: wantError, message: wantError ? (derived ?? message) : null },
      { error: message !== null, message },
    );
  });
}

export const suite: Suite = {
  file: FILE,
  run(data: unknown): CaseOutcome[] {
    return asArray(data, FILE).map(runCase);
  },
};
