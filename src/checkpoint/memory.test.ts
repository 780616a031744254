import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { CheckpointError } from "./errors.js";
import { fnv1a32 } from "./fnv.js";
import { encodeMemoryCheckpoint, readMemoryCheckpoint, writeMemoryCheckpoint } from "./memory.js";
import type { ReadOptions } from "./settings.js";
import type { MemoryStateData } from "../managers/memory/index.js";
import { SETTINGS, memoryStateArb, memoryView } from "./test-helpers.js";

const GI = 1073741824n;
const WRAPPED = 18446744072635809792n; // 2^64 - 1Gi: a node whose hugepages exceed its memory

const block = { numaAffinity: [0], type: "memory", size: GI };
const small: MemoryStateData = {
  policyName: "Static",
  machineState: new Map([
    [
      10,
      {
        numberOfAssignments: 0,
        memoryMap: new Map([
          [
            "memory",
            { total: 2n * GI, systemReserved: 0n, allocatable: 2n * GI, reserved: 0n, free: 2n * GI },
          ],
        ]),
        cells: null,
      },
    ],
    [
      2,
      {
        numberOfAssignments: 1,
        memoryMap: new Map([
          ["memory", { total: 2n * GI, systemReserved: GI, allocatable: GI, reserved: GI, free: 0n }],
          [
            "hugepages-1Gi",
            { total: 0n, systemReserved: 0n, allocatable: WRAPPED, reserved: 0n, free: WRAPPED },
          ],
        ]),
        cells: [2],
      },
    ],
  ]),
  entries: new Map([["pod1", new Map([["c1", [block]]])]]),
  podEntries: new Map([["pod1", [block]]]),
};

const opts = (version: "1.36" | "1.37", gate: boolean, extra: Partial<ReadOptions> = {}): ReadOptions => ({
  version,
  gates: { PodLevelResourceManagers: gate },
  configuredPolicy: "Static",
  ...extra,
});

function restoreFailure(fn: () => unknown): CheckpointError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof CheckpointError, `expected a CheckpointError, got ${err}`);
    return err;
  }
  assert.fail("no error");
}

// JSON sorts NUMA ids as text ("10" < "2"); go-spew sorts them as numbers (2 < 10).
const machineJSON =
  '{"10":{"numberOfAssignments":0,"memoryMap":{"memory":{"total":2147483648,"systemReserved":0,"allocatable":2147483648,"reserved":0,"free":2147483648}},"cells":[]},' +
  '"2":{"numberOfAssignments":1,"memoryMap":{"hugepages-1Gi":{"total":0,"systemReserved":0,"allocatable":18446744072635809792,"reserved":0,"free":18446744072635809792},"memory":{"total":2147483648,"systemReserved":1073741824,"allocatable":1073741824,"reserved":1073741824,"free":0}},"cells":[2]}}';
const entriesJSON = '{"pod1":{"c1":[{"numaAffinity":[0],"type":"memory","size":1073741824}]}}';
const blockDump = "{NUMAAffinity:([]int)[0] Type:(v1.ResourceName)memory Size:(uint64)1073741824}";
const machineDump =
  "MachineState:(state.NUMANodeMap)map[" +
  "2:<*>{NumberOfAssignments:(int)1 MemoryMap:(map[v1.ResourceName]*state.MemoryTable)map[hugepages-1Gi:<*>{TotalMemSize:(uint64)0 SystemReserved:(uint64)0 Allocatable:(uint64)18446744072635809792 Reserved:(uint64)0 Free:(uint64)18446744072635809792} memory:<*>{TotalMemSize:(uint64)2147483648 SystemReserved:(uint64)1073741824 Allocatable:(uint64)1073741824 Reserved:(uint64)1073741824 Free:(uint64)0}] Cells:([]int)[2]} " +
  "10:<*>{NumberOfAssignments:(int)0 MemoryMap:(map[v1.ResourceName]*state.MemoryTable)map[memory:<*>{TotalMemSize:(uint64)2147483648 SystemReserved:(uint64)0 Allocatable:(uint64)2147483648 Reserved:(uint64)0 Free:(uint64)2147483648}] Cells:([]int)[]}]";
const entriesDump = `Entries:(state.ContainerMemoryAssignments)map[pod1:map[c1:[${blockDump}]]]`;
const v1Checksum = fnv1a32(
  `(*state.MemoryManagerCheckpoint){PolicyName:(string)Static ${machineDump} ${entriesDump} Checksum:(checksum.Checksum)0}`,
);

describe("memory checkpoint, byte-exact writes (checkpoints.md §4)", () => {
  test("1.36, gate off: V1", () => {
    assert.equal(
      writeMemoryCheckpoint(small, opts("1.36", false)),
      `{"policyName":"Static","machineState":${machineJSON},"entries":${entriesJSON},"checksum":${v1Checksum}}`,
    );
  });

  test("1.36, gate on: V2 with pod entries as {memoryBlocks: [...]} objects", () => {
    const v2Checksum = fnv1a32(
      `(*state.MemoryManagerCheckpoint){PolicyName:(string)Static ${machineDump} ${entriesDump} PodEntries:(state.PodMemoryAssignments)map[pod1:{MemoryBlocks:([]state.Block)[${blockDump}]}] Checksum:(checksum.Checksum)0}`,
    );
    assert.equal(
      writeMemoryCheckpoint(small, opts("1.36", true)),
      `{"policyName":"Static","machineState":${machineJSON},"entries":${entriesJSON},"podEntries":{"pod1":{"memoryBlocks":[{"numaAffinity":[0],"type":"memory","size":1073741824}]}},"checksum":${v2Checksum}}`,
    );
  });

  test("V2: a pod entry without blocks is written {} and verifies when read back", () => {
    const empty = { ...small, podEntries: new Map([["pod1", []]]) };
    const text = writeMemoryCheckpoint(empty, opts("1.36", true));
    assert.match(text, /"podEntries":\{"pod1":\{\}\},"checksum":\d+\}$/);
    const back = readMemoryCheckpoint(text, opts("1.36", true));
    assert.deepEqual(back.state.podEntries.get("pod1"), []);
  });

  test("V2 is byte for byte the kubelet's own test file (checksum 1278640530)", () => {
    const b = { numaAffinity: [0], type: "memory", size: 512n };
    const state: MemoryStateData = {
      policyName: "static",
      machineState: new Map([
        [
          0,
          {
            numberOfAssignments: 0,
            memoryMap: new Map([
              [
                "memory",
                { total: 2048n, systemReserved: 512n, allocatable: 1536n, reserved: 512n, free: 1024n },
              ],
            ]),
            cells: [],
          },
        ],
      ]),
      entries: new Map([["pod", new Map([["container1", [b]]])]]),
      podEntries: new Map([["pod", [b]]]),
    };
    assert.equal(
      writeMemoryCheckpoint(state, opts("1.36", true)),
      '{"policyName":"static","machineState":{"0":{"numberOfAssignments":0,"memoryMap":{"memory":{"total":2048,"systemReserved":512,"allocatable":1536,"reserved":512,"free":1024}},"cells":[]}},"entries":{"pod":{"container1":[{"numaAffinity":[0],"type":"memory","size":512}]}},"podEntries":{"pod":{"memoryBlocks":[{"numaAffinity":[0],"type":"memory","size":512}]}},"checksum":1278640530}',
    );
  });

  test("1.37: V3, V1 fields inline with a legacy checksum, pod entries only in data", () => {
    const data = `{"policyName":"Static","machineState":${machineJSON},"entries":${entriesJSON},"podEntries":{"pod1":{"memoryBlocks":[{"numaAffinity":[0],"type":"memory","size":1073741824}]}}}`;
    assert.equal(
      writeMemoryCheckpoint(small, opts("1.37", true)),
      `{"policyName":"Static","machineState":${machineJSON},"entries":${entriesJSON},"checksum":${v1Checksum},"data":${JSON.stringify(data)},"dataChecksum":${fnv1a32(`(string)${data}`)}}`,
    );
    const noPods = `{"policyName":"Static","machineState":${machineJSON},"entries":${entriesJSON}}`;
    assert.ok(
      writeMemoryCheckpoint(small, opts("1.37", false)).endsWith(
        `"data":${JSON.stringify(noPods)},"dataChecksum":${fnv1a32(`(string)${noPods}`)}}`,
      ),
    );
  });
});

describe("memory checkpoint, round trips", () => {
  for (const s of SETTINGS) {
    test(`write then read, ${s.version} gate ${s.gates.PodLevelResourceManagers ? "on" : "off"}`, () => {
      fc.assert(
        fc.property(memoryStateArb, (state) => {
          const back = readMemoryCheckpoint(writeMemoryCheckpoint(state, s), {
            ...s,
            configuredPolicy: state.policyName,
          });
          const expected = s.gates.PodLevelResourceManagers ? state : { ...state, podEntries: new Map() };
          assert.deepEqual(memoryView(back.state), memoryView(expected));
          assert.equal(
            back.format,
            s.version === "1.37" ? "v3" : s.gates.PodLevelResourceManagers ? "v2" : "v1",
          );
          assert.deepEqual(back.warnings, []);
        }),
        { numRuns: 60 },
      );
    });
  }

  test("sizes beyond 2^53 survive exactly", () => {
    const back = readMemoryCheckpoint(writeMemoryCheckpoint(small, opts("1.37", true)), opts("1.37", true));
    assert.equal(back.state.machineState.get(2)?.memoryMap.get("hugepages-1Gi")?.free, WRAPPED);
  });

  test("1.36 reads a 1.37 file through its verified V1 copy, losing the pod entries (§6)", () => {
    const back = readMemoryCheckpoint(writeMemoryCheckpoint(small, opts("1.37", true)), opts("1.36", true));
    assert.equal(back.format, "v1");
    assert.deepEqual(memoryView(back.state), memoryView({ ...small, podEntries: new Map() }));
  });

  test("a V2 file (1.36, gate on) is corrupted for a kubelet with the gate off", () => {
    const err = restoreFailure(() =>
      readMemoryCheckpoint(writeMemoryCheckpoint(small, opts("1.36", true)), opts("1.36", false)),
    );
    assert.equal(err.detail, "checkpoint is corrupted");
  });

  test("1.37 reads a 1.36 V2 file with its pod entries", () => {
    const back = readMemoryCheckpoint(encodeMemoryCheckpoint(small, "v2"), opts("1.37", true));
    assert.equal(back.format, "v2");
    assert.deepEqual(memoryView(back.state), memoryView(small));
  });
});

describe("memory checkpoint, damaged files", () => {
  const v3 = writeMemoryCheckpoint(small, opts("1.37", true));

  test("V2 with checksum 0 loads as V1 and drops its pod entries, even with the gate on", () => {
    const zeroed = encodeMemoryCheckpoint(small, "v2").replace(/"checksum":\d+/, '"checksum":0');
    const back = readMemoryCheckpoint(zeroed, opts("1.37", true));
    assert.equal(back.format, "v1");
    assert.equal(back.state.podEntries.size, 0);
    assert.ok(back.warnings.some((w) => w.includes("dropped")));
  });

  test("a changed byte in V3's top-level copy is accepted with warnings; a changed data is refused", () => {
    const top = v3.replace('"numberOfAssignments":1', '"numberOfAssignments":7');
    const back = readMemoryCheckpoint(top, opts("1.37", true));
    assert.equal(back.state.machineState.get(2)?.numberOfAssignments, 1);
    assert.equal(back.warnings.length, 2);
    const data = v3.replace('\\"numberOfAssignments\\":1', '\\"numberOfAssignments\\":7');
    assert.equal(
      restoreFailure(() => readMemoryCheckpoint(data, opts("1.37", true))).detail,
      "could not load v3 checkpoint: checkpoint is corrupted",
    );
  });

  test("policy mismatch carries the memory manager's prefix and file", () => {
    const err = restoreFailure(() =>
      readMemoryCheckpoint(
        v3,
        opts("1.37", true, { configuredPolicy: "None", path: "/x/memory_manager_state" }),
      ),
    );
    assert.equal(
      err.message,
      'could not restore state from checkpoint: [memorymanager] configured policy "None" differs from state checkpoint policy "Static", please drain this node and delete the memory manager checkpoint file "/x/memory_manager_state" before restarting Kubelet',
    );
  });

  test("null NUMA node states are refused with a clear error instead of crashing later", () => {
    const text = '{"policyName":"Static","machineState":{"0":null},"checksum":0}';
    assert.equal(
      restoreFailure(() => readMemoryCheckpoint(text, opts("1.37", true))).detail,
      "machine state of NUMA node 0 is null",
    );
  });

  test("wrong types and syntax errors are reported as the kubelet reports them", () => {
    const typed = '{"policyName":"Static","machineState":{"0":{"numberOfAssignments":"1"}},"checksum":0}';
    assert.equal(
      restoreFailure(() => readMemoryCheckpoint(typed, opts("1.37", true))).detail,
      "json: cannot unmarshal string into Go struct field NUMANodeState.machineState.numberOfAssignments of type int",
    );
    assert.equal(
      restoreFailure(() => readMemoryCheckpoint("[1,]", opts("1.37", true))).detail,
      "invalid character ']' looking for beginning of value",
    );
  });

  test("every truncation and single-byte change ends in a state or a CheckpointError", () => {
    for (let n = 0; n < v3.length; n += 3) {
      try {
        readMemoryCheckpoint(v3.slice(0, n), opts("1.37", true));
      } catch (err) {
        assert.ok(err instanceof CheckpointError, String(err));
      }
    }
    fc.assert(
      fc.property(
        fc.nat(v3.length - 1),
        fc.string({ minLength: 1, maxLength: 1 }),
        fc.constantFrom("1.36", "1.37"),
        fc.boolean(),
        (at, ch, version, gate) => {
          try {
            readMemoryCheckpoint(v3.slice(0, at) + ch + v3.slice(at + 1), opts(version, gate));
          } catch (err) {
            assert.ok(err instanceof CheckpointError, String(err));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("memory checkpoint, pod entries as bare block lists (the kubelet refuses them)", () => {
  // What older podpin versions wrote for 1.36: `"pod1":[Block]`, with the checksum of that shape.
  const bareChecksum = fnv1a32(
    `(*state.MemoryManagerCheckpoint){PolicyName:(string)Static ${machineDump} ${entriesDump} PodEntries:(state.PodMemoryAssignments)map[pod1:[${blockDump}]] Checksum:(checksum.Checksum)0}`,
  );
  const bareBlocks = '"podEntries":{"pod1":[{"numaAffinity":[0],"type":"memory","size":1073741824}]}';
  const bareV2 = `{"policyName":"Static","machineState":${machineJSON},"entries":${entriesJSON},${bareBlocks},"checksum":${bareChecksum}}`;
  const hint =
    'the pod-level entry of pod "pod1" is a bare list of memory blocks, as older podpin versions wrote it; the kubelet reads a pod entry only as {"memoryBlocks": [...]}';

  test("V2: the decode fails, the V1 fallback fails its checksum: corrupted, with a hint", () => {
    for (const version of ["1.36", "1.37"] as const) {
      const err = restoreFailure(() => readMemoryCheckpoint(bareV2, opts(version, true)));
      assert.equal(err.detail, "checkpoint is corrupted");
      assert.equal(err.hint, hint);
    }
  });

  test("V3: a bare list inside data is a hard error naming the Go field", () => {
    const v3 = writeMemoryCheckpoint(small, opts("1.37", true));
    const bad = v3.replace(
      '\\"pod1\\":{\\"memoryBlocks\\":[{\\"numaAffinity\\":[0],\\"type\\":\\"memory\\",\\"size\\":1073741824}]}',
      '\\"pod1\\":[{\\"numaAffinity\\":[0],\\"type\\":\\"memory\\",\\"size\\":1073741824}]',
    );
    assert.notEqual(bad, v3);
    const err = restoreFailure(() => readMemoryCheckpoint(bad, opts("1.37", true)));
    assert.equal(
      err.detail,
      "could not load v3 checkpoint: failed to deserialize memory manager checkpoint data: json: cannot unmarshal array into Go struct field MemoryManagerCheckpointData.podEntries of type state.PodEntry",
    );
    assert.equal(err.hint, hint);
  });

  test("V2 with checksum 0: read as V1, the pod entries dropped with a warning", () => {
    const zeroed = bareV2.replace(/"checksum":\d+/, '"checksum":0');
    const back = readMemoryCheckpoint(zeroed, opts("1.36", true));
    assert.equal(back.format, "v1");
    assert.equal(back.state.podEntries.size, 0);
    assert.deepEqual(back.warnings, [
      "checksum is 0: accepted without verification (compatibility with the old file backend)",
      "V2 checkpoint that cannot be decoded (json: cannot unmarshal array into Go struct field MemoryManagerCheckpointV2.podEntries of type state.PodEntry) is read as V1: its 1 pod-level entry is dropped",
    ]);
  });

  test("a refused file without bare lists gets no such hint", () => {
    const wrong = encodeMemoryCheckpoint(small, "v2").replace(/"checksum":\d+/, '"checksum":1');
    assert.equal(restoreFailure(() => readMemoryCheckpoint(wrong, opts("1.36", true))).hint, null);
  });
});
