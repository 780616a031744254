/**
 * The Device Manager's checkpoint file, `device-plugins/kubelet_internal_checkpoint`
 * (checkpoints.md §9): the file's data in file order, encoding byte for byte as the kubelet's
 * serialiser writes it (current layout, and the ≤1.19 V1 layout), the checksum (FNV-1a-32 over
 * the go-spew dump of the inner data), decoding with Go's `encoding/json` rules and error texts,
 * and podpin's canonical writer.
 *
 * NUMA node ids are Go `int64` in the file and numbers here: ids beyond ±2^53 (never seen on a
 * machine) would be rounded in the decoded data, but checksums are verified on the exact values.
 */
import type { DeviceStateData } from "../managers/device/index.js";
import { CORRUPTED } from "./errors.js";
import { fnv1a32 } from "./fnv.js";
import { encodeGo, unmarshalInto } from "./gojson.js";
import { GoJSONSyntaxError, type JSONNode, parseGoJSON } from "./gojson-parse.js";
import { compareGoStrings } from "./gostring.js";
import type { GoMap, GoStruct, GoValue } from "./gotype.js";
import { goText } from "./goutf8.js";
import type { ParsedText } from "./settings.js";
import { spewForHash } from "./spew.js";
import {
  DEVICE_DATA_V1,
  DEVICE_DATA_V2,
  DEVICE_FILE_V1,
  DEVICE_FILE_V2,
  V1_RENAMES,
  newDeviceFile,
} from "./device-types.js";

/** `V2`: the format of 1.20 and later (no version field in the file); `V1`: kubelets ≤ 1.19. */
export type DeviceCheckpointLayout = "V2" | "V1";

/** One entry's devices per NUMA node as the file holds them (`-1`: no NUMA information). */
export type CheckpointDevicesPerNUMA = Map<number, string[] | null>;

interface EntryCommon {
  podUID: string;
  containerName: string;
  resourceName: string;
  /** The plugin's `ContainerAllocateResponse` bytes; null for JSON `null` (or a missing key). */
  allocResp: Uint8Array | null;
}

export interface DeviceCheckpointEntryV2 extends EntryCommon {
  /** null for JSON `null` or a missing key. */
  deviceIDs: CheckpointDevicesPerNUMA | null;
}

export interface DeviceCheckpointEntryV1 extends EntryCommon {
  deviceIDs: string[] | null;
}

/** `RegisteredDevices`: resource -> healthy device ids (the kubelet does not use the ids on restore). */
export type RegisteredDevices = Map<string, string[] | null>;

/** The file's `Data`, every list in file order; `null` stands for JSON `null` (Go's nil). */
export type DeviceCheckpointData =
  | {
      layout: "V2";
      podDeviceEntries: DeviceCheckpointEntryV2[] | null;
      registeredDevices: RegisteredDevices | null;
    }
  | {
      layout: "V1";
      podDeviceEntries: DeviceCheckpointEntryV1[] | null;
      registeredDevices: RegisteredDevices | null;
    };

// ---- to and from the Go value model ----

function numaKey(id: number): bigint {
  if (!Number.isInteger(id)) throw new RangeError(`NUMA node id ${id} is not an integer`);
  return BigInt(id);
}

function toGoData(data: DeviceCheckpointData): GoStruct {
  const list = (ids: string[] | null): GoValue => (ids === null ? null : [...ids]);
  const entries =
    data.podDeviceEntries === null
      ? null
      : data.podDeviceEntries.map((e): GoStruct => {
          let deviceIDs: GoValue;
          if (e.deviceIDs === null) deviceIDs = null;
          else if (Array.isArray(e.deviceIDs)) deviceIDs = [...e.deviceIDs];
          else deviceIDs = new Map([...e.deviceIDs].map(([k, v]) => [numaKey(k), list(v)]));
          return {
            PodUID: e.podUID,
            ContainerName: e.containerName,
            ResourceName: e.resourceName,
            DeviceIDs: deviceIDs,
            AllocResp: e.allocResp,
          };
        });
  const registered =
    data.registeredDevices === null
      ? null
      : (new Map([...data.registeredDevices].map(([k, v]) => [k, list(v)])) as GoMap);
  return { PodDeviceEntries: entries, RegisteredDevices: registered };
}

function fromGoData(v: GoStruct, layout: DeviceCheckpointLayout): DeviceCheckpointData {
  const list = (x: GoValue): string[] | null => (x === null ? null : [...(x as string[])]);
  const common = (e: GoStruct): EntryCommon => ({
    podUID: e.PodUID as string,
    containerName: e.ContainerName as string,
    resourceName: e.ResourceName as string,
    allocResp: e.AllocResp as Uint8Array | null,
  });
  const registered =
    v.RegisteredDevices === null
      ? null
      : new Map([...(v.RegisteredDevices as GoMap)].map(([k, x]) => [k as string, list(x)]));
  const raw = v.PodDeviceEntries as GoStruct[] | null;
  if (layout === "V1") {
    const entries = raw?.map((e) => ({ ...common(e), deviceIDs: list(e.DeviceIDs) })) ?? null;
    return { layout, podDeviceEntries: entries, registeredDevices: registered };
  }
  const entries =
    raw?.map((e) => {
      const m = e.DeviceIDs as GoMap | null;
      let deviceIDs: CheckpointDevicesPerNUMA | null = null;
      if (m !== null) {
        deviceIDs = new Map();
        for (const [k, x] of m) {
          const id = Number(k);
          // Only ids past 2^53 can meet here; their lists are kept together.
          const prev = deviceIDs.get(id);
          const ids = list(x);
          deviceIDs.set(id, prev === undefined ? ids : [...(prev ?? []), ...(ids ?? [])]);
        }
      }
      return { ...common(e), deviceIDs };
    }) ?? null;
  return { layout, podDeviceEntries: entries, registeredDevices: registered };
}

// ---- checksum ----

/** The exact string whose FNV-1a-32 is the checksum: the go-spew dump of the inner data (§9.4). */
export function deviceCheckpointHashInput(data: DeviceCheckpointData): string {
  return hashInputOf(toGoData(data), data.layout);
}

function hashInputOf(goData: GoStruct, layout: DeviceCheckpointLayout): string {
  if (layout === "V2") return spewForHash(goData, DEVICE_DATA_V2);
  // `DataV1.checksum()`: the V1 dump with the type names a 1.19 kubelet hashed, replaced in the
  // text (so, like the kubelet, also inside names that happen to contain them).
  return spewForHash(goData, DEVICE_DATA_V1)
    .replace(V1_RENAMES.first.from, V1_RENAMES.first.to)
    .replaceAll(V1_RENAMES.all.from, V1_RENAMES.all.to);
}

export function deviceCheckpointChecksum(data: DeviceCheckpointData): number {
  return fnv1a32(deviceCheckpointHashInput(data));
}

// ---- encoding ----

/** The file a kubelet's serialiser writes for `data` (compact JSON, no trailing newline). */
export function encodeDeviceCheckpoint(data: DeviceCheckpointData): string {
  const goData = toGoData(data);
  const checksum = BigInt(fnv1a32(hashInputOf(goData, data.layout)));
  const file = data.layout === "V2" ? DEVICE_FILE_V2 : DEVICE_FILE_V1;
  return encodeGo({ Data: goData, Checksum: checksum }, file);
}

// ---- decoding ----

/** The file parsed once, as Go's decoder reads bytes (invalid UTF-8 included). */
export function parseDeviceCheckpoint(input: string | Uint8Array): ParsedText {
  const { text, rawBytes } = typeof input === "string" ? { text: input, rawBytes: null } : goText(input);
  try {
    return { node: parseGoJSON(text, rawBytes ?? undefined) };
  } catch (err) {
    if (err instanceof GoJSONSyntaxError) return { syntaxError: err.message };
    throw err;
  }
}

export type DeviceCheckpointDecode =
  | { ok: true; data: DeviceCheckpointData; checksum: number; node: JSONNode }
  | {
      ok: false;
      /** The kubelet's `err.Error()`. */
      error: string;
      /** When only the checksum failed: what the file holds, the stored and the computed value. */
      mismatch: { data: DeviceCheckpointData; stored: bigint; computed: number; node: JSONNode } | null;
    };

/**
 * `GetCheckpoint` with the current (`V2`) or the V1 checkpoint type: `json.Unmarshal` into the
 * kubelet's pre-made value, then the checksum (no "0 means none" rule here).
 */
export function decodeDeviceCheckpoint(
  input: string | Uint8Array | ParsedText,
  layout: DeviceCheckpointLayout,
): DeviceCheckpointDecode {
  const parsed =
    typeof input === "string" || input instanceof Uint8Array ? parseDeviceCheckpoint(input) : input;
  if ("syntaxError" in parsed) return { ok: false, error: parsed.syntaxError, mismatch: null };
  const cp = newDeviceFile();
  const err = unmarshalInto(parsed.node, layout === "V2" ? DEVICE_FILE_V2 : DEVICE_FILE_V1, cp);
  if (err !== null) return { ok: false, error: err, mismatch: null };
  const goData = cp.Data as GoStruct;
  const computed = fnv1a32(hashInputOf(goData, layout));
  const data = fromGoData(goData, layout);
  const stored = cp.Checksum as bigint;
  if (stored !== BigInt(computed))
    return { ok: false, error: CORRUPTED, mismatch: { data, stored, computed, node: parsed.node } };
  return { ok: true, data, checksum: computed, node: parsed.node };
}

// ---- podpin's canonical writer (checkpoints.md §9.6) ----

const byGoString = (a: string, b: string) => compareGoStrings(a, b);
const sorted = (ids: readonly string[] | null) => (ids === null ? null : [...ids].sort(byGoString));

function compareEntries(a: EntryCommon, b: EntryCommon): number {
  return (
    compareGoStrings(a.podUID, b.podUID) ||
    compareGoStrings(a.containerName, b.containerName) ||
    compareGoStrings(a.resourceName, b.resourceName)
  );
}

/**
 * `data` in podpin's canonical order: entries by pod UID, container, resource (byte-wise; equal
 * ones keep their order), the ids of every list and the registered ids ascending byte-wise.
 * Go's map order makes a kubelet's order arbitrary; this one makes podpin's files reproducible.
 */
export function canonicalDeviceCheckpoint(data: DeviceCheckpointData): DeviceCheckpointData {
  const registeredDevices =
    data.registeredDevices === null
      ? null
      : new Map([...data.registeredDevices].map(([k, v]) => [k, sorted(v)] as const));
  if (data.layout === "V1") {
    const entries = data.podDeviceEntries?.map((e) => ({ ...e, deviceIDs: sorted(e.deviceIDs) }));
    return { layout: "V1", podDeviceEntries: entries?.sort(compareEntries) ?? null, registeredDevices };
  }
  const entries = data.podDeviceEntries?.map((e) => ({
    ...e,
    deviceIDs:
      e.deviceIDs === null ? null : new Map([...e.deviceIDs].map(([k, v]) => [k, sorted(v)] as const)),
  }));
  return { layout: "V2", podDeviceEntries: entries?.sort(compareEntries) ?? null, registeredDevices };
}

/**
 * The checkpoint data podpin writes for a Device Manager state (checkpoints.md §9.6): canonical
 * order, one entry per podDevices record (`null` when there is none), `AllocResp` the stored bytes
 * or `""` (never `null`, which hashes differently), and `RegisteredDevices` every registered
 * resource with its healthy ids (`[]` when none). `healthyDevices` gives those ids; a resource
 * named only there counts as registered too.
 * OPEN CK-7 (checkpoints.md §9.7): always the current layout; V1 is encoded only on request
 * (`encodeDeviceCheckpoint` of V1 data), never by podpin's writer.
 * OPEN CK-8 (checkpoints.md §9.7): no `BootID`, which no released kubelet writes or reads.
 */
export function deviceCheckpointFromState(
  state: DeviceStateData,
  healthyDevices: ReadonlyMap<string, Iterable<string>> = new Map(),
): DeviceCheckpointData {
  const entries: DeviceCheckpointEntryV2[] = [];
  for (const [podUID, containers] of state.podDevices)
    for (const [containerName, resources] of containers)
      for (const [resourceName, record] of resources)
        entries.push({
          podUID,
          containerName,
          resourceName,
          deviceIDs: new Map([...record.deviceIDs].map(([k, v]) => [k, [...v]] as const)),
          allocResp: record.allocResp ?? new Uint8Array(0),
        });
  const registered: RegisteredDevices = new Map();
  for (const r of state.registeredResources) registered.set(r, []);
  for (const [r, ids] of healthyDevices) registered.set(r, [...new Set(ids)]);
  return canonicalDeviceCheckpoint({
    layout: "V2",
    podDeviceEntries: entries.length === 0 ? null : entries,
    registeredDevices: registered,
  });
}

/** `deviceCheckpointFromState`, encoded: the file podpin writes. */
export function writeDeviceCheckpoint(
  state: DeviceStateData,
  healthyDevices?: ReadonlyMap<string, Iterable<string>>,
): string {
  return encodeDeviceCheckpoint(deviceCheckpointFromState(state, healthyDevices));
}
