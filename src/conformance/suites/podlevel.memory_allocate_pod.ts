import { ManagerError, type MetricName, METRICS, MetricsRegistry, parseJSONExact } from "../../core/index.js";
import { DEFAULT_FEATURE_GATES, type FeatureGates } from "../../k8s/index.js";
import { emptyMemoryState, StaticPolicy } from "../../managers/memory/index.js";
import {
  assignmentsJSON,
  fixedAffinity,
  machineStatesForCompare,
  obj,
  podAssignmentsJSON,
  readAssignments,
  readCompactPod,
  readHint,
  readMachineState,
  readPodAssignments,
  readReservedMemory,
  str,
  VectorSchemaError,
} from "../memory-vectors.js";
import { asArray, type CaseOutcome, caseName, compare, guard, type Suite } from "../suite.js";

const FILE = "podlevel/memory_allocate_pod.json";

function readGates(v: unknown, what: string): FeatureGates {
  const gates: FeatureGates = { ...DEFAULT_FEATURE_GATES };
  for (const [name, on] of Object.entries(obj(v ?? {}, what))) {
    if (!(name in gates) || typeof on !== "boolean") {
      throw new VectorSchemaError(`${what}.${name}: expected a known feature gate with a boolean value`);
    }
    gates[name as keyof FeatureGates] = on;
  }
  return gates;
}

/** `name{label,values}` -> the registry series. */
function readSeries(key: string, what: string): { name: MetricName; labels: string[] } {
  const m = /^([a-z_]+)\{([^}]*)\}$/.exec(key);
  if (!m || !(m[1] in METRICS)) throw new VectorSchemaError(`${what}: unknown metric series ${key}`);
  return { name: m[1] as MetricName, labels: m[2] === "" ? [] : m[2].split(",") };
}

function runCase(raw: unknown, index: number): CaseOutcome {
  const name = caseName(raw, index);
  const what = `${FILE} ${name}`;
  const c = obj(raw, what);
  if (str(c.op, `${what}.op`) !== "allocatePod")
    throw new VectorSchemaError(`${what}.op: expected "allocatePod"`);
  const state = emptyMemoryState();
  state.machineState = readMachineState(c.machineState, `${what}.machineState`);
  state.entries = readAssignments(c.assignments ?? {}, `${what}.assignments`);
  state.podEntries = readPodAssignments(c.podAssignments ?? {}, `${what}.podAssignments`);
  const pod = readCompactPod(c.pod, `${what}.pod`);
  const exp = obj(c.expected, `${what}.expected`);
  const expError =
    exp.error === null || exp.error === undefined ? null : obj(exp.error, `${what}.expected.error`);
  const series = Object.entries(obj(exp.metrics ?? {}, `${what}.expected.metrics`)).map(([key, value]) => {
    if (typeof value !== "number")
      throw new VectorSchemaError(`${what}.expected.metrics.${key}: expected a number`);
    return { key, value, ...readSeries(key, `${what}.expected.metrics`) };
  });
  const expectedError = expError && {
    type: str(expError.type, `${what}.expected.error.type`),
    message: str(expError.message, `${what}.expected.error.message`),
  };
  const expectedState =
    expError === null
      ? {
          assignments: readAssignments(exp.assignments, `${what}.expected.assignments`),
          podAssignments: readPodAssignments(exp.podAssignments, `${what}.expected.podAssignments`),
          machineState: readMachineState(exp.machineState, `${what}.expected.machineState`),
        }
      : null;
  const options = {
    machine: { memory: new Map() },
    reservedMemory: readReservedMemory(c.systemReserved, `${what}.systemReserved`),
    gates: readGates(c.gates, `${what}.gates`),
    version: "1.37" as const,
    affinity: fixedAffinity(readHint(c.topologyManagerHint, `${what}.topologyManagerHint`)),
    state,
  };

  return guard(name, () => {
    const metrics = new MetricsRegistry();
    const policy = StaticPolicy.create({ ...options, metrics });
    const err = policy instanceof ManagerError ? policy : policy.allocatePod(pod);
    const outcome = (e: unknown) => ({
      error: e,
      metrics: Object.fromEntries(series.map((s) => [s.key, metrics.get(s.name, s.labels)])),
    });
    const actualError = err && { type: err.reason ?? "UnexpectedAdmissionError", message: err.message };
    const expectedMetrics = Object.fromEntries(series.map((s) => [s.key, s.value]));
    if (!expectedState || err) {
      return compare(name, { error: expectedError, metrics: expectedMetrics }, outcome(actualError));
    }
    const machineStates = machineStatesForCompare(expectedState.machineState, state.machineState);
    return compare(
      name,
      {
        error: null,
        metrics: expectedMetrics,
        assignments: assignmentsJSON(expectedState.assignments),
        podAssignments: podAssignmentsJSON(expectedState.podAssignments),
        machineState: machineStates.expected,
      },
      {
        ...outcome(null),
        assignments: assignmentsJSON(state.entries),
        podAssignments: podAssignmentsJSON(state.podEntries),
        machineState: machineStates.actual,
      },
    );
  });
}

export const suite: Suite = {
  file: FILE,
  run(data: unknown): CaseOutcome[] {
    return asArray(data, FILE).map(runCase);
  },
  runText(text: string): CaseOutcome[] {
    return this.run(parseJSONExact(text, FILE));
  },
};
