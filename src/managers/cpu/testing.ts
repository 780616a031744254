/**
 * Helpers shared by the CPU Manager's conformance suites and tests: reading the JSON shapes of the
 * vector files (Kubernetes Pod JSON, inline or fixture machines, CPU states) with clear errors.
 * This is not the project's pod parser (that lives in `k8s/`); it reads exactly what the vectors use.
 */
import { CPUSet, Quantity } from "../../core/index.js";
import {
  type Container,
  DEFAULT_FEATURE_GATES,
  type FeatureGates,
  type Pod,
  type QOSClass,
  type ResourceList,
  type ResourceRequirements,
} from "../../k8s/index.js";
import { type CPUInfo, CPUTopology, kubeletFixture } from "../../machine/index.js";
import { type AffinityStore, maskFromBits, type TopologyHint } from "../topology/index.js";
import { StaticPolicy } from "./static-policy.js";
import { CPUState } from "./state.js";

export class VectorShapeError extends Error {
  override name = "VectorShapeError";
}

export type JSONObject = Record<string, unknown>;

export function fail(what: string, expected: string): never {
  throw new VectorShapeError(`${what}: expected ${expected}`);
}

export function obj(v: unknown, what: string): JSONObject {
  if (!v || typeof v !== "object" || Array.isArray(v)) fail(what, "an object");
  return v as JSONObject;
}

export function optObj(v: unknown, what: string): JSONObject | null {
  return v === null || v === undefined ? null : obj(v, what);
}

export function str(v: unknown, what: string): string {
  if (typeof v !== "string") fail(what, "a string");
  return v;
}

export function optStr(v: unknown, what: string): string | null {
  return v === null || v === undefined ? null : str(v, what);
}

export function int(v: unknown, what: string): number {
  if (typeof v !== "number" || !Number.isInteger(v)) fail(what, "an integer");
  return v;
}

export function bool(v: unknown, what: string): boolean {
  if (typeof v !== "boolean") fail(what, "a boolean");
  return v;
}

export function arr(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) fail(what, "an array");
  return v;
}

/** A CPU set written as a list-format string or an array of ids; null/absent = empty. */
export function cpuset(v: unknown, what: string): CPUSet {
  if (v === null || v === undefined) return CPUSet.empty;
  if (typeof v === "string") return CPUSet.parse(v, what);
  if (Array.isArray(v)) return CPUSet.fromIds(v.map((id, i) => int(id, `${what}[${i}]`)));
  return fail(what, "a CPU list string or an array of CPU ids");
}

/** `{name: "true"}` maps (policy options) with string values. */
export function stringMap(v: unknown, what: string): Record<string, string> {
  const o = optObj(v, what) ?? {};
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(o)) out[k] = str(val, `${what}.${k}`);
  return out;
}

function resourceList(v: unknown, what: string): ResourceList {
  const o = optObj(v, what) ?? {};
  const out: ResourceList = {};
  for (const [name, q] of Object.entries(o)) {
    const text = typeof q === "number" ? String(q) : str(q, `${what}.${name}`);
    out[name] = Quantity.parse(text, `${what}.${name}`);
  }
  return out;
}

function requirements(v: unknown, what: string): ResourceRequirements | null {
  const o = optObj(v, what);
  if (!o) return null;
  return {
    requests: resourceList(o.requests, `${what}.requests`),
    limits: resourceList(o.limits, `${what}.limits`),
  };
}

function containerFromJSON(v: unknown, what: string): Container {
  const o = obj(v, what);
  const c: Container = {
    name: str(o.name, `${what}.name`),
    resources: requirements(o.resources, `${what}.resources`),
  };
  const policy = optStr(o.restartPolicy, `${what}.restartPolicy`);
  if (policy !== null) c.restartPolicy = policy;
  return c;
}

const QOS_CLASSES = new Set(["Guaranteed", "Burstable", "BestEffort"]);

/** A Kubernetes Pod JSON object (`metadata`, `spec`, optional `status.qosClass`) as a `Pod`. */
export function podFromJSON(v: unknown, what = "pod"): Pod {
  const o = obj(v, what);
  const meta = obj(o.metadata, `${what}.metadata`);
  const spec = obj(o.spec, `${what}.spec`);
  const pod: Pod = {
    uid: str(meta.uid, `${what}.metadata.uid`),
    name: optStr(meta.name, `${what}.metadata.name`) ?? "",
    namespace: optStr(meta.namespace, `${what}.metadata.namespace`) ?? "default",
    initContainers: arr(spec.initContainers ?? [], `${what}.spec.initContainers`).map((c, i) =>
      containerFromJSON(c, `${what}.spec.initContainers[${i}]`),
    ),
    containers: arr(spec.containers ?? [], `${what}.spec.containers`).map((c, i) =>
      containerFromJSON(c, `${what}.spec.containers[${i}]`),
    ),
    resources: requirements(spec.resources, `${what}.spec.resources`),
  };
  const status = optObj(o.status, `${what}.status`);
  const qos = status ? optStr(status.qosClass, `${what}.status.qosClass`) : null;
  if (qos) {
    if (!QOS_CLASSES.has(qos)) fail(`${what}.status.qosClass`, "Guaranteed, Burstable or BestEffort");
    pod.qosClass = qos as QOSClass;
  }
  return pod;
}

/** A machine: a fixture name of `cpu/topologies.json`, or an inline `{numCPUs, ..., cpus: [...]}`. */
export function topologyFromJSON(v: unknown, what = "machine"): CPUTopology {
  if (typeof v === "string") {
    const topo = kubeletFixture(v);
    if (!topo) fail(what, `a known fixture name, not ${JSON.stringify(v)}`);
    return topo;
  }
  const o = obj(v, what);
  const cpus: CPUInfo[] = arr(o.cpus, `${what}.cpus`).map((c, i) => {
    const x = obj(c, `${what}.cpus[${i}]`);
    const field = (k: string) => int(x[k] ?? 0, `${what}.cpus[${i}].${k}`);
    return {
      id: int(x.id, `${what}.cpus[${i}].id`),
      core: field("core"),
      socket: field("socket"),
      numa: field("numa"),
      uncore: field("uncore"),
    };
  });
  const header = (k: string) => int(o[k] ?? 0, `${what}.${k}`);
  return new CPUTopology(
    {
      numCPUs: header("numCPUs"),
      numCores: header("numCores"),
      numSockets: header("numSockets"),
      numNUMANodes: header("numNUMANodes"),
      numUncoreCaches: header("numUncoreCaches"),
    },
    cpus,
  );
}

/**
 * A CPU state from either vector spelling: `{defaultCPUSet, assignments}` (cpu/) or
 * `{defaultCpuSet, entries, podEntries: {uid: {cpuSet}}}` (podlevel/).
 */
export function stateFromJSON(v: unknown, what = "initialState"): CPUState {
  const o = optObj(v, what) ?? {};
  const state = new CPUState();
  state.setDefaultCPUSet(cpuset(o.defaultCpuSet ?? o.defaultCPUSet, `${what}.defaultCpuSet`));
  const entries = optObj(o.entries ?? o.assignments, `${what}.entries`) ?? {};
  for (const [podUID, ctrs] of Object.entries(entries)) {
    for (const [name, set] of Object.entries(obj(ctrs, `${what}.entries.${podUID}`))) {
      state.setCPUSet(podUID, name, cpuset(set, `${what}.entries.${podUID}.${name}`));
    }
  }
  for (const [podUID, entry] of Object.entries(optObj(o.podEntries, `${what}.podEntries`) ?? {})) {
    const e = obj(entry, `${what}.podEntries.${podUID}`);
    state.setPodCPUSet(podUID, cpuset(e.cpuSet, `${what}.podEntries.${podUID}.cpuSet`));
  }
  return state;
}

/** Container entries as `{podUID: {container: "list"}}`, pods without entries left out. */
export function entriesToJSON(state: CPUState): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const { podUID, containerName } of state.containerKeys()) {
    out[podUID] ??= {};
    out[podUID][containerName] = state.getCPUSet(podUID, containerName)!.toString();
  }
  return out;
}

/** Expected container entries normalised through `CPUSet`, pods with no entries dropped. */
export function normaliseEntries(v: unknown, what: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const [podUID, ctrs] of Object.entries(obj(v, what))) {
    const names = Object.keys(obj(ctrs, `${what}.${podUID}`)).sort();
    if (names.length === 0) continue;
    out[podUID] = {};
    for (const name of names) {
      out[podUID][name] = cpuset((ctrs as JSONObject)[name], `${what}.${podUID}.${name}`).toString();
    }
  }
  return sortKeys(out);
}

export function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Feature gates of a case: the given pod-level gates, every CPU Manager option level unlocked. */
export function caseGates(v: unknown, what: string): FeatureGates {
  const gates: FeatureGates = {
    ...DEFAULT_FEATURE_GATES,
    CPUManagerPolicyAlphaOptions: true,
    CPUManagerPolicyBetaOptions: true,
  };
  for (const [k, val] of Object.entries(optObj(v, what) ?? {})) {
    if (!(k in gates)) fail(`${what}.${k}`, `a known feature gate (${Object.keys(gates).join(", ")})`);
    gates[k as keyof FeatureGates] = bool(val, `${what}.${k}`);
  }
  return gates;
}

/** An affinity store returning the same hint for every container (the kubelet tests' fake manager). */
export function fixedAffinity(numaNodes: readonly number[] | null, preferred = true): AffinityStore {
  const hint: TopologyHint =
    numaNodes === null
      ? { affinity: null, preferred: false }
      : { affinity: maskFromBits(numaNodes), preferred };
  return { getAffinity: () => hint };
}

/**
 * The static policy of a `podlevel/` case: `machine`, `config` ({numReservedCPUs,
 * reservedSystemCPUs, options, gates}), `initialState` and an optional `hint` ({numaNodes}) that the
 * Topology Manager returns for every container (absent or null nodes = nil affinity).
 */
export function policyFromPodLevelCase(c: JSONObject, what: string): StaticPolicy {
  const config = obj(c.config, `${what}.config`);
  const hint = optObj(c.hint, `${what}.hint`);
  const nodes =
    hint && hint.numaNodes !== null && hint.numaNodes !== undefined
      ? arr(hint.numaNodes, `${what}.hint.numaNodes`).map((n, i) => int(n, `${what}.hint.numaNodes[${i}]`))
      : null;
  return new StaticPolicy({
    topology: topologyFromJSON(c.machine, `${what}.machine`),
    numReservedCPUs: int(config.numReservedCPUs ?? 0, `${what}.config.numReservedCPUs`),
    reservedSystemCPUs: cpuset(config.reservedSystemCPUs, `${what}.config.reservedSystemCPUs`),
    options: stringMap(config.options, `${what}.config.options`),
    gates: caseGates(config.gates, `${what}.config.gates`),
    affinity: fixedAffinity(nodes, hint ? bool(hint.preferred ?? true, `${what}.hint.preferred`) : true),
    state: stateFromJSON(c.initialState, `${what}.initialState`),
  });
}
