import type { MemoryBlock, MemoryTable, NUMANodeMap, NUMANodeState } from "../managers/memory/index.js";
import { toBigInt } from "../core/index.js";
import type { Pod, QOSClass } from "../k8s/index.js";
import { machineStatesEqual } from "../managers/memory/index.js";
import { maskOf, type TopologyHint } from "../managers/topology/index.js";
import { compactPodReaders, type Obj } from "./compact-pods.js";

export { fixedAffinity } from "./compact-pods.js";

/**
 * Readers and canonical forms shared by the Memory Manager vector files (`memory/static_policy.json`,
 * `podlevel/memory_allocate_pod.json`): machine states, block assignments, reserved memory and the
 * compact pods these files use. Readers throw a message naming the field on a schema mismatch.
 */
export class VectorSchemaError extends Error {
  override name = "VectorSchemaError";
}

export function obj(v: unknown, what: string): Obj {
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    throw new VectorSchemaError(
      `${what}: expected an object, got ${typeof v === "bigint" ? v : JSON.stringify(v)}`,
    );
  }
  return v as Obj;
}

export function arr(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw new VectorSchemaError(`${what}: expected an array`);
  return v;
}

export function str(v: unknown, what: string): string {
  if (typeof v !== "string") throw new VectorSchemaError(`${what}: expected a string`);
  return v;
}

function int(v: unknown, what: string): number {
  if (typeof v !== "number" || !Number.isInteger(v))
    throw new VectorSchemaError(`${what}: expected an integer`);
  return v;
}

function nodeId(key: string, what: string): number {
  if (!/^\d+$/.test(key))
    throw new VectorSchemaError(`${what}: NUMA node key ${JSON.stringify(key)} is not an id`);
  return Number(key);
}

function ids(v: unknown, what: string): number[] {
  return arr(v, what).map((x, i) => int(x, `${what}[${i}]`));
}

const TABLE_FIELDS = ["allocatable", "free", "reserved", "systemReserved", "totalMemSize"] as const;

export function readMachineState(v: unknown, what: string): NUMANodeMap {
  const ms: NUMANodeMap = new Map();
  for (const [key, raw] of Object.entries(obj(v, what))) {
    const w = `${what}.${key}`;
    const node = obj(raw, w);
    const memoryMap = new Map<string, MemoryTable>();
    for (const [resource, t] of Object.entries(obj(node.memoryMap, `${w}.memoryMap`))) {
      const tw = `${w}.memoryMap.${resource}`;
      const table = obj(t, tw);
      const [allocatable, free, reserved, systemReserved, total] = TABLE_FIELDS.map((f) =>
        toBigInt(table[f], `${tw}.${f}`),
      );
      memoryMap.set(resource, { total, systemReserved, allocatable, reserved, free });
    }
    const state: NUMANodeState = {
      numberOfAssignments: int(node.numberOfAssignments, `${w}.numberOfAssignments`),
      memoryMap,
      cells: node.cells === null || node.cells === undefined ? null : ids(node.cells, `${w}.cells`),
    };
    ms.set(nodeId(key, w), state);
  }
  return ms;
}

export function readBlocks(v: unknown, what: string): MemoryBlock[] {
  return arr(v, what).map((raw, i) => {
    const b = obj(raw, `${what}[${i}]`);
    return {
      numaAffinity: ids(b.numaAffinity, `${what}[${i}].numaAffinity`),
      type: str(b.type, `${what}[${i}].type`),
      size: toBigInt(b.size, `${what}[${i}].size`),
    };
  });
}

/** `{podUID: {containerName: [Block]}}`. */
export function readAssignments(v: unknown, what: string): Map<string, Map<string, MemoryBlock[]>> {
  const out = new Map<string, Map<string, MemoryBlock[]>>();
  for (const [pod, containers] of Object.entries(obj(v, what))) {
    const m = new Map<string, MemoryBlock[]>();
    for (const [name, blocks] of Object.entries(obj(containers, `${what}.${pod}`))) {
      m.set(name, readBlocks(blocks, `${what}.${pod}.${name}`));
    }
    out.set(pod, m);
  }
  return out;
}

/** `{podUID: {memoryBlocks: [Block]}}`. */
export function readPodAssignments(v: unknown, what: string): Map<string, MemoryBlock[]> {
  const out = new Map<string, MemoryBlock[]>();
  for (const [pod, entry] of Object.entries(obj(v, what))) {
    out.set(pod, readBlocks(obj(entry, `${what}.${pod}`).memoryBlocks, `${what}.${pod}.memoryBlocks`));
  }
  return out;
}

/** `{"<node>": {"<resource>": bytes}}`. */
export function readReservedMemory(v: unknown, what: string): Map<number, Map<string, bigint>> {
  const out = new Map<number, Map<string, bigint>>();
  for (const [key, resources] of Object.entries(obj(v, what))) {
    const m = new Map<string, bigint>();
    for (const [r, bytes] of Object.entries(obj(resources, `${what}.${key}`))) {
      m.set(r, toBigInt(bytes, `${what}.${key}.${r}`));
    }
    out.set(nodeId(key, what), m);
  }
  return out;
}

const pods = compactPodReaders({ obj, arr, str, error: (message) => new VectorSchemaError(message) });

export const findContainer = pods.findContainer;

const QOS: readonly QOSClass[] = ["Guaranteed", "Burstable", "BestEffort"];

/** The compact pod of the memory vectors: `{uid, qos, initContainers, containers, resources?}`. */
export function readCompactPod(v: unknown, what: string): Pod {
  const pod = pods.readPod(v, what);
  const p = obj(v, what);
  if (p.qos !== undefined && p.qos !== null) {
    const qos = str(p.qos, `${what}.qos`);
    if (!QOS.includes(qos as QOSClass)) throw new VectorSchemaError(`${what}.qos: unknown QoS class ${qos}`);
    pod.qosClass = qos as QOSClass;
  }
  return pod;
}

/** `{numaNodes: [ids] | null, preferred}`; a missing hint is the zero hint. */
export function readHint(v: unknown, what: string): TopologyHint {
  if (v === undefined || v === null) return { affinity: null, preferred: false };
  const h = obj(v, what);
  const affinity =
    h.numaNodes === null || h.numaNodes === undefined
      ? null
      : maskOf(...ids(h.numaNodes, `${what}.numaNodes`));
  return { affinity, preferred: h.preferred === true };
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Canonical JSON of a machine state: ids and resources sorted, cells as a sorted set, sizes as strings. */
export function machineStateJSON(ms: NUMANodeMap): Obj {
  const out: Obj = {};
  for (const id of [...ms.keys()].sort((a, b) => a - b)) {
    const node = ms.get(id)!;
    const memoryMap: Obj = {};
    for (const r of [...node.memoryMap.keys()].sort(byString)) {
      const t = node.memoryMap.get(r)!;
      memoryMap[r] = {
        allocatable: String(t.allocatable),
        free: String(t.free),
        reserved: String(t.reserved),
        systemReserved: String(t.systemReserved),
        totalMemSize: String(t.total),
      };
    }
    out[String(id)] = {
      memoryMap,
      cells: [...new Set(node.cells ?? [])].sort((a, b) => a - b),
      numberOfAssignments: node.numberOfAssignments,
    };
  }
  return out;
}

/** Canonical JSON of a block list, compared as a multiset. */
export function blocksJSON(blocks: readonly MemoryBlock[]): string[] {
  return blocks.map((b) => `${b.type}@[${b.numaAffinity.join(",")}]=${b.size}`).sort(byString);
}

export function assignmentsJSON(
  entries: ReadonlyMap<string, ReadonlyMap<string, readonly MemoryBlock[]>>,
): Obj {
  const out: Obj = {};
  for (const pod of [...entries.keys()].sort(byString)) {
    const containers = entries.get(pod)!;
    if (containers.size === 0) continue;
    const c: Obj = {};
    for (const name of [...containers.keys()].sort(byString)) c[name] = blocksJSON(containers.get(name)!);
    out[pod] = c;
  }
  return out;
}

export function podAssignmentsJSON(podEntries: ReadonlyMap<string, readonly MemoryBlock[]>): Obj {
  const out: Obj = {};
  for (const pod of [...podEntries.keys()].sort(byString)) out[pod] = blocksJSON(podEntries.get(pod)!);
  return out;
}

/**
 * The machine states as the kubelet's tests compare them (`areMachineStatesEqual`: free and
 * reserved summed over the expected node's group): when they agree, both sides show the expected
 * form; otherwise each side's own canonical form, so a failure prints the difference.
 */
export function machineStatesForCompare(
  expected: NUMANodeMap,
  actual: NUMANodeMap,
): { expected: Obj; actual: Obj } {
  const e = machineStateJSON(expected);
  return { expected: e, actual: machineStatesEqual(expected, actual) ? e : machineStateJSON(actual) };
}
