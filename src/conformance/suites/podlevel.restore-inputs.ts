/**
 * The inputs of a `podlevel/restore.json` case, applied as the Go test applied them: the machine
 * (`buildCoresTopology(n)` and its reservation, or the memory tests' two-node machine with its
 * reservations), the policy and gates of `config`, and the pods with how each was admitted. An
 * input the runner cannot honour is an error naming the field, never silently ignored.
 */
import { Quantity } from "../../core/index.js";
import {
  DEFAULT_FEATURE_GATES,
  type FeatureGates,
  isPodLevelResourcesSet,
  type Pod,
  podFromObject,
} from "../../k8s/index.js";
import { CPUTopology, type Machine, type NUMAMemory } from "../../machine/index.js";
import { caseName } from "../suite.js";

export type Obj = Record<string, unknown>;
const GiB = 1024n * 1024n * 1024n;

export function gatesOf(c: Obj): FeatureGates {
  return { ...DEFAULT_FEATURE_GATES, ...((c.config as Obj).gates as Partial<FeatureGates>) };
}

/**
 * The Go helpers that built these pods are not available (`podNote`): a CPU test's pod gives only
 * CPU, a memory test's only memory. Both kinds of test expect Guaranteed pods, so the missing
 * resource is filled with equal request and limit wherever the pod or a container names resources.
 */
export function completePod(raw: Obj, missing: "cpu" | "memory"): Obj {
  const fill = missing === "cpu" ? "1" : "100Mi";
  const pod = structuredClone(raw) as {
    spec: { resources?: Obj; containers: Obj[]; initContainers?: Obj[] };
  };
  const containers = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
  for (const c of containers) {
    const r = c.resources as { requests?: Obj; limits?: Obj } | undefined;
    if (!r) continue;
    r.requests = { [missing]: fill, ...(r.requests ?? {}) };
    r.limits = { [missing]: fill, ...(r.limits ?? {}) };
  }
  const podLevel = pod.spec.resources as { requests?: Obj; limits?: Obj } | undefined;
  if (podLevel) {
    const total = missing === "cpu" ? String(containers.length) : `${100 * containers.length}Mi`;
    podLevel.requests = { [missing]: total, ...(podLevel.requests ?? {}) };
    podLevel.limits = { [missing]: total, ...(podLevel.limits ?? {}) };
  }
  return pod as unknown as Obj;
}

/**
 * `buildCoresTopology(n)`: n single-thread cores on one socket and one NUMA node. The machine's
 * other fields describe that fixture; one that says otherwise cannot be honoured, so it fails.
 */
export function coresTopology(machine: Obj): CPUTopology {
  const n = machine.numCPUs;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1)
    throw new Error(`machine.numCPUs: expected a positive integer, got ${JSON.stringify(n)}`);
  const fixture = { sockets: 1, numaNodes: 1, smt: false } as const;
  for (const [key, value] of Object.entries(fixture)) {
    if (key in machine && machine[key] !== value)
      throw new Error(
        `machine.${key}: buildCoresTopology has ${key} = ${value}, got ${JSON.stringify(machine[key])}`,
      );
  }
  if (typeof machine.inline === "string" && machine.inline !== `buildCoresTopology(${n})`)
    throw new Error(
      `machine.inline: expected buildCoresTopology(${n}), got ${JSON.stringify(machine.inline)}`,
    );
  return CPUTopology.fromCPUs(
    Array.from({ length: n }, (_, id) => ({ id, core: id, socket: 0, numa: 0, uncore: 0 })),
  );
}

/** The CPUs the node-allocatable reservation takes (`{cpu: N}` in the case's prose; 1 by default). */
export function reservedCPUs(machine: Obj): number {
  const text = machine.reservation;
  if (text === undefined) return 1;
  const m = typeof text === "string" ? /\{cpu: (\d+)\}/.exec(text) : null;
  if (!m) throw new Error(`machine.reservation: expected "... {cpu: N} ...", got ${JSON.stringify(text)}`);
  return Number(m[1]);
}

export function checkPolicy(c: Obj, expected: string): void {
  const policy = (c.config as Obj).policy;
  if (policy !== undefined && policy !== expected)
    throw new Error(
      `config.policy: the restart tests run the ${expected} policy, got ${JSON.stringify(policy)}`,
    );
}

/**
 * How a pod is admitted: `admittedWith` as the Go test did it (`AllocatePod`, or
 * `Allocate(<container>, ...)`), else the manager's own rule (`AllocatePod` for a pod with
 * pod-level resources when the gate is on, `Allocate` per app container otherwise).
 */
export type Admission = { kind: "pod" } | { kind: "containers"; names: string[] };

export function admissionOf(admittedWith: unknown, pod: Pod, gates: FeatureGates, where: string): Admission {
  const app = pod.containers.map((c) => c.name);
  if (admittedWith === undefined)
    return gates.PodLevelResourceManagers && isPodLevelResourcesSet(pod)
      ? { kind: "pod" }
      : { kind: "containers", names: app };
  if (admittedWith === "AllocatePod") return { kind: "pod" };
  const m = typeof admittedWith === "string" ? /^Allocate\((.*)\)$/.exec(admittedWith) : null;
  if (!m)
    throw new Error(
      `${where}.admittedWith: expected AllocatePod or Allocate(<containers>), got ${JSON.stringify(admittedWith)}`,
    );
  const names = m[1] === "each app container" ? app : m[1].split(",").map((x) => x.trim());
  for (const n of names)
    if (!app.includes(n))
      throw new Error(`${where}.admittedWith: pod has no app container ${JSON.stringify(n)}`);
  return { kind: "containers", names };
}

export interface CasePod {
  pod: Pod;
  admittedWith: unknown;
  where: string;
}

/** `pods` (several, each maybe with `admittedWith`) or `pod`, completed with `missing`. */
export function podsOf(c: Obj, missing: "cpu" | "memory"): CasePod[] {
  const raw = (c.pods as Obj[] | undefined) ?? [c.pod as Obj];
  const where = (i: number) => (c.pods ? `pods[${i}]` : "pod");
  return raw.map(({ admittedWith, ...p }, i) => ({
    pod: podFromObject(completePod(p, missing), `${caseName(c, 0)} ${where(i)}`),
    admittedWith,
    where: where(i),
  }));
}

/**
 * The memory tests' `returnMachineInfo()` body is not in the vectors: two NUMA nodes, each with
 * room for the small pods these tests admit, reserving what the case lists.
 */
export function memoryMachine(): Machine {
  const memory = new Map<number, NUMAMemory>([
    [0, { memory: 10n * GiB, hugepages: [] }],
    [1, { memory: 10n * GiB, hugepages: [] }],
  ]);
  const topology = CPUTopology.fromCPUs([
    { id: 0, core: 0, socket: 0, numa: 0, uncore: 0 },
    { id: 1, core: 1, socket: 0, numa: 1, uncore: 0 },
  ]);
  return { name: "memory-restore", topology, memory, distances: null, devices: new Map(), notes: [] };
}

export function reservedOf(c: Obj): Map<number, Map<string, bigint>> {
  const out = new Map<number, Map<string, bigint>>();
  for (const [node, resources] of Object.entries(
    ((c.machine as Obj).reservedMemory ?? {}) as Record<string, Obj>,
  )) {
    const m = new Map<string, bigint>();
    for (const [r, v] of Object.entries(resources)) {
      m.set(r, Quantity.parse(String(v), `reservedMemory[${node}].${r}`).value());
    }
    out.set(Number(node), m);
  }
  return out;
}

/** The Memory Manager refuses to start when the reservations per NUMA node do not add up. */
export function checkNodeAllocatable(machine: Obj, reserved: Map<number, Map<string, bigint>>): void {
  const total = (machine.nodeAllocatableReservation ?? {}) as Obj;
  const sums = new Map<string, bigint>();
  for (const m of reserved.values()) for (const [r, v] of m) sums.set(r, (sums.get(r) ?? 0n) + v);
  for (const r of new Set([...Object.keys(total), ...sums.keys()])) {
    if (r !== "memory" && !r.startsWith("hugepages-")) continue;
    const want =
      r in total ? Quantity.parse(String(total[r]), `nodeAllocatableReservation.${r}`).value() : 0n;
    if (want !== (sums.get(r) ?? 0n))
      throw new Error(
        `machine.nodeAllocatableReservation.${r}: ${want} bytes, but machine.reservedMemory adds up to ${sums.get(r) ?? 0n}`,
      );
  }
}
