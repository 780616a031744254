/**
 * Fuzz targets for every checkpoint reader (issue 12): CPU V1–V4, memory V1–V3, device V1/V2.
 * Each target reads its input as each kubelet podpin models would (1.36 and 1.37, gate on and
 * off) and must end in a state, a typed `CheckpointError` (the kubelet's refusal, or one of
 * podpin's input limits), never another exception. `npm test` runs 1,000 inputs per target
 * (`fuzz.test.ts`); `npm run fuzz` runs the same targets at 100,000.
 *
 * Inputs are valid files (written by podpin's kubelet-exact writers from random states) with
 * structure-aware mutations (a value replaced by a hostile one: huge CPU ranges, out-of-range
 * numbers, wrong JSON kinds, long strings, deep nesting; members dropped or repeated; checksums
 * recomputed or zeroed so that mutated content reaches restore), byte-level mutations of such
 * files, and random bytes.
 */
import fc from "fast-check";
import { CPUSet } from "../core/index.js";
import type { CPUStateData } from "../managers/cpu/index.js";
import type { MemoryBlock, MemoryStateData, NUMANodeState } from "../managers/memory/index.js";
import { structChecksum } from "./checksum.js";
import { encodeCPUCheckpoint, readCPUCheckpoint } from "./cpu.js";
import { type DeviceCheckpointData, encodeDeviceCheckpoint } from "./device.js";
import { readDeviceCheckpoint } from "./device-read.js";
import { CheckpointError } from "./errors.js";
import { fnv1a32 } from "./fnv.js";
import { CPU_V1, HISTORICAL_CPU_NAME } from "./kubelet-types.js";
import { encodeMemoryCheckpoint, readMemoryCheckpoint } from "./memory.js";

export interface CheckpointFuzzTarget {
  name: string;
  /** Reads `input` as every modelled kubelet does; throws only on a bug (not a `CheckpointError`). */
  run(input: string | Uint8Array): void;
  arbitrary: fc.Arbitrary<string | Uint8Array>;
}

const SETTINGS = [
  { version: "1.36", gates: { PodLevelResourceManagers: false } },
  { version: "1.36", gates: { PodLevelResourceManagers: true } },
  { version: "1.37", gates: { PodLevelResourceManagers: false } },
  { version: "1.37", gates: { PodLevelResourceManagers: true } },
] as const;

const asText = (input: string | Uint8Array) =>
  typeof input === "string" ? input : Buffer.from(input).toString("utf8");

/** The time one kubelet read of one input may take (issue 12: ≤ 1 s per input and reader). */
export const READ_BUDGET_MS = 1000;

/** An input one read of which took longer than `READ_BUDGET_MS`: a bug, like an untyped error. */
export class SlowCheckpointReadError extends Error {
  override name = "SlowCheckpointReadError";
}

/**
 * Runs one kubelet read; a `CheckpointError` is a verdict, anything else is a bug and is
 * rethrown, and so is a read slower than `READ_BUDGET_MS`.
 */
function verdict(what: string, fn: () => unknown): void {
  const start = performance.now();
  try {
    fn();
  } catch (err) {
    if (!(err instanceof CheckpointError)) throw err;
  }
  const ms = performance.now() - start;
  if (ms > READ_BUDGET_MS)
    throw new SlowCheckpointReadError(
      `${what}: one read took ${ms.toFixed(0)} ms (budget ${READ_BUDGET_MS} ms)`,
    );
}

export function runCPU(input: string | Uint8Array): void {
  const text = asText(input);
  for (const s of SETTINGS) {
    for (const configuredPolicy of ["static", "none"]) {
      verdict(`cpu ${s.version} gate ${s.gates.PodLevelResourceManagers} ${configuredPolicy}`, () =>
        readCPUCheckpoint(text, {
          ...s,
          configuredPolicy,
          ignoreChecksums: configuredPolicy === "none",
          initialContainers: new Map([["c0", { podUID: "p", containerName: "c" }]]),
        }),
      );
    }
  }
}

export function runMemory(input: string | Uint8Array): void {
  const text = asText(input);
  for (const s of SETTINGS) {
    for (const ignoreChecksums of [false, true]) {
      verdict(`memory ${s.version} gate ${s.gates.PodLevelResourceManagers}`, () =>
        readMemoryCheckpoint(text, { ...s, configuredPolicy: "Static", ignoreChecksums }),
      );
    }
  }
}

export function runDevice(input: string | Uint8Array): void {
  for (const generation of ["current", "v1Fallback"] as const) {
    for (const ignoreChecksums of [false, true]) {
      verdict(`device ${generation}`, () => {
        const r = readDeviceCheckpoint(input, { generation, ignoreChecksums });
        if (r.error !== null && !(r.error instanceof CheckpointError)) throw r.error;
      });
    }
  }
}

// ---- valid files ----

const name = fc.oneof(
  fc.stringMatching(/^[a-z0-9-]{1,12}$/),
  fc.string({ minLength: 1, maxLength: 6, unit: "grapheme" }),
  fc.constantFrom("<pod>", 'a"b', "10", "2"),
);
const mapOf = <K, V>(k: fc.Arbitrary<K>, v: fc.Arbitrary<V>, maxLength = 3) =>
  fc.uniqueArray(fc.tuple(k, v), { selector: (t) => t[0], maxLength }).map((a) => new Map(a));
const cpuSet = fc
  .array(
    fc
      .tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 8 }))
      .map(([a, n]) => [a, a + n] as [number, number]),
    { maxLength: 4 },
  )
  .map((rs) => CPUSet.fromRanges(rs));
const cpuState: fc.Arbitrary<CPUStateData> = fc.record({
  policyName: fc.constantFrom("static", "static", "none"),
  defaultCpuSet: cpuSet,
  entries: mapOf(name, mapOf(name, cpuSet)),
  podEntries: mapOf(name, cpuSet),
});
const u64 = fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.bigInt({ min: 0n, max: 1n << 40n }));
const resource = fc.constantFrom("memory", "hugepages-2Mi", "hugepages-1Gi");
const numa = fc.integer({ min: 0, max: 7 });
const block: fc.Arbitrary<MemoryBlock> = fc.record({
  numaAffinity: fc.uniqueArray(numa, { maxLength: 3 }),
  type: resource,
  size: u64,
});
const numaNode: fc.Arbitrary<NUMANodeState> = fc.record({
  numberOfAssignments: fc.integer({ min: 0, max: 100 }),
  memoryMap: mapOf(
    resource,
    fc.record({ total: u64, systemReserved: u64, allocatable: u64, reserved: u64, free: u64 }),
  ),
  cells: fc.option(fc.uniqueArray(numa, { maxLength: 3 }), { nil: null }),
});
const memoryState: fc.Arbitrary<MemoryStateData> = fc.record({
  policyName: fc.constantFrom("Static", "Static", "None"),
  machineState: mapOf(numa, numaNode),
  entries: mapOf(name, mapOf(name, fc.array(block, { maxLength: 2 }))),
  podEntries: mapOf(name, fc.array(block, { maxLength: 2 })),
});
const ids = fc.array(name, { maxLength: 3 });
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null, freq: 6 });
const deviceCommon = {
  podUID: name,
  containerName: name,
  resourceName: name,
  allocResp: maybe(fc.uint8Array({ maxLength: 12 })),
};
const registered = maybe(mapOf(name, maybe(ids)));
const deviceV2: fc.Arbitrary<DeviceCheckpointData> = fc.record({
  layout: fc.constant("V2" as const),
  podDeviceEntries: maybe(
    fc.array(
      fc.record({ ...deviceCommon, deviceIDs: maybe(mapOf(fc.integer({ min: -1, max: 12 }), maybe(ids))) }),
      { maxLength: 3 },
    ),
  ),
  registeredDevices: registered,
});
const deviceV1: fc.Arbitrary<DeviceCheckpointData> = fc.record({
  layout: fc.constant("V1" as const),
  podDeviceEntries: maybe(fc.array(fc.record({ ...deviceCommon, deviceIDs: maybe(ids) }), { maxLength: 3 })),
  registeredDevices: registered,
});

/** A CPU V1 file (entries keyed by container ID), as a pre-1.12 kubelet wrote it. */
function encodeCPUV1(s: CPUStateData): string {
  const entries = new Map<string, string>();
  let n = 0;
  for (const ctrs of s.entries.values())
    for (const set of ctrs.values()) entries.set(`c${n++}`, set.toString());
  const cp = {
    PolicyName: s.policyName,
    DefaultCPUSet: s.defaultCpuSet.toString(),
    Entries: new Map<string | bigint, string>(entries),
    Checksum: 0n,
  };
  const sum = structChecksum(cp, CPU_V1, { from: "CPUManagerCheckpointV1", to: HISTORICAL_CPU_NAME });
  const obj: Record<string, unknown> = { policyName: cp.PolicyName, defaultCpuSet: cp.DefaultCPUSet };
  if (entries.size > 0) obj.entries = Object.fromEntries(entries);
  return `${JSON.stringify(obj).slice(0, -1)},"checksum":${sum}}`;
}

const cpuFile = fc.oneof(
  cpuState.map(encodeCPUV1),
  fc
    .tuple(cpuState, fc.constantFrom("v2", "v3", "v4") as fc.Arbitrary<"v2" | "v3" | "v4">)
    .map(([s, f]) => encodeCPUCheckpoint(s, f)),
);
const memoryFile = fc
  .tuple(memoryState, fc.constantFrom("v1", "v2", "v3") as fc.Arbitrary<"v1" | "v2" | "v3">)
  .map(([s, f]) => encodeMemoryCheckpoint(s, f));
const deviceFile = fc.oneof(deviceV2, deviceV1).map(encodeDeviceCheckpoint);

// ---- mutations ----

/** Values a hostile or damaged file puts where a checkpoint has another. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    "",
    "-1",
    "1-4194304",
    "0-4194303",
    "4194305",
    "0-4194304,0-4194304,0-4194304,0-4194304",
    "1.3",
    "+3",
    "007",
    "3-1",
    "1-",
    ",",
    "0-1,,2",
    "x".repeat(3000),
    "\u0000",
    "\ud800",
    "static",
    "Static",
    "none",
    "CgYKAUESATE=",
    "@@@",
    "memory",
    null,
    true,
    [],
    {},
    0,
    -1,
    1e300,
    2 ** 53 + 1,
    4294967296,
  ),
  fc.integer(),
  fc.string({ maxLength: 8 }),
  fc.jsonValue({ maxDepth: 3 }),
);

type JSONish = unknown;
type Op = [number, number, unknown];

/** Every container (object or array) with the keys/indices it holds, depth first. */
function containers(v: JSONish, out: Array<Record<string, unknown> | unknown[]> = []) {
  if (v !== null && typeof v === "object") {
    out.push(v as Record<string, unknown> | unknown[]);
    for (const x of Object.values(v)) containers(x, out);
  }
  return out;
}

function mutate(root: JSONish, ops: Op[]): JSONish {
  for (const [at, kind, shared] of ops) {
    // A fresh copy: the hostile constants are shared between inputs and must never alias.
    const value: unknown = shared === undefined ? null : JSON.parse(JSON.stringify(shared));
    const all = containers(root);
    if (all.length === 0) return value;
    const c = all[at % all.length];
    const keys = Object.keys(c);
    if (Array.isArray(c)) {
      const i = keys.length === 0 ? 0 : at % keys.length;
      if (kind % 3 === 0) c.splice(i, 1);
      else if (kind % 3 === 1) c.splice(i, 0, value);
      else c[i] = value;
      continue;
    }
    const k = keys.length === 0 ? "x" : keys[at % keys.length];
    if (kind % 4 === 0) delete c[k];
    else if (kind % 4 === 1) c[`${k}${kind % 2 === 0 ? "" : "0"}`] = value;
    else c[k] = value;
  }
  return root;
}

/** Re-serialises `file` with the mutations applied, inside `data` too, and fixes its checksums. */
function structural(file: string, ops: Op[], fixChecksum: number): string {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(file) as Record<string, unknown>;
  } catch {
    return file;
  }
  const inData = typeof doc.data === "string" && fixChecksum % 2 === 0;
  if (inData) {
    const data = mutate(JSON.parse(doc.data as string), ops);
    doc.data = JSON.stringify(data);
    doc.dataChecksum = fnv1a32(`(string)${doc.data}`);
  } else {
    doc = mutate(doc, ops) as Record<string, unknown>;
    if (doc !== null && typeof doc === "object" && !Array.isArray(doc) && fixChecksum % 3 === 0) {
      if ("checksum" in doc) doc.checksum = 0;
    }
  }
  return JSON.stringify(doc);
}

/** Byte-level damage: a character replaced, dropped or repeated at a few positions. */
function bytewise(file: string, edits: Array<[number, number, string]>): string {
  let s = file;
  for (const [at, kind, ch] of edits) {
    if (s.length === 0) return ch;
    const i = at % s.length;
    if (kind % 3 === 0) s = s.slice(0, i) + s.slice(i + 1);
    else if (kind % 3 === 1) s = s.slice(0, i) + ch + s.slice(i);
    else s = s.slice(0, i) + s.slice(i, i + 1 + (at % 16)).repeat(2) + s.slice(i + 1 + (at % 16));
  }
  return s;
}

function mutations(valid: fc.Arbitrary<string>): fc.Arbitrary<string | Uint8Array> {
  const op = fc.tuple(fc.nat(), fc.nat(), hostileValue) as fc.Arbitrary<Op>;
  return fc.oneof(
    { arbitrary: valid, weight: 1 },
    {
      arbitrary: fc
        .tuple(valid, fc.array(op, { minLength: 1, maxLength: 3 }), fc.nat())
        .map(([f, ops, fix]) => structural(f, ops, fix)),
      weight: 5,
    },
    {
      arbitrary: fc
        .tuple(valid, fc.array(fc.tuple(fc.nat(), fc.nat(), fc.string({ maxLength: 2 })), { maxLength: 4 }))
        .map(([f, edits]) => bytewise(f, edits)),
      weight: 2,
    },
    { arbitrary: fc.uint8Array({ maxLength: 64 }), weight: 1 },
    { arbitrary: fc.string({ maxLength: 64 }), weight: 1 },
  );
}

export const checkpointFuzzTargets: CheckpointFuzzTarget[] = [
  { name: "checkpoint: cpu_manager_state (V1-V4)", run: runCPU, arbitrary: mutations(cpuFile) },
  { name: "checkpoint: memory_manager_state (V1-V3)", run: runMemory, arbitrary: mutations(memoryFile) },
  {
    name: "checkpoint: device-plugins/kubelet_internal_checkpoint (V1, V2)",
    run: runDevice,
    arbitrary: mutations(deviceFile),
  },
];
