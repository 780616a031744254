import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { CPUSet } from "../core/index.js";
import { CheckpointError } from "./errors.js";
import { fnv1a32 } from "./fnv.js";
import { encodeCPUCheckpoint, readCPUCheckpoint, writeCPUCheckpoint, type CPUReadOptions } from "./cpu.js";
import type { CPUStateData } from "../managers/cpu/index.js";
import { SETTINGS, cpuStateArb, cpuView } from "./test-helpers.js";

const small: CPUStateData = {
  policyName: "static",
  defaultCpuSet: CPUSet.parse("0,5-7"),
  entries: new Map([["pod1", new Map([["c1", CPUSet.parse("1-4")]])]]),
  podEntries: new Map([["pod1", CPUSet.parse("1-4")]]),
};

const PATH = "/var/lib/kubelet/cpu_manager_state";
const opts = (
  version: "1.36" | "1.37",
  gate: boolean,
  extra: Partial<CPUReadOptions> = {},
): CPUReadOptions => ({
  version,
  gates: { PodLevelResourceManagers: gate },
  configuredPolicy: "static",
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

describe("CPU checkpoint, byte-exact writes (checkpoints.md §3)", () => {
  // The expected files are put together from the spec: field order, omitempty, and the go-spew
  // dump written out by hand.
  const v2Checksum = fnv1a32(
    "(*state.CPUManagerCheckpoint){PolicyName:(string)static DefaultCPUSet:(string)0,5-7 Entries:(map[string]map[string]string)map[pod1:map[c1:1-4]] Checksum:(checksum.Checksum)0}",
  );
  const v3Checksum = fnv1a32(
    "(*state.CPUManagerCheckpoint){PolicyName:(string)static DefaultCPUSet:(string)0,5-7 Entries:(map[string]map[string]string)map[pod1:map[c1:1-4]] PodEntries:(state.PodCPUAssignments)map[pod1:{CPUSet:(cpuset.CPUSet){elems:(map[int]struct {})map[1:{} 2:{} 3:{} 4:{}]}}] Checksum:(checksum.Checksum)0}",
  );

  test("1.36, gate off: V2", () => {
    assert.equal(
      writeCPUCheckpoint(small, opts("1.36", false)),
      `{"policyName":"static","defaultCpuSet":"0,5-7","entries":{"pod1":{"c1":"1-4"}},"checksum":${v2Checksum}}`,
    );
  });

  test("1.36, gate on: V3", () => {
    assert.equal(
      writeCPUCheckpoint(small, opts("1.36", true)),
      `{"policyName":"static","defaultCpuSet":"0,5-7","entries":{"pod1":{"c1":"1-4"}},"podEntries":{"pod1":{"cpuSet":"1-4"}},"checksum":${v3Checksum}}`,
    );
  });

  test("1.37: V4 dual layout, pod entries only with the gate on", () => {
    const withPods =
      '{"policyName":"static","defaultCpuSet":"0,5-7","entries":{"pod1":{"c1":"1-4"}},"podEntries":{"pod1":{"cpuSet":"1-4"}}}';
    assert.equal(
      writeCPUCheckpoint(small, opts("1.37", true)),
      `{"policyName":"static","defaultCpuSet":"0,5-7","entries":{"pod1":{"c1":"1-4"}},"podEntries":{"pod1":{"cpuSet":"1-4"}},"checksum":0,"data":${JSON.stringify(withPods)},"dataChecksum":${fnv1a32(`(string)${withPods}`)}}`,
    );
    const noPods = '{"policyName":"static","defaultCpuSet":"0,5-7","entries":{"pod1":{"c1":"1-4"}}}';
    assert.equal(
      writeCPUCheckpoint(small, opts("1.37", false)),
      `{"policyName":"static","defaultCpuSet":"0,5-7","entries":{"pod1":{"c1":"1-4"}},"checksum":0,"data":${JSON.stringify(noPods)},"dataChecksum":${fnv1a32(`(string)${noPods}`)}}`,
    );
  });

  test("empty state: entries and podEntries omitted, an empty pod set written as {}", () => {
    const empty: CPUStateData = {
      policyName: "none",
      defaultCpuSet: CPUSet.empty,
      entries: new Map(),
      podEntries: new Map(),
    };
    assert.match(
      encodeCPUCheckpoint(empty, "v2"),
      /^\{"policyName":"none","defaultCpuSet":"","checksum":\d+\}$/,
    );
    const emptyPod = { ...empty, podEntries: new Map([["p", CPUSet.empty]]) };
    assert.match(encodeCPUCheckpoint(emptyPod, "v3"), /"podEntries":\{"p":\{\}\}/);
  });
});

describe("CPU checkpoint, round trips", () => {
  for (const s of SETTINGS) {
    test(`write then read, ${s.version} gate ${s.gates.PodLevelResourceManagers ? "on" : "off"}`, () => {
      fc.assert(
        fc.property(cpuStateArb, (state) => {
          const text = writeCPUCheckpoint(state, s);
          const back = readCPUCheckpoint(text, { ...s, configuredPolicy: state.policyName });
          const keepsPods = s.gates.PodLevelResourceManagers;
          const expected = keepsPods ? state : { ...state, podEntries: new Map() };
          assert.deepEqual(cpuView(back.state), cpuView(expected));
          assert.equal(back.format, s.version === "1.37" ? "v4" : keepsPods ? "v3" : "v2");
          // Random states may give two pods one CPU, which the reader reports (kubelets do not).
          assert.deepEqual(
            back.warnings.filter((w) => !w.includes(" both hold CPUs ")),
            [],
          );
        }),
        { numRuns: 60 },
      );
    });
  }

  test("1.37 reads what 1.36 wrote, with either gate", () => {
    for (const gate of [false, true]) {
      const back = readCPUCheckpoint(writeCPUCheckpoint(small, opts("1.36", gate)), opts("1.37", true));
      assert.deepEqual(cpuView(back.state), cpuView(gate ? small : { ...small, podEntries: new Map() }));
    }
  });

  test("1.36 reads a 1.37 file from its top-level copy and loses the pod entries (§3.4)", () => {
    const back = readCPUCheckpoint(writeCPUCheckpoint(small, opts("1.37", true)), opts("1.36", true));
    assert.equal(back.format, "v2");
    assert.deepEqual(cpuView(back.state), cpuView({ ...small, podEntries: new Map() }));
    assert.ok(back.warnings.some((w) => w.includes("pod entries are lost")));
  });

  test("a V3 file (1.36, gate on) is corrupted for a kubelet with the gate off (§6)", () => {
    const err = restoreFailure(() =>
      readCPUCheckpoint(writeCPUCheckpoint(small, opts("1.36", true)), opts("1.36", false)),
    );
    assert.equal(err.detail, "checkpoint is corrupted");
  });
});

describe("CPU checkpoint, damaged files", () => {
  const v4 = writeCPUCheckpoint(small, opts("1.37", true));

  test("errors name the file and carry the kubelet's wrapper", () => {
    const err = restoreFailure(() =>
      readCPUCheckpoint("{", opts("1.37", true, { path: "/tmp/x/cpu_manager_state" })),
    );
    assert.equal(
      err.message,
      'could not restore state from checkpoint: unexpected end of JSON input, please drain this node and delete the CPU manager checkpoint file "/tmp/x/cpu_manager_state" before restarting Kubelet',
    );
    assert.equal(err.path, "/tmp/x/cpu_manager_state");
  });

  test("a V4 file whose data fails verification is a hard error, never read as V3/V2", () => {
    const tampered = v4.replace('\\"0,5-7\\"', '\\"0,5-8\\"');
    assert.notEqual(tampered, v4);
    const err = restoreFailure(() => readCPUCheckpoint(tampered, opts("1.37", true)));
    assert.equal(err.detail, "could not load v4 checkpoint: checkpoint is corrupted");
    assert.equal(err.path, PATH);
  });

  test("a changed top-level checksum or copy of V4 is accepted, with warnings", () => {
    const back = readCPUCheckpoint(
      v4
        .replace('"checksum":0', '"checksum":77')
        .replace('"c1":"1-4"}},"podEntries"', '"c1":"1-5"}},"podEntries"'),
      opts("1.37", true),
    );
    assert.deepEqual(cpuView(back.state), cpuView(small));
    assert.equal(back.warnings.length, 2);
  });

  test("checksum 0 in V2 means no checksum", () => {
    const text = encodeCPUCheckpoint(small, "v2").replace(/"checksum":\d+/, '"checksum":0');
    const back = readCPUCheckpoint(text, opts("1.37", false));
    assert.equal(back.format, "v2");
    assert.ok(back.warnings[0].includes("checksum is 0"));
  });

  test("a wrong V2 checksum is corrupted; ignoreChecksums accepts it with a warning", () => {
    const text = encodeCPUCheckpoint(small, "v2").replace(/"checksum":\d+/, '"checksum":5');
    assert.equal(
      restoreFailure(() => readCPUCheckpoint(text, opts("1.37", true))).detail,
      "checkpoint is corrupted",
    );
    const back = readCPUCheckpoint(text, opts("1.37", true, { ignoreChecksums: true }));
    assert.equal(back.format, "v3");
    assert.equal(back.warnings.length, 1);
  });

  test("policy mismatch and unparsable sets give the kubelet's texts", () => {
    const none = readCPUCheckpoint.bind(null, writeCPUCheckpoint(small, opts("1.37", true)));
    assert.equal(
      restoreFailure(() => none(opts("1.37", true, { configuredPolicy: "none" }))).detail,
      'configured policy "none" differs from state checkpoint policy "static"',
    );
    const bad =
      '{"policyName":"static","defaultCpuSet":"0-3","entries":{"p":{"b":"1","a":"x"}},"checksum":0}';
    assert.equal(
      restoreFailure(() => readCPUCheckpoint(bad, opts("1.37", true))).detail,
      'could not parse cpuset "x" for container "a" in pod "p": strconv.Atoi: parsing "x": invalid syntax',
    );
  });

  test("wrong types are reported, not thrown", () => {
    const err = restoreFailure(() =>
      readCPUCheckpoint('{"policyName":"static","defaultCpuSet":3,"checksum":0}', opts("1.37", true)),
    );
    assert.match(
      err.detail,
      /^json: cannot unmarshal number into Go struct field CPUManagerCheckpointV2\.defaultCpuSet of type string$/,
    );
  });

  test("V1 files migrate with the initial containers, and explain themselves without", () => {
    const v1 = '{"policyName":"static","defaultCpuSet":"0","entries":{"cid-1":"1-2"},"checksum":0}';
    const initial = new Map([["cid-1", { podUID: "pod", containerName: "c" }]]);
    const back = readCPUCheckpoint(v1, opts("1.37", true, { initialContainers: initial }));
    assert.equal(back.format, "v1");
    assert.deepEqual(cpuView(back.state).entries, [["pod", [["c", "1-2"]]]]);
    const err = restoreFailure(() => readCPUCheckpoint(v1, opts("1.37", true)));
    assert.equal(
      err.detail,
      "failed to migrate checkpoint from v1 to v2: containerID 'cid-1' not found in initial containers list",
    );
    assert.match(err.hint ?? "", /V1 checkpoint/);
  });

  test("every truncation and single-byte change ends in a state or a CheckpointError", () => {
    for (let n = 0; n < v4.length; n++) {
      try {
        readCPUCheckpoint(v4.slice(0, n), opts("1.37", true));
      } catch (err) {
        assert.ok(err instanceof CheckpointError, String(err));
      }
    }
    fc.assert(
      fc.property(
        fc.nat(v4.length - 1),
        fc.string({ minLength: 1, maxLength: 1 }),
        fc.constantFrom("1.36", "1.37"),
        (at, ch, version) => {
          const text = v4.slice(0, at) + ch + v4.slice(at + 1);
          try {
            readCPUCheckpoint(text, opts(version, true));
          } catch (err) {
            assert.ok(err instanceof CheckpointError, String(err));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
