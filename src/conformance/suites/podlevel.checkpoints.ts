import { z } from "zod";
import { CPUSet, parseJSONExact } from "../../core/index.js";
import {
  CheckpointError,
  dataChecksum,
  type InitialContainers,
  readCPUCheckpoint,
  readMemoryCheckpoint,
} from "../../checkpoint/index.js";
import type { CPUStateData } from "../../managers/cpu/index.js";
import type { MemoryBlock, MemoryStateData } from "../../managers/memory/index.js";
import { asArray, type CaseOutcome, caseName, compare, guard, type Suite } from "../suite.js";

/**
 * `podlevel/checkpoints.json`: the kubelet's checkpoint restore tests (CPU and memory state
 * packages), run through the real readers as a 1.37 kubelet reads them. "restore" is read +
 * verify + migrate + restore, including the policy-name check the state layer does.
 */
const int = z.union([z.number(), z.bigint()]);
const block = z.object({ numaAffinity: z.array(z.number()).nullable(), type: z.string(), size: int });
const cpuState = z.object({
  defaultCpuSet: z.string(),
  entries: z.record(z.string(), z.record(z.string(), z.string())),
  podEntries: z.record(z.string(), z.object({ cpuSet: z.string() })),
});
const table = z
  .object({
    total: int.optional(),
    totalMemSize: int.optional(),
    systemReserved: int,
    allocatable: int,
    reserved: int,
    free: int,
  })
  .refine(
    (t) => t.total !== undefined || t.totalMemSize !== undefined,
    "a memory table needs total or totalMemSize",
  );
const memoryState = z.object({
  machineState: z.record(
    z.string(),
    z.object({
      numberOfAssignments: z.number(),
      memoryMap: z.record(z.string(), table),
      cells: z.array(z.number()).nullable(),
    }),
  ),
  entries: z.record(z.string(), z.record(z.string(), z.array(block))),
  podEntries: z.record(z.string(), z.object({ memoryBlocks: z.array(block) })),
});
const caseSchema = z.object({
  name: z.string(),
  manager: z.enum(["cpu", "memory"]),
  op: z.literal("restoreCheckpoint"),
  gates: z.union([
    z.string().startsWith("any"),
    z.object({ PodLevelResourceManagers: z.boolean().optional() }),
  ]),
  policyName: z.string(),
  checkpointContent: z.string(),
  initialContainers: z.record(z.string(), z.record(z.string(), z.string())).optional(),
  expected: z.object({ errorContains: z.array(z.string()).nullable(), state: z.unknown() }),
  checksumCheck: z.record(z.string(), z.unknown()).optional(),
});
type Case = z.infer<typeof caseSchema>;

function setText(s: string): string {
  return CPUSet.parse(s).toString();
}

function cpuView(s: CPUStateData) {
  const entries: Record<string, Record<string, string>> = {};
  for (const [pod, cs] of s.entries)
    entries[pod] = Object.fromEntries([...cs].map(([n, set]) => [n, set.toString()]));
  const podEntries: Record<string, { cpuSet: string }> = {};
  for (const [pod, set] of s.podEntries) podEntries[pod] = { cpuSet: set.toString() };
  return { defaultCpuSet: s.defaultCpuSet.toString(), entries, podEntries };
}

function expectedCPUView(raw: unknown) {
  const s = cpuState.parse(raw);
  const entries: Record<string, Record<string, string>> = {};
  for (const [pod, cs] of Object.entries(s.entries))
    entries[pod] = Object.fromEntries(Object.entries(cs).map(([n, t]) => [n, setText(t)]));
  const podEntries: Record<string, { cpuSet: string }> = {};
  for (const [pod, e] of Object.entries(s.podEntries)) podEntries[pod] = { cpuSet: setText(e.cpuSet) };
  return { defaultCpuSet: setText(s.defaultCpuSet), entries, podEntries };
}

const blockView = (b: MemoryBlock) => ({ numaAffinity: b.numaAffinity, type: b.type, size: BigInt(b.size) });

function memoryView(s: MemoryStateData) {
  const machineState: Record<string, unknown> = {};
  for (const [id, node] of s.machineState) {
    const memoryMap: Record<string, unknown> = {};
    for (const [r, t] of node.memoryMap) memoryMap[r] = { ...t };
    // The Go test does not tell a nil cells list from an empty one; neither does this view.
    machineState[String(id)] = {
      numberOfAssignments: node.numberOfAssignments,
      memoryMap,
      cells: node.cells ?? [],
    };
  }
  const entries: Record<string, Record<string, unknown>> = {};
  for (const [pod, cs] of s.entries)
    entries[pod] = Object.fromEntries([...cs].map(([n, bs]) => [n, bs.map(blockView)]));
  const podEntries: Record<string, unknown> = {};
  for (const [pod, bs] of s.podEntries) podEntries[pod] = { memoryBlocks: bs.map(blockView) };
  return { machineState, entries, podEntries };
}

function expectedMemoryView(raw: unknown) {
  const s = memoryState.parse(raw);
  const toBlock = (b: z.infer<typeof block>) => ({
    numaAffinity: b.numaAffinity ?? [],
    type: b.type,
    size: BigInt(b.size),
  });
  const machineState: Record<string, unknown> = {};
  for (const [id, node] of Object.entries(s.machineState)) {
    const memoryMap: Record<string, unknown> = {};
    for (const [r, t] of Object.entries(node.memoryMap)) {
      memoryMap[r] = {
        total: BigInt((t.total ?? t.totalMemSize)!),
        systemReserved: BigInt(t.systemReserved),
        allocatable: BigInt(t.allocatable),
        reserved: BigInt(t.reserved),
        free: BigInt(t.free),
      };
    }
    machineState[id] = { numberOfAssignments: node.numberOfAssignments, memoryMap, cells: node.cells ?? [] };
  }
  const entries: Record<string, Record<string, unknown>> = {};
  for (const [pod, cs] of Object.entries(s.entries))
    entries[pod] = Object.fromEntries(Object.entries(cs).map(([n, bs]) => [n, bs.map(toBlock)]));
  const podEntries: Record<string, unknown> = {};
  for (const [pod, e] of Object.entries(s.podEntries))
    podEntries[pod] = { memoryBlocks: e.memoryBlocks.map(toBlock) };
  return { machineState, entries, podEntries };
}

function initialContainers(c: Case): InitialContainers {
  const m = new Map<string, { podUID: string; containerName: string }>();
  for (const [podUID, containers] of Object.entries(c.initialContainers ?? {}))
    for (const [containerName, id] of Object.entries(containers)) m.set(id, { podUID, containerName });
  return m;
}

/** Runs the restore under one value of the gate; the outcome's `actual` says what happened. */
function runOnce(c: Case, gateOn: boolean): CaseOutcome {
  const opts = {
    version: "1.37" as const,
    gates: { PodLevelResourceManagers: gateOn },
    configuredPolicy: c.policyName,
  };
  const text = c.checkpointContent === "" ? null : c.checkpointContent;
  const label = `${c.name} [PodLevelResourceManagers=${gateOn}]`;
  let actual: unknown;
  let message: string | null = null;
  try {
    actual =
      c.manager === "cpu"
        ? cpuView(readCPUCheckpoint(text, { ...opts, initialContainers: initialContainers(c) }).state)
        : memoryView(readMemoryCheckpoint(text, opts).state);
  } catch (err) {
    if (!(err instanceof CheckpointError)) throw err;
    message = err.message;
  }
  const wanted = c.expected.errorContains;
  if (wanted !== null) {
    const ok = message !== null && wanted.every((w) => message!.includes(w));
    return ok
      ? { name: label, passed: true }
      : { name: label, passed: false, expected: { errorContains: wanted }, actual: message ?? actual };
  }
  if (message !== null)
    return { name: label, passed: false, expected: c.expected.state, actual: { error: message } };
  const expected =
    c.manager === "cpu" ? expectedCPUView(c.expected.state) : expectedMemoryView(c.expected.state);
  return compare(label, expected, actual);
}

/** The case's own cross-check of the data checksum (FNV-1a over "(string)" + data). */
function checksumOutcome(c: Case): CaseOutcome | null {
  const check = c.checksumCheck;
  if (!check) return null;
  const stored = check["fnv1a32('(string)'+data)"];
  const content = parseJSONExact(c.checkpointContent, c.name) as Record<string, unknown>;
  if (typeof content.data !== "string") return null;
  return compare(`${c.name} [data checksum]`, Number(stored), dataChecksum(content.data));
}

function runCase(raw: unknown, index: number): CaseOutcome {
  const parsed = caseSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `case ${JSON.stringify(caseName(raw, index))}: ${issue.path.join(".")}: ${issue.message}`,
    );
  }
  const c = parsed.data;
  return guard(c.name, () => {
    const gateValues =
      typeof c.gates === "string" ? [false, true] : [c.gates.PodLevelResourceManagers ?? false];
    const outcomes = gateValues.map((g) => runOnce(c, g));
    const check = checksumOutcome(c);
    if (check) outcomes.push(check);
    const failed = outcomes.find((o) => !o.passed);
    return failed
      ? { ...failed, name: c.name, actual: { case: failed.name, actual: failed.actual } }
      : { name: c.name, passed: true };
  });
}

export const suite: Suite = {
  file: "podlevel/checkpoints.json",
  run(data) {
    return asArray(data, this.file).map(runCase);
  },
  runText(text) {
    return asArray(parseJSONExact(text, this.file), this.file).map(runCase);
  },
};
