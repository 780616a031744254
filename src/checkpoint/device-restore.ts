/**
 * What a kubelet restores from `kubelet_internal_checkpoint` at start (checkpoints.md §9.5), for
 * the two reader generations:
 * - `current`: 1.30 and later (and 1.20): the current layout only;
 * - `v1Fallback`: 1.23–1.29 (and the late 1.21/1.22 patches): when the current layout fails, the
 *   file is read again as V1 (all devices under NUMA node 0); if that fails too, the error of the
 *   current-layout attempt is the verdict.
 * Then every entry whose `AllocResp` decodes becomes a podDevices record (a later one for the same
 * pod, container and resource replaces an earlier one), the others are skipped; allocatedDevices
 * is the union per resource; every `RegisteredDevices` key becomes a registered resource.
 */
import type { DevicesPerNUMA, DeviceStateData, PodDevices } from "../managers/device/index.js";
import {
  type ContainerAllocateResponse,
  type ProtobufDialect,
  decodeContainerAllocateResponse,
} from "./allocresp.js";
import {
  type DeviceCheckpointData,
  type DeviceCheckpointDecode,
  type DeviceCheckpointLayout,
  decodeDeviceCheckpoint,
  parseDeviceCheckpoint,
} from "./device.js";
import { deviceCheckpointWarnings } from "./device-lint.js";
import { compareGoStrings } from "./gostring.js";

export type DeviceReaderGeneration = "current" | "v1Fallback";

/** Why an entry was dropped: the kubelet logs `Can't unmarshal allocResp` and goes on. */
export const SKIPPED_ALLOCRESP =
  "AllocResp is not a valid ContainerAllocateResponse (Can't unmarshal allocResp)";

export interface RestoredDeviceEntry {
  podUID: string;
  containerName: string;
  resourceName: string;
  deviceIDs: DevicesPerNUMA;
  /** The bytes as the file held them (null: JSON `null`). */
  allocResp: Uint8Array | null;
  /** The plugin's answer, decoded. */
  response: ContainerAllocateResponse;
}

export interface SkippedDeviceEntry {
  podUID: string;
  containerName: string;
  resourceName: string;
  reason: string;
  /** The protobuf decoder's complaint. */
  detail: string;
}

export interface RestoredDeviceState {
  /** podDevices and the registered resources: what the Device Manager starts from. */
  state: DeviceStateData;
  /** The records of `state.podDevices` with their decoded answers, by pod, container, resource. */
  entries: RestoredDeviceEntry[];
  /** Resource -> ids in use (ascending); a resource with a record always has a key. */
  allocatedDevices: Map<string, string[]>;
  /** Entries dropped because `AllocResp` did not decode, in file order. */
  skippedEntries: SkippedDeviceEntry[];
}

export interface DeviceRestoreVerdict {
  /** The kubelet's `err.Error()`; it logs it and starts with no device state. Null on success. */
  error: string | null;
  /** The layout restored, `absent` for no file, null on error. */
  loadedAs: DeviceCheckpointLayout | "absent" | null;
  /** What the kubelet restores; null on error. */
  restored: RestoredDeviceState | null;
  /** Accepted quirks (checkpoints.md §9.6 `verify`). */
  warnings: string[];
  /** An explanation beyond the kubelet's words, for people; null when there is none. */
  hint: string | null;
}

export interface DeviceRestoreOptions {
  /**
   * Restore a file whose only fault is its checksum, with a warning (OPEN CK-1, checkpoints.md §8:
   * only under an explicit option of the checkpoint command). The verdict is then not the kubelet's.
   */
  ignoreChecksum?: boolean;
}

export function emptyDeviceState(): DeviceStateData {
  return { podDevices: new Map(), registeredResources: [] };
}

function emptyRestored(): RestoredDeviceState {
  return { state: emptyDeviceState(), entries: [], allocatedDevices: new Map(), skippedEntries: [] };
}

const V1_HINT =
  "this is a V1 device checkpoint (written by Kubernetes 1.19 or older): kubelets 1.23–1.29 read it and put every device under NUMA node 0; 1.30 and later cannot read it and start with no device allocations";

/** Entries in the current shape: a V1 entry's devices all go under NUMA node 0 (`GetDataInLatestFormat`). */
function latestEntries(data: DeviceCheckpointData) {
  if (data.layout === "V2") return data.podDeviceEntries ?? [];
  return (data.podDeviceEntries ?? []).map((e) => ({ ...e, deviceIDs: new Map([[0, e.deviceIDs]]) }));
}

function restore(data: DeviceCheckpointData, dialect: ProtobufDialect): RestoredDeviceState {
  const podDevices: PodDevices = new Map();
  const responses = new Map<string, ContainerAllocateResponse>();
  const skippedEntries: SkippedDeviceEntry[] = [];
  for (const e of latestEntries(data)) {
    const decoded = decodeContainerAllocateResponse(e.allocResp ?? new Uint8Array(0), dialect);
    const { podUID, containerName, resourceName } = e;
    if (!decoded.ok) {
      skippedEntries.push({
        podUID,
        containerName,
        resourceName,
        reason: SKIPPED_ALLOCRESP,
        detail: decoded.error,
      });
      continue;
    }
    const deviceIDs: DevicesPerNUMA = new Map();
    for (const [numa, ids] of e.deviceIDs ?? []) deviceIDs.set(numa, [...(ids ?? [])]);
    const containers = podDevices.get(podUID) ?? new Map();
    podDevices.set(podUID, containers);
    const resources = containers.get(containerName) ?? new Map();
    containers.set(containerName, resources);
    resources.set(resourceName, { deviceIDs, allocResp: e.allocResp });
    responses.set(JSON.stringify([podUID, containerName, resourceName]), decoded.value);
  }

  const entries: RestoredDeviceEntry[] = [];
  const inUse = new Map<string, Set<string>>();
  for (const [podUID, containers] of podDevices)
    for (const [containerName, resources] of containers)
      for (const [resourceName, record] of resources) {
        const response = responses.get(JSON.stringify([podUID, containerName, resourceName]))!;
        entries.push({ podUID, containerName, resourceName, ...record, response });
        const set = inUse.get(resourceName) ?? new Set<string>();
        for (const ids of record.deviceIDs.values()) for (const id of ids) set.add(id);
        inUse.set(resourceName, set);
      }
  entries.sort(
    (a, b) =>
      compareGoStrings(a.podUID, b.podUID) ||
      compareGoStrings(a.containerName, b.containerName) ||
      compareGoStrings(a.resourceName, b.resourceName),
  );
  const allocatedDevices = new Map(
    [...inUse.keys()]
      .sort(compareGoStrings)
      .map((r) => [r, [...inUse.get(r)!].sort(compareGoStrings)] as const),
  );
  const registeredResources = [...(data.registeredDevices?.keys() ?? [])].sort(compareGoStrings);
  return { state: { podDevices, registeredResources }, entries, allocatedDevices, skippedEntries };
}

function warningsFor(
  decoded: DeviceCheckpointDecode & { ok: true },
  restored: RestoredDeviceState,
): string[] {
  const out = deviceCheckpointWarnings(decoded.node, decoded.data);
  for (const s of restored.skippedEntries)
    out.push(
      `entry ${s.podUID}/${s.containerName}/${s.resourceName} is dropped: its AllocResp is not a valid ContainerAllocateResponse (${s.detail}), so its devices look free`,
    );
  return out;
}

/** The kubelet's restore of a checkpoint file's content (`null`: there is no file). */
export function restoreDeviceCheckpoint(
  input: string | Uint8Array | null,
  generation: DeviceReaderGeneration,
  opts: DeviceRestoreOptions = {},
): DeviceRestoreVerdict {
  if (input === null)
    return { error: null, loadedAs: "absent", restored: emptyRestored(), warnings: [], hint: null };
  const dialect: ProtobufDialect = generation === "current" ? "google" : "gogo";
  const parsed = parseDeviceCheckpoint(input);
  let decoded = decodeDeviceCheckpoint(parsed, "V2");
  const extra: string[] = [];
  if (!decoded.ok && decoded.mismatch && opts.ignoreChecksum) {
    const m = decoded.mismatch;
    extra.push(`Checksum ${m.stored} does not match the content (computed ${m.computed}); accepted as asked`);
    decoded = { ok: true, data: m.data, checksum: m.computed, node: m.node };
  }
  if (!decoded.ok) {
    const v1 = decodeDeviceCheckpoint(parsed, "V1");
    const hint = v1.ok && (v1.data.podDeviceEntries?.length ?? 0) > 0 ? V1_HINT : null;
    if (generation === "v1Fallback" && v1.ok) {
      const restored = restore(v1.data, dialect);
      return {
        error: null,
        loadedAs: "V1",
        restored,
        warnings: [V1_HINT, ...warningsFor(v1, restored)],
        hint: null,
      };
    }
    return { error: decoded.error, loadedAs: null, restored: null, warnings: [], hint };
  }
  const restored = restore(decoded.data, dialect);
  return {
    error: null,
    loadedAs: "V2",
    restored,
    warnings: [...extra, ...warningsFor(decoded, restored)],
    hint: null,
  };
}
