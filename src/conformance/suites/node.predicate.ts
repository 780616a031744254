import { isDeepStrictEqual } from "node:util";
import { parseJSONExact, Quantity, toBigInt } from "../../core/index.js";
import { kubeletConfigFromObject, type ResourceList, type Taint } from "../../k8s/index.js";
import { nodeConfigFromKubelet } from "../../node/index.js";
import {
  admitPredicate,
  amountsOf,
  type NodeObject,
  nodeResources,
  type PredicateDecision,
  type PredicateFailure,
} from "../../node/predicate/index.js";
import { podFromVector } from "../node-vectors.js";
import { asArray, type CaseOutcome, caseName, guard, type Suite } from "../suite.js";

type Obj = Record<string, unknown>;

const FILE = "node/predicate.json";

function quantityList(v: unknown, what: string): ResourceList {
  const out: ResourceList = {};
  for (const [name, q] of Object.entries((v ?? {}) as Obj))
    out[name] = Quantity.parse(String(q), `${what}.${name}`);
  return out;
}

function taintsOf(v: unknown): Taint[] {
  return ((v ?? []) as Obj[]).map((t) => {
    const out: Taint = { key: String(t.key ?? ""), effect: String(t.effect ?? "") };
    if (typeof t.value === "string" && t.value !== "") out.value = t.value;
    return out;
  });
}

function defaultLabels(name: string): Record<string, string> {
  return { "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64" };
}

/** The case's node: the node-status form as given, or the machine form through node allocatable. */
function nodeOf(n: Obj, name: string): NodeObject {
  const nodeName = typeof n.name === "string" ? n.name : "node";
  const features = n.features as Obj | undefined;
  if (!n.machine) {
    return {
      name: nodeName,
      labels: { ...((n.labels ?? {}) as Record<string, string>) },
      taints: taintsOf(n.taints),
      supplementalGroupsPolicy: features?.supplementalGroupsPolicy === true,
      capacity: quantityList(n.capacity, `${name} capacity`),
      allocatable: quantityList(n.allocatable, `${name} allocatable`),
      ephemeralStorageKnown: true,
    };
  }
  const m = n.machine as Obj;
  const kubelet = (n.kubelet ?? {}) as Obj;
  const config = nodeConfigFromKubelet(kubeletConfigFromObject(kubelet, `${name} kubelet`));
  const devices = new Map<string, { capacity: number; allocatable: number }>();
  for (const [res, d] of Object.entries((m.devices ?? {}) as Record<string, Obj>)) {
    const healthy = Number(d.healthy ?? 0);
    devices.set(res, { capacity: healthy + Number(d.unhealthy ?? 0), allocatable: healthy });
  }
  const hugepages: Record<string, bigint> = {};
  for (const [res, bytes] of Object.entries((m.hugepages ?? {}) as Obj))
    hugepages[res] = toBigInt(bytes, res);
  const extendedResources: Record<string, bigint> = {};
  for (const [res, count] of Object.entries((m.extendedResources ?? {}) as Obj))
    extendedResources[res] = toBigInt(count, res);
  const r = nodeResources(
    {
      numCPUs: Number(m.numCPUs),
      memoryBytes: toBigInt(m.memory, `${name} machine.memory`),
      hugepages,
      ephemeralStorageBytes:
        m.ephemeralStorage === undefined ? null : toBigInt(m.ephemeralStorage, `${name} ephemeralStorage`),
      devices,
      extendedResources,
    },
    config,
  );
  return {
    name: nodeName,
    labels: n.labels ? { ...(n.labels as Record<string, string>) } : defaultLabels(nodeName),
    taints: [...config.registerWithTaints, ...taintsOf(n.taints)],
    supplementalGroupsPolicy: features?.supplementalGroupsPolicy !== false,
    capacity: r.capacity,
    allocatable: r.allocatable,
    ephemeralStorageKnown: m.ephemeralStorage !== undefined,
  };
}

function failureData(f: PredicateFailure): Obj {
  return f.kind === "InsufficientResource"
    ? {
        kind: f.kind,
        resourceName: f.resourceName,
        requested: String(f.requested),
        used: String(f.used),
        capacity: String(f.capacity),
      }
    : { kind: f.kind, predicateName: f.predicateName, predicateDesc: f.predicateDesc };
}

function expectedFailureData(e: Obj): Obj {
  return e.kind === "InsufficientResource"
    ? {
        kind: e.kind,
        resourceName: e.resourceName,
        requested: String(toBigInt(e.requested, "requested")),
        used: String(toBigInt(e.used, "used")),
        capacity: String(toBigInt(e.capacity, "capacity")),
      }
    : { kind: e.kind, predicateName: e.predicateName, predicateDesc: e.predicateDesc };
}

function amountsData(a: Record<string, bigint>): Record<string, string> {
  return Object.fromEntries(Object.entries(a).map(([k, v]) => [k, String(v)]));
}

/** What the case compares, from the decision, shaped after `expected`. */
function actualData(d: PredicateDecision, node: NodeObject, e: Obj): Obj {
  const out: Obj = { admit: d.admitted, reason: d.reason, message: d.message };
  if (e.allocatable !== undefined) {
    const a = amountsOf(node.allocatable);
    out.allocatable = amountsData(Object.fromEntries([...a].sort(([x], [y]) => (x < y ? -1 : 1))));
  }
  if (e.reasons !== undefined) out.reasons = d.failures.map(failureData);
  if (e.preempted !== undefined) out.preempted = d.preempted;
  return out;
}

function expectedData(e: Obj): Obj {
  const out: Obj = { admit: e.admit, reason: e.reason ?? null, message: e.message ?? null };
  if (e.allocatable !== undefined) {
    const entries = Object.entries(e.allocatable as Obj).map(
      ([k, v]) => [k, String(toBigInt(v, k))] as const,
    );
    out.allocatable = Object.fromEntries(entries.sort(([x], [y]) => (x < y ? -1 : 1)));
  }
  if (e.reasons !== undefined) out.reasons = ((e.reasons ?? []) as Obj[]).map(expectedFailureData);
  if (e.preempted !== undefined) out.preempted = [...((e.preempted ?? []) as string[])].sort();
  return out;
}

/**
 * With `kubeletReasonVaries` a kubelet may report any of `kubeletOutcomes` (Go map order); podpin's
 * own choice must still be one of them.
 */
function outcomeAllowed(d: PredicateDecision, outcomes: unknown): boolean {
  if (!Array.isArray(outcomes)) return true;
  return outcomes.some((o) => {
    // An outcome is a reason, or an object with the reason and (possibly) the message.
    if (typeof o === "string") return o === d.reason || o === d.message;
    if (!o || typeof o !== "object") return false;
    const oo = o as Obj;
    return (oo.reason ?? null) === d.reason && (oo.message === undefined || oo.message === d.message);
  });
}

function runCase(c: Obj, name: string): CaseOutcome {
  const gates = { PodLevelResources: (c.featureGates as Obj | undefined)?.PodLevelResources !== false };
  const node = nodeOf(c.node as Obj, name);
  const otherPods = ((c.existingPods ?? []) as unknown[]).map((p, i) =>
    podFromVector(p, `${name} existingPods[${i}]`),
  );
  const pod = podFromVector(c.pod, `${name} pod`);
  const dm = c.deviceManager as Obj | undefined;
  const decision = admitPredicate({
    node,
    pod,
    otherPods,
    gates,
    deviceManager: dm
      ? {
          podHoldsDevices: dm.podHoldsDevices === true,
          devicesInUse: new Map(
            Object.entries((dm.allocatedDevices ?? {}) as Obj).map(([r, n]) => [r, Number(n)] as const),
          ),
        }
      : undefined,
  });
  const e = c.expected as Obj;
  const want = expectedData(e);
  const actual = actualData(decision, node, e);
  if (!isDeepStrictEqual(actual, want)) return { name, passed: false, expected: want, actual };
  if (e.kubeletReasonVaries === true && !outcomeAllowed(decision, e.kubeletOutcomes))
    return { name, passed: false, expected: { oneOf: e.kubeletOutcomes }, actual };
  return { name, passed: true };
}

/** `node/predicate.json`: the predicate admit handler alone, one decision per case. */
export const suite: Suite = {
  file: FILE,
  run() {
    throw new Error(`${FILE} is read with runText`);
  },
  runText(text: string): CaseOutcome[] {
    return asArray(parseJSONExact(text, FILE), FILE).map((raw, i) => {
      const c = raw as Obj;
      const name = caseName(c, i);
      return guard(name, () => runCase(c, name));
    });
  },
};
