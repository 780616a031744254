import { isDeepStrictEqual } from "node:util";
import { parseJSONExact } from "../../core/index.js";
import { type KubernetesVersion, podFromObject } from "../../k8s/index.js";
import { type AdmissionResult, Node } from "../../node/index.js";
import {
  blocksData,
  cpuSetText,
  machineFromVector,
  nodeConfigFromVector,
  vectorBlocksData,
} from "../node-vectors.js";
import { asArray, type CaseOutcome, caseName, guard, type Suite } from "../suite.js";

type Obj = Record<string, unknown>;

function admitData(r: AdmissionResult): Obj {
  const containers: Record<string, Obj> | null = r.containers
    ? Object.fromEntries(
        r.containers.map((c) => [
          c.name,
          {
            cpus: c.cpus.toString(),
            exclusive: c.isolation === "container",
            isolation: c.isolation,
            memory: blocksData(c.memory),
          },
        ]),
      )
    : null;
  return {
    admitted: r.admitted,
    reason: r.reason,
    message: r.message,
    containers,
    pod: r.podDecision
      ? { cpus: r.podDecision.bubble?.toString() ?? null, memory: blocksData(r.podDecision.memory) }
      : null,
    defaultCpuSet: r.defaultCpuSet.toString(),
    leftoverStateAfterReject: r.leftoverState,
  };
}

function expectedAdmitData(e: Obj): Obj {
  const containers = e.containers as Record<string, Obj> | null;
  const pod = e.pod as Obj | null;
  return {
    admitted: e.admitted,
    reason: e.reason,
    message: e.message,
    containers: containers
      ? Object.fromEntries(
          Object.entries(containers).map(([name, c]) => [
            name,
            {
              cpus: cpuSetText(c.cpus),
              exclusive: c.exclusive,
              isolation: c.isolation,
              memory: vectorBlocksData(c.memory),
            },
          ]),
        )
      : null,
    pod: pod ? { cpus: cpuSetText(pod.cpus), memory: vectorBlocksData(pod.memory) } : null,
    defaultCpuSet: cpuSetText(e.defaultCpuSet),
    leftoverStateAfterReject: e.leftoverStateAfterReject === true,
  };
}

function machineStateData(ms: unknown): unknown {
  const sizes = new Set(["total", "systemReserved", "allocatable", "reserved", "free"]);
  return JSON.parse(JSON.stringify(ms, (k, v) => (typeof v === "bigint" || sizes.has(k) ? String(v) : v)));
}

/** The node's state in the vector's `final` shape. */
function finalData(node: Node, expected: Obj): Obj {
  const cpu = node.cpuPolicy?.state;
  const entries: Record<string, Record<string, string>> = {};
  const podEntries: Record<string, string> = {};
  if (cpu) {
    for (const { podUID, containerName } of node.cpuPolicy!.containerKeys()) {
      entries[podUID] ??= {};
      entries[podUID][containerName] = cpu.getCPUSet(podUID, containerName)!.toString();
    }
    for (const [uid, set] of cpu.data.podEntries) podEntries[uid] = set.toString();
  }
  const mem = node.memoryPolicy;
  const memoryEntries: Record<string, Record<string, unknown>> = {};
  const podMemoryEntries: Record<string, unknown> = {};
  let machineState: unknown = null;
  if (mem) {
    for (const [uid, ctrs] of mem.state.entries)
      for (const [name, blocks] of ctrs) {
        memoryEntries[uid] ??= {};
        memoryEntries[uid][name] = blocksData(blocks);
      }
    for (const [uid, blocks] of mem.state.podEntries) podMemoryEntries[uid] = blocksData(blocks);
    const ms: Record<string, unknown> = {};
    for (const [id, n] of mem.state.machineState) {
      const memoryMap: Record<string, unknown> = {};
      for (const [r, t] of n.memoryMap) memoryMap[r] = { ...t };
      ms[String(id)] = { numberOfAssignments: n.numberOfAssignments, memoryMap, cells: n.cells };
    }
    machineState = machineStateData(ms);
  }
  const snapshot = node.metrics.snapshot();
  const expectedMetrics = (expected.metrics ?? {}) as Record<string, number>;
  const metrics: Record<string, number> = {};
  for (const key of Object.keys(expectedMetrics)) metrics[key] = snapshot[key] ?? 0;
  for (const [key, value] of Object.entries(snapshot)) {
    if (key.startsWith("cpu_manager_allocation_per_numa") || key in metrics) continue;
    if (value !== 0) metrics[key] = value;
  }
  return {
    defaultCpuSet: node.defaultCpuSet().toString(),
    machineState,
    cpuEntries: entries,
    podCpuEntries: podEntries,
    memoryEntries,
    podMemoryEntries,
    metrics,
  };
}

function expectedFinalData(f: Obj): Obj {
  const cpuEntries: Record<string, Record<string, string>> = {};
  for (const [uid, ctrs] of Object.entries((f.cpuEntries ?? {}) as Record<string, Record<string, string>>)) {
    cpuEntries[uid] = Object.fromEntries(Object.entries(ctrs).map(([n, s]) => [n, cpuSetText(s)!]));
  }
  const memoryEntries: Record<string, Record<string, unknown>> = {};
  for (const [uid, ctrs] of Object.entries(
    (f.memoryEntries ?? {}) as Record<string, Record<string, unknown>>,
  )) {
    memoryEntries[uid] = Object.fromEntries(Object.entries(ctrs).map(([n, b]) => [n, vectorBlocksData(b)]));
  }
  return {
    defaultCpuSet: cpuSetText(f.defaultCpuSet),
    machineState: f.machineState === null ? null : machineStateData(f.machineState),
    cpuEntries,
    podCpuEntries: Object.fromEntries(
      Object.entries((f.podCpuEntries ?? {}) as Record<string, string>).map(([u, s]) => [u, cpuSetText(s)]),
    ),
    memoryEntries,
    podMemoryEntries: Object.fromEntries(
      Object.entries((f.podMemoryEntries ?? {}) as Record<string, unknown>).map(([u, b]) => [
        u,
        vectorBlocksData(b),
      ]),
    ),
    metrics: Object.fromEntries(
      Object.entries((f.metrics ?? {}) as Record<string, number>).map(([k, v]) => [k, Number(v)]),
    ),
  };
}

/** Runs one case in one version; returns null when everything matched, else the first mismatch. */
function runIn(
  c: Obj,
  name: string,
  version: KubernetesVersion,
): { expected: unknown; actual: unknown } | null {
  const machine = machineFromVector(c.machine as Obj, name);
  const node = new Node({
    machine,
    config: nodeConfigFromVector(c.kubelet as Obj, version, `${name} kubelet`),
  });
  const steps = c.steps as Obj[];
  const expected = c.expected as Obj[];
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i];
    const where = `${name} [${version}] step ${i + 1} (${step.op})`;
    if (step.op === "admit") {
      const pod = podFromObject(step.pod, where);
      const actual = admitData(node.admit(pod));
      const want = expectedAdmitData(expected[i]);
      if (!isDeepStrictEqual(actual, want))
        return { expected: { step: where, ...want }, actual: { step: where, ...actual } };
    } else if (step.op === "remove") {
      const r = node.remove(String(step.pod));
      const want = { defaultCpuSet: cpuSetText(expected[i].defaultCpuSet) };
      const actual = { defaultCpuSet: r.defaultCpuSet.toString() };
      if (!isDeepStrictEqual(actual, want))
        return { expected: { step: where, ...want }, actual: { step: where, ...actual } };
    } else {
      throw new Error(`${where}: unknown op ${String(step.op)}`);
    }
  }
  if (c.final) {
    const want = expectedFinalData(c.final as Obj);
    const actual = finalData(node, c.final as Obj);
    for (const key of Object.keys(want)) {
      if (!isDeepStrictEqual(actual[key], want[key]))
        return { expected: { final: key, value: want[key] }, actual: { final: key, value: actual[key] } };
    }
  }
  return null;
}

/**
 * A suite of whole admissions, step by step, in the case's version (both when unspecified):
 * `node/admit.json`, and `node/admit_predicate.json` (the same schema, where the predicate handler
 * after the resource managers rejects some steps).
 */
export function admissionSuite(file: string): Suite {
  return {
    file,
    run() {
      throw new Error(`${file} is read with runText`);
    },
    runText: (text: string) => runAdmissionCases(text, file),
  };
}

function runAdmissionCases(text: string, file: string): CaseOutcome[] {
  return asArray(parseJSONExact(text, file), file).map((raw, i) => {
    const c = raw as Obj;
    const name = caseName(c, i);
    return guard(name, () => {
      const versions: KubernetesVersion[] = c.kubernetesVersion
        ? [c.kubernetesVersion as KubernetesVersion]
        : ["1.37", "1.36"];
      for (const v of versions) {
        const mismatch = runIn(c, name, v);
        if (mismatch) return { name, passed: false, ...mismatch };
      }
      return { name, passed: true };
    });
  });
}

/** `node/admit.json`: whole admissions through the Topology Manager and the predicate handler. */
export const suite: Suite = admissionSuite("node/admit.json");
