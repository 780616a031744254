import { hintToJSON, maskBits, type TopologyHint } from "../../managers/topology/index.js";
import { cpuVectors } from "../../managers/cpu/index.js";
import { asArray, type CaseOutcome, caseName, compare, guard, type Suite } from "../suite.js";

const { arr, bool, int, obj, podFromJSON, policyFromPodLevelCase, str } = cpuVectors;

const FILE = "podlevel/cpu_pod_hints.json";

function hintList(v: unknown, what: string): unknown[] {
  return arr(v, what).map((h, i) => {
    const o = obj(h, `${what}[${i}]`);
    return {
      numaNodes:
        o.numaNodes === null ? null : arr(o.numaNodes, `${what}[${i}].numaNodes`).map((n) => int(n, what)),
      preferred: bool(o.preferred, `${what}[${i}].preferred`),
    };
  });
}

function runCase(raw: unknown, index: number): CaseOutcome {
  const name = caseName(raw, index);
  return guard(name, () => {
    const what = `${FILE}: case ${JSON.stringify(name)}`;
    const c = obj(raw, what);
    const op = str(c.op, `${what}.op`);
    if (op !== "getPodTopologyHints") throw new Error(`${what}.op: expected "getPodTopologyHints"`);
    const policy = policyFromPodLevelCase(c, what);
    const pod = podFromJSON(c.pod, `${what}.pod`);
    const hints = policy.getPodTopologyHints(pod);
    const cpu: TopologyHint[] | null | undefined = hints?.get("cpu");
    const preferred = (cpu ?? []).filter((h) => h.preferred);

    const exp = obj(c.expected, `${what}.expected`);
    const want: Record<string, unknown> = {};
    const got: Record<string, unknown> = {};
    const check = (key: string, expected: unknown, actual: unknown) => {
      want[key] = expected;
      got[key] = actual;
    };
    if (exp.cpuKeyPresent !== undefined)
      check("cpuKeyPresent", bool(exp.cpuKeyPresent, what), hints?.has("cpu") ?? false);
    if (exp.nonEmpty !== undefined) check("nonEmpty", bool(exp.nonEmpty, what), (cpu ?? []).length > 0);
    if (exp.atLeastOnePreferred !== undefined) {
      check("atLeastOnePreferred", bool(exp.atLeastOnePreferred, what), preferred.length > 0);
    }
    if (exp.everyPreferredHintNUMANodes !== undefined) {
      const nodes = arr(exp.everyPreferredHintNUMANodes, what).map((n) => int(n, what));
      check(
        "everyPreferredHintNUMANodes",
        preferred.map(() => nodes),
        preferred.map((h) => (h.affinity === null ? null : maskBits(h.affinity))),
      );
    }
    if (exp.somePreferredHintContainsNUMANode !== undefined) {
      const node = int(exp.somePreferredHintContainsNUMANode, what);
      check(
        `somePreferredHintContainsNUMANode ${node}`,
        true,
        preferred.some((h) => h.affinity !== null && maskBits(h.affinity).includes(node)),
      );
    }
    if (exp.hints !== undefined) {
      const actual =
        hints === null
          ? null
          : Object.fromEntries([...hints].map(([k, l]) => [k, l === null ? null : l.map(hintToJSON)]));
      if (exp.hints === null) check("hints", null, actual);
      else if (Array.isArray(exp.hints))
        check("hints", { cpu: hintList(exp.hints, `${what}.expected.hints`) }, actual);
      else {
        const expected: Record<string, unknown> = {};
        for (const [k, l] of Object.entries(obj(exp.hints, `${what}.expected.hints`))) {
          expected[k] = l === null ? null : hintList(l, `${what}.expected.hints.${k}`);
        }
        check("hints", expected, actual);
      }
    }
    if (Object.keys(want).length === 0) throw new Error(`${what}.expected: no property to check`);
    return compare(name, want, got);
  });
}

export const suite: Suite = {
  file: FILE,
  run(data: unknown): CaseOutcome[] {
    return asArray(data, FILE).map(runCase);
  },
};
