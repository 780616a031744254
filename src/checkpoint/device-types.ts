/**
 * The Device Manager checkpoint structs as Go types (`devicemanager/checkpoint`): field order,
 * names (no JSON tags, so the keys are the Go names) and Go type names, for `encoding/json` and
 * go-spew (checkpoints.md §9.2–§9.4). The `new*` functions return what the kubelet decodes into:
 * an empty entry list and an empty registered map, so a file without those keys still hashes
 * `[]` and `map[]`.
 */
import {
  type GoStruct,
  type GoType,
  field,
  goBytes,
  goInt,
  goMap,
  goSlice,
  goString,
  goStruct,
  goUint,
} from "./gotype.js";

type StructType = GoType & { kind: "struct" };

const str = goString();
const ids = goSlice(str);

/** `checkpoint.DevicesPerNUMA`: `map[int64][]string`. */
const devicesPerNUMA = goMap("checkpoint.DevicesPerNUMA", goInt("int64"), ids);

function entryType(name: string, deviceIDs: GoType): StructType {
  return goStruct(name, [
    field("PodUID", "PodUID", str),
    field("ContainerName", "ContainerName", str),
    field("ResourceName", "ResourceName", str),
    field("DeviceIDs", "DeviceIDs", deviceIDs),
    field("AllocResp", "AllocResp", goBytes()),
  ]) as StructType;
}

function dataType(name: string, entry: StructType): StructType {
  return goStruct(name, [
    field("PodDeviceEntries", "PodDeviceEntries", goSlice(entry)),
    field("RegisteredDevices", "RegisteredDevices", goMap("map[string][]string", str, ids)),
  ]) as StructType;
}

function fileType(name: string, data: StructType): StructType {
  return goStruct(name, [
    field("Data", "Data", data),
    field("Checksum", "Checksum", goUint("checksum.Checksum")),
  ]) as StructType;
}

export const DEVICE_DATA_V2 = dataType(
  "checkpoint.checkpointData",
  entryType("checkpoint.PodDevicesEntry", devicesPerNUMA),
);
export const DEVICE_FILE_V2 = fileType("checkpoint.Data", DEVICE_DATA_V2);

/** The ≤1.19 layout (`checkpointv1.go`): `DeviceIDs` a plain list. */
export const DEVICE_DATA_V1 = dataType(
  "checkpoint.checkpointDataV1",
  entryType("checkpoint.PodDevicesEntryV1", ids),
);
export const DEVICE_FILE_V1 = fileType("checkpoint.DataV1", DEVICE_DATA_V1);

/** `DataV1.checksum()` renames the V1 types in its dump back to the names 1.19 hashed. */
export const V1_RENAMES = {
  first: { from: "checkpointDataV1", to: "checkpointData" },
  all: { from: "PodDevicesEntryV1", to: "PodDevicesEntry" },
} as const;

/** The value `getCheckpointV2()` / `getCheckpointV1()` decode into. */
export function newDeviceFile(): GoStruct {
  return { Data: { PodDeviceEntries: [], RegisteredDevices: new Map() }, Checksum: 0n };
}
