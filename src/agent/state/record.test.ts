import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { StateDirError } from "./errors.js";
import { contentHash } from "./files.js";
import { decodeRecord, encodeRecord, type StateRecord } from "./record.js";

const PATH = "/var/lib/podpin/podpin_agent_state";

function record(): StateRecord {
  const file = (text: string) => ({ hash: contentHash(text), previous: [] });
  return {
    generation: 3,
    kubernetesVersion: "1.37",
    podLevelResourceManagers: true,
    files: {
      cpu_manager_state: { hash: contentHash("b"), previous: [contentHash("a"), null], content: "b" },
      memory_manager_state: file("m"),
      "device-plugins/kubelet_internal_checkpoint": file("d"),
    },
    pods: [
      { uid: "u1", object: { kind: "Pod", metadata: { name: "p", uid: "u1" }, spec: { note: 'é\u2028"' } } },
      { uid: "u2", fromCheckpoints: { name: "uid u2", namespace: "", containers: ["a"] } },
    ],
    devices: { "example.com/gpu": [{ id: "gpu-0", numaNodes: [0], healthy: false }] },
    devicesInUse: { "example.com/gpu": ["gpu-0"] },
  };
}

function expectCorrupted(text: string, what: RegExp): void {
  assert.throws(
    () => decodeRecord(text, PATH),
    (err: unknown) => {
      assert.ok(err instanceof StateDirError);
      assert.equal(err.reason, "corrupted");
      assert.equal(err.path, PATH);
      assert.doesNotMatch(err.message, /\n/);
      assert.match(err.message, new RegExp(`^podpin agent state "${PATH}" is corrupted: `));
      assert.match(err.message, what);
      assert.match(
        err.message,
        /restore it from a backup, or delete it to start from the kubelet checkpoint files alone/,
      );
      return true;
    },
  );
}

describe("the agent's record", () => {
  test("round-trips, with its own checksum over the exact data", () => {
    const text = encodeRecord(record());
    assert.deepEqual(decodeRecord(text, PATH), record());
    const outer = JSON.parse(text) as {
      apiVersion: string;
      kind: string;
      data: string;
      dataChecksum: string;
    };
    assert.equal(outer.apiVersion, "podpin/v1");
    assert.equal(outer.kind, "PodpinAgentState");
    assert.equal(outer.dataChecksum, contentHash(outer.data));
  });

  test("bigints of a YAML reader are kept as numbers, or as text beyond 2^53", () => {
    const r = record();
    r.pods = [{ uid: "u1", object: { small: 7n, big: 2n ** 64n } }];
    const back = decodeRecord(encodeRecord(r), PATH).pods[0] as { object: unknown };
    assert.deepEqual(back.object, { small: 7, big: "18446744073709551616" });
  });

  test("a changed byte in the data is caught by the checksum", () => {
    const text = encodeRecord(record()).replace('"generation\\":3', '"generation\\":4');
    expectCorrupted(text, /dataChecksum sha256:[0-9a-f]{64} does not match its data \(sha256:/);
  });

  test("a truncated, empty or foreign file is refused naming the file", () => {
    const text = encodeRecord(record());
    expectCorrupted(text.slice(0, text.length >> 1), /not JSON/);
    expectCorrupted("", /the file is empty/);
    expectCorrupted('{"apiVersion":"v1","kind":"Pod"}', /apiVersion: /);
    expectCorrupted("[]", /expected object/);
  });

  test("data that does not have the record's shape is refused with the field", () => {
    const withData = (data: string) =>
      JSON.stringify({
        apiVersion: "podpin/v1",
        kind: "PodpinAgentState",
        data,
        dataChecksum: contentHash(data),
      });
    expectCorrupted(withData("{"), /data is not JSON/);
    const body = JSON.parse(JSON.parse(encodeRecord(record())).data) as Record<string, unknown>;
    expectCorrupted(withData(JSON.stringify({ ...body, generation: 0 })), /data: generation: /);
    const files = body.files as Record<string, Record<string, unknown>>;
    files.cpu_manager_state.hash = "md5:00";
    expectCorrupted(
      withData(JSON.stringify(body)),
      /data: files\.cpu_manager_state\.hash: a sha256:<hex> hash/,
    );
    files.cpu_manager_state.hash = contentHash("b");
    delete files.cpu_manager_state.content;
    expectCorrupted(withData(JSON.stringify(body)), /content missing for a file with earlier versions/);
  });
});
