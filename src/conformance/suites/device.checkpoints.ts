import { z } from "zod";
import {
  type ContainerAllocateResponse,
  type DeviceCheckpointData,
  type DeviceReaderGeneration,
  type DeviceRestoreVerdict,
  canonicalDeviceCheckpoint,
  decodeDeviceCheckpoint,
  deviceCheckpointChecksum,
  deviceCheckpointHashInput,
  encodeDeviceCheckpoint,
  restoreDeviceCheckpoint,
  writeDeviceCheckpoint,
} from "../../checkpoint/index.js";
import type { DeviceStateData } from "../../managers/device/index.js";
import { type CaseOutcome, caseName, compare, guard, type Suite } from "../suite.js";

/**
 * `device/checkpoints.json`: `kubelet_internal_checkpoint` files (checkpoints.md §9). A positive
 * is a state written by the kubelet's serialiser: encoding it in the given order must give the
 * file byte for byte, with the same checksum and hashed text; decoding the file must give the
 * state back and verify; a state in canonical order must come out of podpin's writer; and both
 * reader generations must restore it as the kubelet did. A negative is a damaged or unusual file
 * with both generations' verdicts.
 */
const ids = z.array(z.string());
const entrySchema = z.object({
  podUID: z.string(),
  containerName: z.string(),
  resourceName: z.string(),
  deviceIDs: z.union([ids, z.record(z.string(), ids.nullable())]).nullable(),
  allocResp: z.string().nullable(),
  allocRespDecoded: z.unknown().optional(),
});
const stateSchema = z.object({
  podDeviceEntries: z.array(entrySchema).nullable(),
  registeredDevices: z.record(z.string(), ids.nullable()).nullable(),
});
const verdictSchema = z.object({
  error: z.string().nullable(),
  loadedAs: z.enum(["V2", "V1", "absent"]).nullable(),
  state: z.unknown(),
  note: z.string().optional(),
});
const restoreSchema = z.object({ current: verdictSchema, v1Fallback: verdictSchema });
const positiveSchema = z.object({
  name: z.string(),
  version: z.enum(["V2", "V1"]),
  order: z.enum(["sorted", "kubelet"]),
  state: stateSchema,
  file: z.string(),
  checksum: z.number(),
  hashInput: z.string(),
  restore: restoreSchema,
});
const negativeSchema = z.object({
  name: z.string(),
  file: z.string().nullable(),
  expectedError: z.string().nullable(),
  restoredState: z.unknown(),
  restore: restoreSchema,
});
const fileSchema = z.object({ positive: z.array(z.unknown()), negative: z.array(z.unknown()) });

type State = z.infer<typeof stateSchema>;
type Verdict = z.infer<typeof verdictSchema>;

const bytesOf = (b64: string | null) => (b64 === null ? null : new Uint8Array(Buffer.from(b64, "base64")));
const b64Of = (b: Uint8Array | null) => (b === null ? null : Buffer.from(b).toString("base64"));
const obj = <V>(m: ReadonlyMap<string | number, V> | null) =>
  m === null ? null : Object.fromEntries([...m].map(([k, v]) => [String(k), v]));

/** The case's `state` as checkpoint data, in its own order. */
function dataOf(s: State, layout: "V2" | "V1"): DeviceCheckpointData {
  const registeredDevices =
    s.registeredDevices === null ? null : new Map(Object.entries(s.registeredDevices));
  const common = (e: z.infer<typeof entrySchema>) => ({
    podUID: e.podUID,
    containerName: e.containerName,
    resourceName: e.resourceName,
    allocResp: bytesOf(e.allocResp),
  });
  if (layout === "V1") {
    const entries =
      s.podDeviceEntries?.map((e) => {
        if (e.deviceIDs !== null && !Array.isArray(e.deviceIDs)) throw new Error("a V1 entry has a NUMA map");
        return { ...common(e), deviceIDs: e.deviceIDs };
      }) ?? null;
    return { layout, podDeviceEntries: entries, registeredDevices };
  }
  const entries =
    s.podDeviceEntries?.map((e) => {
      if (Array.isArray(e.deviceIDs)) throw new Error("a V2 entry has a plain device list");
      const deviceIDs =
        e.deviceIDs === null
          ? null
          : new Map(Object.entries(e.deviceIDs).map(([k, v]) => [Number(k), v] as const));
      return { ...common(e), deviceIDs };
    }) ?? null;
  return { layout, podDeviceEntries: entries, registeredDevices };
}

/** Checkpoint data as the case's `state` writes it. */
function stateView(d: DeviceCheckpointData): State {
  const entries =
    d.podDeviceEntries?.map((e) => ({
      podUID: e.podUID,
      containerName: e.containerName,
      resourceName: e.resourceName,
      deviceIDs: e.deviceIDs === null || Array.isArray(e.deviceIDs) ? e.deviceIDs : obj(e.deviceIDs),
      allocResp: b64Of(e.allocResp),
    })) ?? null;
  return { podDeviceEntries: entries, registeredDevices: obj(d.registeredDevices) };
}

function withoutDecoded(s: State): State {
  return {
    podDeviceEntries: s.podDeviceEntries?.map(({ allocRespDecoded: _, ...e }) => e) ?? null,
    registeredDevices: s.registeredDevices,
  };
}

/** The same state as a Device Manager holds it, when it can (no nulls, no duplicate entries). */
function deviceStateOf(s: State): { state: DeviceStateData; healthy: Map<string, string[]> } | null {
  if (s.registeredDevices === null) return null;
  const podDevices: DeviceStateData["podDevices"] = new Map();
  for (const e of s.podDeviceEntries ?? []) {
    if (e.deviceIDs === null || Array.isArray(e.deviceIDs) || e.allocResp === null) return null;
    const lists = Object.entries(e.deviceIDs);
    if (lists.some(([, v]) => v === null)) return null;
    const containers = podDevices.get(e.podUID) ?? new Map();
    podDevices.set(e.podUID, containers);
    const resources = containers.get(e.containerName) ?? new Map();
    containers.set(e.containerName, resources);
    if (resources.has(e.resourceName)) return null;
    resources.set(e.resourceName, {
      deviceIDs: new Map(lists.map(([k, v]) => [Number(k), v ?? []] as const)),
      allocResp: bytesOf(e.allocResp),
    });
  }
  const healthy = new Map(Object.entries(s.registeredDevices).map(([k, v]) => [k, v ?? []] as const));
  return { state: { podDevices, registeredResources: [...healthy.keys()] }, healthy };
}

function responseView(r: ContainerAllocateResponse) {
  return {
    envs: Object.fromEntries(r.envs),
    mounts: r.mounts.map((m) => ({
      containerPath: m.containerPath,
      hostPath: m.hostPath,
      readOnly: m.readOnly,
    })),
    devices: r.devices.map((d) => ({
      containerPath: d.containerPath,
      hostPath: d.hostPath,
      permissions: d.permissions,
    })),
    annotations: Object.fromEntries(r.annotations),
    cdiDevices: [...r.cdiDevices],
  };
}

function verdictView(v: DeviceRestoreVerdict, full: boolean) {
  const r = v.restored;
  const state =
    r === null
      ? null
      : {
          podDevices: r.entries.map((e) => ({
            podUID: e.podUID,
            containerName: e.containerName,
            resourceName: e.resourceName,
            deviceIDs: obj(e.deviceIDs),
            allocResp: responseView(e.response),
          })),
          allocatedDevices: obj(r.allocatedDevices),
          registeredResources: [...r.state.registeredResources],
          skippedEntries: r.skippedEntries.map((s) => ({
            podUID: s.podUID,
            containerName: s.containerName,
            resourceName: s.resourceName,
            reason: s.reason,
          })),
        };
  return full ? { error: v.error, loadedAs: v.loadedAs, state } : { error: v.error, loadedAs: v.loadedAs };
}

/**
 * One generation's verdict. A verdict with a `note` is one the case's oracle could not determine
 * (how gogo-protobuf-era kubelets treat invalid UTF-8): only its file-level part is compared.
 */
function restoreCheck(
  file: string | null,
  gen: DeviceReaderGeneration,
  want: Verdict,
): [string, unknown, unknown] {
  const full = want.note === undefined;
  const expected = full
    ? { error: want.error, loadedAs: want.loadedAs, state: want.state }
    : { error: want.error, loadedAs: want.loadedAs };
  return [`restore ${gen}`, expected, verdictView(restoreDeviceCheckpoint(file, gen), full)];
}

function firstFailure(name: string, checks: Array<[string, unknown, unknown]>): CaseOutcome {
  for (const [label, expected, actual] of checks) {
    const o = compare(name, expected, actual);
    if (!o.passed) return { ...o, expected: { [label]: expected }, actual: { [label]: actual } };
  }
  return { name, passed: true };
}

function parseOrThrow<T>(schema: z.ZodType<T>, raw: unknown, index: number, kind: string): T {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new Error(
    `${kind} ${JSON.stringify(caseName(raw, index))}: ${issue.path.join(".")}: ${issue.message}`,
  );
}

function runPositive(raw: unknown, index: number): CaseOutcome {
  const c = parseOrThrow(positiveSchema, raw, index, "positive");
  return guard(c.name, () => {
    const data = dataOf(c.state, c.version);
    const checks: Array<[string, unknown, unknown]> = [
      ["file", c.file, encodeDeviceCheckpoint(data)],
      ["hashInput", c.hashInput, deviceCheckpointHashInput(data)],
      ["checksum", c.checksum, deviceCheckpointChecksum(data)],
    ];
    const decoded = decodeDeviceCheckpoint(c.file, c.version);
    checks.push([
      "decode",
      { error: null, state: withoutDecoded(c.state) },
      decoded.ok ? { error: null, state: stateView(decoded.data) } : { error: decoded.error },
    ]);
    if (c.order === "sorted") {
      checks.push(["canonical order", c.file, encodeDeviceCheckpoint(canonicalDeviceCheckpoint(data))]);
      const held = c.version === "V2" ? deviceStateOf(c.state) : null;
      if (held) checks.push(["podpin's writer", c.file, writeDeviceCheckpoint(held.state, held.healthy)]);
    }
    checks.push(restoreCheck(c.file, "current", c.restore.current));
    checks.push(restoreCheck(c.file, "v1Fallback", c.restore.v1Fallback));
    return firstFailure(c.name, checks);
  });
}

function runNegative(raw: unknown, index: number): CaseOutcome {
  const c = parseOrThrow(negativeSchema, raw, index, "negative");
  return guard(c.name, () =>
    firstFailure(c.name, [
      [
        "expectedError/restoredState",
        { error: c.expectedError, state: c.restoredState },
        (({ error, state }) => ({ error, state }))(
          verdictView(restoreDeviceCheckpoint(c.file, "current"), true) as { error: unknown; state: unknown },
        ),
      ],
      restoreCheck(c.file, "current", c.restore.current),
      restoreCheck(c.file, "v1Fallback", c.restore.v1Fallback),
    ]),
  );
}

export const suite: Suite = {
  file: "device/checkpoints.json",
  run(data) {
    const f = fileSchema.parse(data);
    return [...f.positive.map(runPositive), ...f.negative.map(runNegative)];
  },
};
