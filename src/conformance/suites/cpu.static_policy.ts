import { type CPUSet, ManagerError, Quantity } from "../../core/index.js";
import type { Container, Pod, QOSClass, ResourceList } from "../../k8s/index.js";
import { cpuVectors, StaticPolicy } from "../../managers/cpu/index.js";
import { asArray, type CaseOutcome, caseName, compare, guard, type Suite } from "../suite.js";

type JSONObject = cpuVectors.JSONObject;
const {
  arr,
  bool,
  caseGates,
  cpuset,
  fixedAffinity,
  int,
  obj,
  optObj,
  optStr,
  stateFromJSON,
  str,
  stringMap,
  topologyFromJSON,
} = cpuVectors;

const FILE = "cpu/static_policy.json";

/** The compact container of this file: `{name, cpuRequest, cpuLimit, memoryRequest, memoryLimit}`. */
function compactContainer(v: unknown, what: string): Container {
  const o = obj(v, what);
  const requests: ResourceList = {};
  const limits: ResourceList = {};
  const put = (list: ResourceList, name: string, key: string) => {
    const text = optStr(o[key], `${what}.${key}`);
    if (text !== null) list[name] = Quantity.parse(text, `${what}.${key}`);
  };
  put(requests, "cpu", "cpuRequest");
  put(limits, "cpu", "cpuLimit");
  put(requests, "memory", "memoryRequest");
  put(limits, "memory", "memoryLimit");
  const c: Container = { name: str(o.name, `${what}.name`), resources: { requests, limits } };
  const policy = optStr(o.restartPolicy, `${what}.restartPolicy`);
  if (policy !== null) c.restartPolicy = policy;
  return c;
}

function compactPod(v: unknown, what: string): Pod {
  const o = obj(v, what);
  const pod: Pod = {
    uid: str(o.uid, `${what}.uid`),
    name: optStr(o.name, `${what}.name`) ?? "",
    namespace: "default",
    initContainers: arr(o.initContainers ?? [], `${what}.initContainers`).map((c, i) =>
      compactContainer(c, `${what}.initContainers[${i}]`),
    ),
    containers: arr(o.containers, `${what}.containers`).map((c, i) =>
      compactContainer(c, `${what}.containers[${i}]`),
    ),
    resources: null,
  };
  const qos = optStr(o.qos, `${what}.qos`);
  if (qos !== null) pod.qosClass = qos as QOSClass;
  return pod;
}

interface Result {
  error: string | null;
  defaultCPUSet?: string;
  containerCPUs?: string | null;
}

function build(c: JSONObject, name: string, options: Record<string, string>): StaticPolicy {
  const what = `${FILE}: case ${JSON.stringify(name)}`;
  const hint = optObj(c.topologyHint, `${what}.topologyHint`);
  const nodes = hint?.numaNodes ?? hint?.NUMANodeAffinity ?? null;
  const numa =
    nodes === null
      ? null
      : arr(nodes, `${what}.topologyHint.numaNodes`).map((n) => int(n, `${what}.numaNodes`));
  return new StaticPolicy({
    topology: topologyFromJSON(c.topology, `${what}.topology`),
    numReservedCPUs: int(c.numReservedCPUs, `${what}.numReservedCPUs`),
    reservedSystemCPUs: cpuset(c.reservedSystemCPUs, `${what}.reservedSystemCPUs`),
    options,
    gates: caseGates({}, `${what}.gates`),
    affinity: fixedAffinity(
      numa,
      hint ? bool(hint.preferred ?? true, `${what}.topologyHint.preferred`) : false,
    ),
    state: stateFromJSON(c.initialState, `${what}.initialState`),
  });
}

function runOnce(c: JSONObject, name: string, options: Record<string, string>): Result {
  const what = `${FILE}: case ${JSON.stringify(name)}`;
  let policy: StaticPolicy;
  try {
    policy = build(c, name, options);
  } catch (err) {
    if (err instanceof ManagerError) return { error: err.message };
    throw err;
  }
  const op = str(c.op, `${what}.op`);
  if (op === "start") {
    const err = policy.start();
    if (err) return { error: err.message };
    return { error: null, defaultCPUSet: policy.state.getDefaultCPUSet().toString() };
  }
  if (op !== "allocate")
    throw new Error(`${what}.op: expected "start" or "allocate", got ${JSON.stringify(op)}`);
  const pod = compactPod(c.pod, `${what}.pod`);
  const containerName = str(c.container, `${what}.container`);
  const container = [...pod.initContainers, ...pod.containers].find((x) => x.name === containerName);
  if (!container)
    throw new Error(`${what}.container: no container named ${JSON.stringify(containerName)} in the pod`);
  const err = policy.allocate(pod, container);
  const assigned: CPUSet | undefined = policy.state.getCPUSet(pod.uid, containerName);
  return {
    error: err ? err.message : null,
    defaultCPUSet: policy.state.getDefaultCPUSet().toString(),
    containerCPUs: assigned ? assigned.toString() : null,
  };
}

function expected(c: JSONObject, name: string): Result {
  const what = `${FILE}: case ${JSON.stringify(name)}`;
  const error = optStr(c.expectedError, `${what}.expectedError`);
  if (error !== null) return { error };
  const op = str(c.op, `${what}.op`);
  if (op === "start") {
    return {
      error: null,
      defaultCPUSet: cpuset(c.expectedDefaultCPUSet, `${what}.expectedDefaultCPUSet`).toString(),
    };
  }
  const initialDefault = stateFromJSON(c.initialState, `${what}.initialState`).getDefaultCPUSet();
  if (!bool(c.expectedCPUAlloc, `${what}.expectedCPUAlloc`)) {
    return { error: null, defaultCPUSet: initialDefault.toString(), containerCPUs: null };
  }
  return {
    error: null,
    defaultCPUSet: cpuset(c.expectedDefaultCPUSet, `${what}.expectedDefaultCPUSet`).toString(),
    containerCPUs: cpuset(c.expectedContainerCPUs, `${what}.expectedContainerCPUs`).toString(),
  };
}

/** The Go test runs option-insensitive cases with no options and with `full-pcpus-only` alone. */
function optionVariants(c: JSONObject, name: string): Record<string, string>[] {
  if (c.optionsInsensitive === true) return [{}, { "full-pcpus-only": "true" }];
  return [stringMap(c.options, `${FILE}: case ${JSON.stringify(name)}.options`)];
}

function runCase(raw: unknown, index: number): CaseOutcome {
  const name = caseName(raw, index);
  return guard(name, () => {
    const c = obj(raw, `${FILE}: case ${JSON.stringify(name)}`);
    const want = expected(c, name);
    for (const options of optionVariants(c, name)) {
      let got = runOnce(c, name, options);
      // An expected error is all the Go test asserts; a start case has no container to report.
      if (want.error !== null) got = { error: got.error };
      else if (want.containerCPUs === undefined) delete got.containerCPUs;
      const outcome = compare(name, { options, ...want }, { options, ...got });
      if (!outcome.passed) return outcome;
    }
    return { name, passed: true };
  });
}

export const suite: Suite = {
  file: FILE,
  run(data: unknown): CaseOutcome[] {
    return asArray(data, FILE).map(runCase);
  },
};
