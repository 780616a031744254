import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { encodeContainerAllocateResponse } from "./allocresp.js";
import {
  type DeviceCheckpointData,
  type DeviceCheckpointEntryV1,
  type DeviceCheckpointEntryV2,
  decodeDeviceCheckpoint,
  deviceCheckpointChecksum,
  encodeDeviceCheckpoint,
} from "./device.js";
import { restoreDeviceCheckpoint } from "./device-restore.js";
import { nameArb } from "./test-helpers.js";

const ids = fc.array(nameArb, { maxLength: 4 });
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null, freq: 8 });
const numa = fc.oneof(fc.integer({ min: -1, max: 15 }), fc.integer({ min: -(2 ** 40), max: 2 ** 40 }));
const text = fc.string({ maxLength: 6 });
const allocResp = fc.oneof(
  fc.constant(new Uint8Array(0)),
  fc.uint8Array({ maxLength: 12 }),
  fc
    .record({
      envs: fc
        .uniqueArray(fc.tuple(text, text), { selector: (t) => t[0], maxLength: 2 })
        .map((a) => new Map(a)),
      mounts: fc.array(fc.record({ containerPath: text, hostPath: text, readOnly: fc.boolean() }), {
        maxLength: 2,
      }),
      devices: fc.array(fc.record({ containerPath: text, hostPath: text, permissions: text }), {
        maxLength: 2,
      }),
      annotations: fc.constant(new Map<string, string>()),
      cdiDevices: fc.array(text, { maxLength: 2 }),
      unknownFields: fc.constant(0),
    })
    .map(encodeContainerAllocateResponse),
);
const common = {
  podUID: nameArb,
  containerName: nameArb,
  resourceName: nameArb,
  allocResp: maybe(allocResp),
};
const entryV2: fc.Arbitrary<DeviceCheckpointEntryV2> = fc.record({
  ...common,
  deviceIDs: maybe(
    fc
      .uniqueArray(fc.tuple(numa, maybe(ids)), { selector: (t) => t[0], maxLength: 4 })
      .map((a) => new Map(a)),
  ),
});
const entryV1: fc.Arbitrary<DeviceCheckpointEntryV1> = fc.record({ ...common, deviceIDs: maybe(ids) });
const registered = maybe(
  fc
    .uniqueArray(fc.tuple(nameArb, maybe(ids)), { selector: (t) => t[0], maxLength: 3 })
    .map((a) => new Map(a)),
);
const dataArb: fc.Arbitrary<DeviceCheckpointData> = fc.oneof(
  fc.record({
    layout: fc.constant("V2" as const),
    podDeviceEntries: maybe(fc.array(entryV2, { maxLength: 5 })),
    registeredDevices: registered,
  }),
  fc.record({
    layout: fc.constant("V1" as const),
    podDeviceEntries: maybe(fc.array(entryV1, { maxLength: 5 })),
    registeredDevices: registered,
  }),
);

/** Maps as sorted entry lists, bytes as arrays: a form deepEqual compares by content. */
function view(d: DeviceCheckpointData): unknown {
  const sortedEntries = <V>(m: Map<string | number, V>) =>
    [...m].sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1));
  return {
    layout: d.layout,
    entries:
      d.podDeviceEntries?.map((e) => ({
        ...e,
        deviceIDs: e.deviceIDs instanceof Map ? sortedEntries(e.deviceIDs) : e.deviceIDs,
        allocResp: e.allocResp === null ? null : [...e.allocResp],
      })) ?? null,
    registered: d.registeredDevices === null ? null : sortedEntries(d.registeredDevices),
  };
}

/** A V1 file without an entry holding devices is also a valid current file (§9.3). */
function readsAsCurrent(d: DeviceCheckpointData): boolean {
  return d.layout === "V2" || (d.podDeviceEntries ?? []).length === 0;
}

describe("device checkpoint properties", () => {
  test("encode then decode gives the data back, and the checksum verifies", () => {
    fc.assert(
      fc.property(dataArb, (data) => {
        const file = encodeDeviceCheckpoint(data);
        const back = decodeDeviceCheckpoint(file, data.layout);
        assert.ok(back.ok, back.ok ? "" : back.error);
        assert.equal(back.checksum, deviceCheckpointChecksum(data));
        assert.deepEqual(view(back.data), view(data));
        const verdict = restoreDeviceCheckpoint(file, "v1Fallback");
        assert.equal(verdict.error, null);
        if (readsAsCurrent(data)) assert.equal(restoreDeviceCheckpoint(file, "current").error, null);
      }),
      { numRuns: 200 },
    );
  });

  const mutation = fc.oneof(
    fc.record({ kind: fc.constant("set" as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), byte: fc.constant(0) }),
    fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant("truncate" as const), at: fc.nat(), byte: fc.constant(0) }),
  );

  test("any byte mutation gives a valid state or the kubelet's error text, never an exception", () => {
    fc.assert(
      fc.property(dataArb, fc.array(mutation, { minLength: 1, maxLength: 3 }), (data, mutations) => {
        let bytes = Buffer.from(encodeDeviceCheckpoint(data), "utf8");
        for (const m of mutations) {
          const at = bytes.length === 0 ? 0 : m.at % bytes.length;
          if (m.kind === "set" && bytes.length > 0) bytes[at] = m.byte;
          else if (m.kind === "delete")
            bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]);
          else if (m.kind === "insert")
            bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([m.byte]), bytes.subarray(at)]);
          else bytes = bytes.subarray(0, at);
        }
        for (const gen of ["current", "v1Fallback"] as const) {
          const v = restoreDeviceCheckpoint(new Uint8Array(bytes), gen);
          if (v.error === null)
            assert.ok(v.restored !== null && (v.loadedAs === "V2" || v.loadedAs === "V1"));
          else {
            assert.equal(typeof v.error, "string");
            assert.ok(v.error.length > 0);
            assert.equal(v.restored, null);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  test("hostile input is answered in bounded time", () => {
    const started = Date.now();
    // Many entries: decoded, hashed and restored.
    const many: DeviceCheckpointData = {
      layout: "V2",
      podDeviceEntries: Array.from({ length: 20000 }, (_, i) => ({
        podUID: `pod-${i % 500}`,
        containerName: `c${i % 7}`,
        resourceName: `r${i % 3}`,
        deviceIDs: new Map([[i % 8, [`dev-${i}`]]]),
        allocResp: new Uint8Array(0),
      })),
      registeredDevices: new Map([["r0", []]]),
    };
    const v = restoreDeviceCheckpoint(encodeDeviceCheckpoint(many), "current");
    assert.equal(v.error, null);
    // Deep nesting: refused at Go's limit without recursion.
    const deep = `${"[".repeat(200000)}${"]".repeat(200000)}`;
    assert.equal(restoreDeviceCheckpoint(deep, "current").error, "invalid character '[' exceeded max depth");
    // Many NUMA keys in one entry, and a long list of huge numbers.
    const keys = Array.from({ length: 50000 }, (_, i) => `"${i}":["x"]`).join(",");
    assert.equal(
      restoreDeviceCheckpoint(
        `{"Data":{"PodDeviceEntries":[{"DeviceIDs":{${keys}}}]},"Checksum":1}`,
        "current",
      ).error,
      "checkpoint is corrupted",
    );
    // An AllocResp of deeply nested unknown groups: that entry is skipped (google) or kept (gogo).
    const groups = Buffer.from([...Array(50000).fill(0x3b), ...Array(50000).fill(0x3c)]).toString("base64");
    const nested = encodeDeviceCheckpoint({
      layout: "V2",
      podDeviceEntries: [
        {
          podUID: "p",
          containerName: "c",
          resourceName: "r",
          deviceIDs: new Map(),
          allocResp: Buffer.from(groups, "base64"),
        },
      ],
      registeredDevices: new Map(),
    });
    assert.equal(restoreDeviceCheckpoint(nested, "current").restored?.skippedEntries.length, 1);
    assert.equal(restoreDeviceCheckpoint(nested, "v1Fallback").restored?.skippedEntries.length, 0);
    assert.ok(Date.now() - started < 8000, `took ${Date.now() - started} ms`);
  });
});
