import {
  CPUSet,
  type ManagerError,
  type MetricName,
  METRICS,
  type MetricsRegistry,
} from "../../core/index.js";
import { type CPUState, cpuVectors } from "../../managers/cpu/index.js";
import { asArray, type CaseOutcome, caseName, compare, guard, type Suite } from "../suite.js";

type JSONObject = cpuVectors.JSONObject;
const {
  arr,
  cpuset,
  entriesToJSON,
  int,
  normaliseEntries,
  obj,
  optStr,
  podFromJSON,
  policyFromPodLevelCase,
  sortKeys,
  str,
} = cpuVectors;

const FILE = "podlevel/cpu_allocate_pod.json";

/** `name{a,b}` -> the registry's value of that series. */
function metricValue(registry: MetricsRegistry, key: string, what: string): number {
  const m = /^([a-z_]+)\{([^}]*)\}$/.exec(key) ?? /^([a-z_]+)()$/.exec(key);
  if (!m || !(m[1] in METRICS)) throw new Error(`${what}: unknown metric series ${JSON.stringify(key)}`);
  return registry.get(m[1] as MetricName, m[2] === "" ? [] : m[2].split(","));
}

/** The error as the case describes it: `{type, message}` where `type: "any ..."` accepts every error. */
function errorView(err: ManagerError | null, expected: JSONObject | null): unknown {
  if (!err) return null;
  if (!expected) return { type: err.reason ?? "UnexpectedAdmissionError", message: err.message };
  const type = str(expected.type, "expected.error.type");
  return {
    type: type.startsWith("any") ? type : (err.reason ?? "UnexpectedAdmissionError"),
    message: expected.message === null ? null : err.message,
  };
}

function podEntriesJSON(state: CPUState): Record<string, { cpuSet: string }> {
  const out: Record<string, { cpuSet: string }> = {};
  for (const [uid, set] of state.getPodCPUAssignments()) out[uid] = { cpuSet: set.toString() };
  return sortKeys(out);
}

/** The invariants the restore tests assert, written as in the vectors. */
function checkInvariant(inv: string, state: CPUState, podUID: string, what: string): boolean {
  const def = state.getDefaultCPUSet();
  const pod = state.getPodCPUSet(podUID) ?? CPUSet.empty;
  if (inv === "defaultCpuSet ∩ podCpuSet = ∅") return !def.intersects(pod);
  const cover = /^defaultCpuSet ∪ podCpuSet = (.+)$/.exec(inv);
  if (cover) return def.union(pod).equals(CPUSet.parse(cover[1], what));
  if (inv === "every container set ⊆ podCpuSet") {
    return [...state.podAssignments(podUID).values()].every((s) => s.isSubsetOf(pod));
  }
  throw new Error(`${what}: unknown invariant ${JSON.stringify(inv)}`);
}

function runCase(raw: unknown, index: number): CaseOutcome {
  const name = caseName(raw, index);
  return guard(name, () => {
    const what = `${FILE}: case ${JSON.stringify(name)}`;
    const c = obj(raw, what);
    const policy = policyFromPodLevelCase(c, what);
    const pod = podFromJSON(c.pod, `${what}.pod`);
    const op = str(c.op, `${what}.op`);
    if (op !== "allocatePod" && op !== "allocatePodTwice") {
      throw new Error(`${what}.op: expected "allocatePod" or "allocatePodTwice", got ${JSON.stringify(op)}`);
    }
    let err = policy.allocatePod(pod);
    if (!err && op === "allocatePodTwice") err = policy.allocatePod(pod);

    const exp = obj(c.expected, `${what}.expected`);
    const expectedError = exp.error === null ? null : obj(exp.error, `${what}.expected.error`);
    const want: Record<string, unknown> = {
      error: expectedError && {
        type: str(expectedError.type, `${what}.expected.error.type`),
        message: optStr(expectedError.message, `${what}.expected.error.message`),
      },
    };
    const got: Record<string, unknown> = { error: errorView(err, expectedError) };
    const state = policy.state;
    if (exp.entries !== undefined) {
      want.entries = normaliseEntries(exp.entries, `${what}.expected.entries`);
      got.entries = sortKeys(entriesToJSON(state));
    }
    if (exp.podEntries !== undefined) {
      const pe: Record<string, { cpuSet: string }> = {};
      for (const [uid, e] of Object.entries(obj(exp.podEntries, `${what}.expected.podEntries`))) {
        pe[uid] = { cpuSet: cpuset(obj(e, `${what}.expected.podEntries.${uid}`).cpuSet, what).toString() };
      }
      want.podEntries = sortKeys(pe);
      got.podEntries = podEntriesJSON(state);
    }
    if (exp.defaultCpuSet !== undefined) {
      want.defaultCpuSet = cpuset(exp.defaultCpuSet, `${what}.expected.defaultCpuSet`).toString();
      got.defaultCpuSet = state.getDefaultCPUSet().toString();
    }
    if (exp.metrics !== undefined) {
      const wm: Record<string, number> = {};
      const gm: Record<string, number> = {};
      for (const [key, value] of Object.entries(obj(exp.metrics, `${what}.expected.metrics`))) {
        wm[key] = int(value, `${what}.expected.metrics.${key}`);
        gm[key] = metricValue(policy.metrics, key, `${what}.expected.metrics`);
      }
      want.metrics = wm;
      got.metrics = gm;
    }
    if (exp.invariants !== undefined) {
      const invariants = arr(exp.invariants, `${what}.expected.invariants`).map((s, i) =>
        str(s, `${what}.expected.invariants[${i}]`),
      );
      want.invariants = invariants.map((inv) => [inv, true]);
      got.invariants = invariants.map((inv) => [inv, checkInvariant(inv, state, pod.uid, what)]);
    }
    return compare(name, want, got);
  });
}

export const suite: Suite = {
  file: FILE,
  run(data: unknown): CaseOutcome[] {
    return asArray(data, FILE).map(runCase);
  },
};
