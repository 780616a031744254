import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { structChecksum } from "./checksum.js";
import { fnv1a32 } from "./fnv.js";
import { unmarshalInto } from "./gojson.js";
import { goPtr } from "./gotype.js";
import {
  CPU_V1,
  CPU_V2,
  CPU_V3,
  MEMORY_V1,
  MEMORY_V2,
  cpusetValue,
  newCPUV1,
  newCPUV2,
  newCPUV3,
  newMemoryV1,
  newMemoryV2,
} from "./kubelet-types.js";
import { spewForHash } from "./spew.js";
import { CPUSet } from "../core/index.js";

describe("go-spew dump (checkpoints.md §2.1)", () => {
  test("the spec's CPU V2 example", () => {
    const cp = {
      PolicyName: "static",
      DefaultCPUSet: "0-31",
      Entries: new Map([["<pod>", new Map([["<ctr>", "1-3"]])]]),
      Checksum: 0n,
    };
    const dump = spewForHash(cp, goPtr(CPU_V2)).replace("CPUManagerCheckpointV2", "CPUManagerCheckpoint");
    assert.equal(
      dump,
      "(*state.CPUManagerCheckpoint){PolicyName:(string)static DefaultCPUSet:(string)0-31 Entries:(map[string]map[string]string)map[<pod>:map[<ctr>:1-3]] Checksum:(checksum.Checksum)0}",
    );
  });

  test("cpuset internals, nil versus empty, integer key order, pointers", () => {
    const v3 = {
      ...newCPUV3(),
      Entries: null,
      PodEntries: new Map([["p", { CPUSet: cpusetValue(CPUSet.of(9, 7, 8)) }]]),
    };
    assert.equal(
      spewForHash(v3, goPtr(CPU_V3)),
      "(*state.CPUManagerCheckpointV3){PolicyName:(string) DefaultCPUSet:(string) Entries:(map[string]map[string]string)<nil> PodEntries:(state.PodCPUAssignments)map[p:{CPUSet:(cpuset.CPUSet){elems:(map[int]struct {})map[7:{} 8:{} 9:{}]}}] Checksum:(checksum.Checksum)0}",
    );
    const mem = newMemoryV1();
    const node = (cells: bigint[] | null) => ({ NumberOfAssignments: 0n, MemoryMap: null, Cells: cells });
    mem.MachineState = new Map([
      [10n, node([])],
      [2n, node(null)],
      [3n, null],
    ]);
    assert.equal(
      spewForHash(mem, goPtr(MEMORY_V1)),
      "(*state.MemoryManagerCheckpointV1){PolicyName:(string) MachineState:(state.NUMANodeMap)map[2:<*>{NumberOfAssignments:(int)0 MemoryMap:(map[v1.ResourceName]*state.MemoryTable)<nil> Cells:([]int)<nil>} 3:<nil> 10:<*>{NumberOfAssignments:(int)0 MemoryMap:(map[v1.ResourceName]*state.MemoryTable)<nil> Cells:([]int)[]}] Entries:(state.ContainerMemoryAssignments)map[] Checksum:(checksum.Checksum)0}",
    );
  });

  // Checksums the kubelet's own state tests carry, reproduced from the files' content.
  const legacy: Array<[string, string, number, "plain" | "historical"]> = [
    ["cpu-v1", '{"policyName":"none","defaultCPUSet":"1-3","checksum":1694838852}', 1694838852, "historical"],
    [
      "cpu-v3",
      '{"policyName":"static","defaultCPUSet":"1-2","entries":{"pod1":{"container1":"5-6","container2":"3-4"}},"podEntries":{"pod2":{"cpuSet":"7-9"}},"checksum":2284712151}',
      2284712151,
      "plain",
    ],
    [
      "memory-v1",
      '{"policyName":"static","machineState":{"0":{"numberOfAssignments":0,"memoryMap":{"memory":{"total":2048,"systemReserved":512,"allocatable":1536,"reserved":512,"free":1024}},"cells":[]}},"entries":{"pod":{"container1":[{"numaAffinity":[0],"type":"memory","size":512}]}},"checksum":4215593881}',
      4215593881,
      "historical",
    ],
    [
      "memory-v2",
      '{"policyName":"static","machineState":{"0":{"numberOfAssignments":0,"memoryMap":{"memory":{"total":2048,"systemReserved":512,"allocatable":1536,"reserved":512,"free":1024}},"cells":[]}},"entries":{"pod":{"container1":[{"numaAffinity":[0],"type":"memory","size":512}]}},"podEntries":{"pod":{"memoryBlocks":[{"numaAffinity":[0],"type":"memory","size":512}]}},"checksum":1278640530}',
      1278640530,
      "historical",
    ],
  ];
  for (const [name, text, expected, form] of legacy) {
    test(`reproduces the kubelet's ${name} checksum`, () => {
      const [t, cp, historical] =
        name === "cpu-v1"
          ? [CPU_V1, newCPUV1(), "CPUManagerCheckpoint"]
          : name === "cpu-v3"
            ? [CPU_V3, newCPUV3(), "CPUManagerCheckpoint"]
            : name === "memory-v1"
              ? [MEMORY_V1, newMemoryV1(), "MemoryManagerCheckpoint"]
              : [MEMORY_V2, newMemoryV2(), "MemoryManagerCheckpoint"];
      assert.equal(unmarshalInto(text, t, cp), null);
      const rename = form === "historical" ? { from: t.name.slice(6), to: historical } : undefined;
      assert.equal(structChecksum(cp, t, rename), expected);
    });
  }

  test("a file without entries hashes an empty map, not nil", () => {
    const cp = newCPUV2();
    unmarshalInto('{"policyName":"none","defaultCpuSet":"1"}', CPU_V2, cp);
    const dump = spewForHash({ ...cp, Checksum: 0n }, goPtr(CPU_V2));
    assert.ok(dump.includes("Entries:(map[string]map[string]string)map[]"));
    assert.equal(structChecksum(cp, CPU_V2), fnv1a32(dump));
  });
});
