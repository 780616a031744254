/**
 * The kubelet's checkpoint structs as Go types (field order, JSON tags, Go type names), from
 * `cpumanager/state/checkpoint.go`, `memorymanager/state/checkpoint.go` and their `state.go`.
 * Each `new*` function returns the value the kubelet's constructor returns: the maps it makes up
 * front are empty rather than nil, which matters to the checksum of a file without those keys.
 */
import { CPUSet } from "../core/index.js";
import { parseGoCPUSet } from "./gocpuset.js";
import { GoUnmarshalerError, goJSONString } from "./gojson.js";
import { foldKey, nodeKindWord } from "./gojson-parse.js";
import {
  GoOpaque,
  type GoStruct,
  type GoType,
  type GoValue,
  field,
  goInt,
  goMap,
  goPtr,
  goSlice,
  goString,
  goStruct,
  goUint,
} from "./gotype.js";

type StructType = GoType & { kind: "struct" };

const str = goString();
const checksumType = goUint("checksum.Checksum");

// ---- CPU Manager ----

/**
 * `cpuset.CPUSet` as go-spew sees it: `{elems:(map[int]struct {})map[1:{} 2:{}]}`. The value is
 * kept as a `CPUSet` (a `GoOpaque`) and dumped from its ranges, id by id in ascending order (the
 * map's sorted keys), straight into the sink: a set of millions of ids costs no text or map.
 */
const cpusetType: GoType = {
  kind: "custom",
  name: "cpuset.CPUSet",
  json: {
    decode() {
      throw new Error("cpuset.CPUSet is decoded by state.PodEntry");
    },
    encode(v) {
      return goJSONString(cpusetOf(v).toString());
    },
    spewType() {
      throw new Error("cpuset.CPUSet is dumped by its own spew");
    },
    spew(v, out) {
      out.push("{elems:(map[int]struct {})map[");
      let first = true;
      for (const [a, b] of cpusetOf(v).ranges()) {
        if (first) first = false;
        else out.push(" ");
        out.uintRun(a, b, ":{}", " ");
      }
      out.push("]}");
    },
  },
};
const cpuPodEntryStruct = goStruct("state.PodEntry", [field("CPUSet", "cpuSet", cpusetType, true)]);

export function cpusetValue(set: CPUSet): GoValue {
  return new GoOpaque(set);
}

export function cpusetOf(v: GoValue): CPUSet {
  return v instanceof GoOpaque ? (v.value as CPUSet) : CPUSet.empty;
}

/**
 * `state.PodEntry` of the CPU Manager: a CPU set stored as the string `{"cpuSet":"1-3"}` through
 * its own `MarshalJSON`/`UnmarshalJSON`, so a bad set fails while the file is decoded.
 */
const cpuPodEntry: GoType = {
  kind: "custom",
  name: "state.PodEntry",
  json: {
    decode(node) {
      let text = "";
      if (node.t !== "null") {
        if (node.t !== "object") {
          throw new GoUnmarshalerError("", { value: nodeKindWord(node), type: "state.podEntryJSON" });
        }
        let typeError: string | null = null;
        for (const [k, v] of node.members) {
          if (foldKey(k) !== "cpuset") continue;
          if (v.t === "string") text = v.v;
          else if (v.t !== "null" && typeError === null) typeError = nodeKindWord(v);
        }
        if (typeError !== null) throw new GoUnmarshalerError("", { value: typeError, type: "string" });
      }
      const parsed = parseGoCPUSet(text, true);
      if ("error" in parsed) throw new GoUnmarshalerError(`failed to parse cpuset: ${parsed.error}`);
      return { CPUSet: cpusetValue(parsed.set) };
    },
    encode(v) {
      const text = cpusetOf((v as GoStruct).CPUSet).toString();
      return text === "" ? "{}" : `{"cpuSet":${goJSONString(text)}}`;
    },
    spewType: () => cpuPodEntryStruct,
  },
};

const cpuEntriesV1 = goMap("map[string]string", str, str);
const cpuEntries = goMap("map[string]map[string]string", str, goMap("map[string]string", str, str));
const cpuPodEntries = goMap("state.PodCPUAssignments", str, cpuPodEntry);

const policyName = field("PolicyName", "policyName", str);
const defaultCPUSet = field("DefaultCPUSet", "defaultCpuSet", str);
const checksumField = field("Checksum", "checksum", checksumType);

export const CPU_V1: StructType = goStruct("state.CPUManagerCheckpointV1", [
  policyName,
  defaultCPUSet,
  field("Entries", "entries", cpuEntriesV1, true),
  checksumField,
]) as StructType;

export const CPU_V2: StructType = goStruct("state.CPUManagerCheckpointV2", [
  policyName,
  defaultCPUSet,
  field("Entries", "entries", cpuEntries, true),
  checksumField,
]) as StructType;

export const CPU_V3: StructType = goStruct("state.CPUManagerCheckpointV3", [
  policyName,
  defaultCPUSet,
  field("Entries", "entries", cpuEntries, true),
  field("PodEntries", "podEntries", cpuPodEntries, true),
  checksumField,
]) as StructType;

/** V4, dual layout: the V3 fields inline (for older kubelets), then `data` and `dataChecksum`. */
export const CPU_V4: StructType = goStruct("state.CPUManagerCheckpoint", [
  ...CPU_V3.fields,
  field("Data", "data", str),
  field("DataChecksum", "dataChecksum", checksumType),
]) as StructType;

/** V4 as the earlier iteration wrote it: `{"data": "<json>", "checksum": N}`. */
export const CPU_V4_DATA_ONLY: StructType = goStruct("state.CPUManagerCheckpoint", [
  field("Data", "data", str),
  checksumField,
]) as StructType;

export const CPU_DATA: StructType = goStruct("state.CPUManagerCheckpointData", [
  policyName,
  defaultCPUSet,
  field("Entries", "entries", cpuEntries, true),
  field("PodEntries", "podEntries", cpuPodEntries, true),
]) as StructType;

export const newCPUV1 = (): GoStruct => ({
  PolicyName: "",
  DefaultCPUSet: "",
  Entries: new Map(),
  Checksum: 0n,
});
export const newCPUV2 = (): GoStruct => ({
  PolicyName: "",
  DefaultCPUSet: "",
  Entries: new Map(),
  Checksum: 0n,
});
export const newCPUV3 = (): GoStruct => ({ ...newCPUV2(), PodEntries: new Map() });
export const newCPUV4 = (): GoStruct => ({ ...newCPUV3(), Data: "", DataChecksum: 0n });
export const newCPUV4DataOnly = (): GoStruct => ({ Data: "", Checksum: 0n });
export const newCPUData = (): GoStruct => ({
  PolicyName: "",
  DefaultCPUSet: "",
  Entries: new Map(),
  PodEntries: new Map(),
});

// ---- Memory Manager ----

const uint64 = goUint();
const resourceName = goString("v1.ResourceName");

const memoryTable = goStruct("state.MemoryTable", [
  field("TotalMemSize", "total", uint64),
  field("SystemReserved", "systemReserved", uint64),
  field("Allocatable", "allocatable", uint64),
  field("Reserved", "reserved", uint64),
  field("Free", "free", uint64),
]);

const numaNodeState = goStruct("state.NUMANodeState", [
  field("NumberOfAssignments", "numberOfAssignments", goInt()),
  field(
    "MemoryMap",
    "memoryMap",
    goMap("map[v1.ResourceName]*state.MemoryTable", resourceName, goPtr(memoryTable)),
  ),
  field("Cells", "cells", goSlice(goInt())),
]);

export const NUMA_NODE_MAP = goMap("state.NUMANodeMap", goInt(), goPtr(numaNodeState));

const block = goStruct("state.Block", [
  field("NUMAAffinity", "numaAffinity", goSlice(goInt())),
  field("Type", "type", resourceName),
  field("Size", "size", uint64),
]);
const blocks = goSlice(block);

const containerMemoryAssignments = goMap(
  "state.ContainerMemoryAssignments",
  str,
  goMap("map[string][]state.Block", str, blocks),
);

/**
 * A pod's memory blocks, `state.PodEntry`: `{"memoryBlocks": [...]}` in every version (CK-2 in
 * checkpoints.md §8). Go cannot decode a bare `[Block, ...]` into this struct, so such a file is
 * refused as the kubelet refuses it.
 */
const memoryPodEntry = goStruct("state.PodEntry", [field("MemoryBlocks", "memoryBlocks", blocks, true)]);
const podMemoryAssignments = goMap("state.PodMemoryAssignments", str, memoryPodEntry);

const memPolicy = field("PolicyName", "policyName", str);
const machineState = field("MachineState", "machineState", NUMA_NODE_MAP);
const memEntries = field("Entries", "entries", containerMemoryAssignments, true);
const memPodEntries = field("PodEntries", "podEntries", podMemoryAssignments, true);

export const MEMORY_V1: StructType = goStruct("state.MemoryManagerCheckpointV1", [
  memPolicy,
  machineState,
  memEntries,
  checksumField,
]) as StructType;

export const MEMORY_V2: StructType = goStruct("state.MemoryManagerCheckpointV2", [
  memPolicy,
  machineState,
  memEntries,
  memPodEntries,
  checksumField,
]) as StructType;

/** V3: the V1 fields inline (older kubelets verify and read them), then `data` and `dataChecksum`. */
export const MEMORY_V3: StructType = goStruct("state.MemoryManagerCheckpoint", [
  ...MEMORY_V1.fields,
  field("Data", "data", str),
  field("DataChecksum", "dataChecksum", checksumType),
]) as StructType;

export const MEMORY_DATA: StructType = goStruct("state.MemoryManagerCheckpointData", [
  memPolicy,
  machineState,
  memEntries,
  memPodEntries,
]) as StructType;

export const newMemoryV1 = (): GoStruct => ({
  PolicyName: "",
  MachineState: new Map(),
  Entries: new Map(),
  Checksum: 0n,
});
export const newMemoryV2 = (): GoStruct => ({ ...newMemoryV1(), PodEntries: new Map() });
export const newMemoryV3 = (): GoStruct => ({ ...newMemoryV1(), Data: "", DataChecksum: 0n });
export const newMemoryData = (): GoStruct => ({
  PolicyName: "",
  MachineState: new Map(),
  Entries: new Map(),
  PodEntries: new Map(),
});

/** The historical type names legacy checksums are computed with. */
export const HISTORICAL_CPU_NAME = "CPUManagerCheckpoint";
export const HISTORICAL_MEMORY_NAME = "MemoryManagerCheckpoint";
