import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { DeviceStateData } from "../managers/device/index.js";
import {
  type DeviceCheckpointData,
  canonicalDeviceCheckpoint,
  decodeDeviceCheckpoint,
  deviceCheckpointChecksum,
  deviceCheckpointHashInput,
  encodeDeviceCheckpoint,
  writeDeviceCheckpoint,
} from "./device.js";
import { fnv1a32 } from "./fnv.js";

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex"));
const ENVS_A1 = hex("0a 06 0a 01 41 12 01 31");
const UID = "6b3f1a2c-0d4e-4f5a-8b7c-9d0e1f2a3b4c";

/** The worked example of checkpoints.md §9.4. */
function example(
  allocResp: Uint8Array | null,
  registered: [string, string[]][],
): DeviceCheckpointData & { layout: "V2" } {
  return {
    layout: "V2",
    podDeviceEntries: [
      {
        podUID: UID,
        containerName: "trainer",
        resourceName: "example.com/gpu",
        deviceIDs: new Map([
          [-1, ["gpu-x"]],
          [10, ["gpu-10b", "gpu-10a"]],
          [2, ["gpu-2"]],
        ]),
        allocResp,
      },
    ],
    registeredDevices: new Map(registered),
  };
}

const EXAMPLE_FILE = `{"Data":{"PodDeviceEntries":[{"PodUID":"${UID}","ContainerName":"trainer","ResourceName":"example.com/gpu","DeviceIDs":{"-1":["gpu-x"],"10":["gpu-10b","gpu-10a"],"2":["gpu-2"]},"AllocResp":"CgYKAUESATE="}],"RegisteredDevices":{"example.com/gpu":["gpu-2","gpu-10a","gpu-10b","gpu-x","gpu-spare"],"example.com/nic":[]}},"Checksum":1914043452}`;
const EXAMPLE_HASH = `(checkpoint.checkpointData){PodDeviceEntries:([]checkpoint.PodDevicesEntry)[{PodUID:(string)${UID} ContainerName:(string)trainer ResourceName:(string)example.com/gpu DeviceIDs:(checkpoint.DevicesPerNUMA)map[-1:[gpu-x] 2:[gpu-2] 10:[gpu-10b gpu-10a]] AllocResp:([]uint8)[10 6 10 1 65 18 1 49]}] RegisteredDevices:(map[string][]string)map[example.com/gpu:[gpu-2 gpu-10a gpu-10b gpu-x gpu-spare] example.com/nic:[]]}`;
const FULL_REGISTRATION: [string, string[]][] = [
  ["example.com/gpu", ["gpu-2", "gpu-10a", "gpu-10b", "gpu-x", "gpu-spare"]],
  ["example.com/nic", []],
];

function decodeError(text: string | Uint8Array, layout: "V2" | "V1" = "V2"): string | null {
  const r = decodeDeviceCheckpoint(text, layout);
  return r.ok ? null : r.error;
}

describe("device checkpoint checksum (worked example of checkpoints.md §9.4)", () => {
  test("the file, the hashed text and the checksum", () => {
    const data = example(ENVS_A1, FULL_REGISTRATION);
    assert.equal(deviceCheckpointHashInput(data), EXAMPLE_HASH);
    assert.equal(fnv1a32(EXAMPLE_HASH), 1914043452);
    assert.equal(deviceCheckpointChecksum(data), 1914043452);
    assert.equal(encodeDeviceCheckpoint(data), EXAMPLE_FILE);
  });

  test('AllocResp "" and null hash differently', () => {
    const gpu2: [string, string[]][] = [["example.com/gpu", ["gpu-2"]]];
    assert.equal(deviceCheckpointChecksum(example(new Uint8Array(0), gpu2)), 1368250597);
    assert.equal(deviceCheckpointChecksum(example(null, gpu2)), 3209505262);
    assert.match(encodeDeviceCheckpoint(example(new Uint8Array(0), gpu2)), /"AllocResp":""/);
    assert.match(encodeDeviceCheckpoint(example(null, gpu2)), /"AllocResp":null/);
  });

  test("a node without allocations: null and [] entries", () => {
    const none: DeviceCheckpointData = { layout: "V2", podDeviceEntries: null, registeredDevices: new Map() };
    assert.equal(
      encodeDeviceCheckpoint(none),
      '{"Data":{"PodDeviceEntries":null,"RegisteredDevices":{}},"Checksum":3467439661}',
    );
    assert.equal(
      deviceCheckpointHashInput(none),
      "(checkpoint.checkpointData){PodDeviceEntries:([]checkpoint.PodDevicesEntry)<nil> RegisteredDevices:(map[string][]string)map[]}",
    );
    assert.equal(deviceCheckpointChecksum({ ...none, podDeviceEntries: [] }), 2932075448);
    // Missing keys keep the empty list and map the kubelet decodes into.
    assert.equal(decodeError('{"Checksum":2932075448}'), null);
  });

  test("the V1 layout hashes with the names a 1.19 kubelet used", () => {
    const data: DeviceCheckpointData = {
      layout: "V1",
      podDeviceEntries: [
        {
          podUID: UID,
          containerName: "trainer",
          resourceName: "example.com/gpu",
          deviceIDs: ["gpu-x", "gpu-2"],
          allocResp: ENVS_A1,
        },
      ],
      registeredDevices: new Map([["example.com/gpu", ["gpu-2", "gpu-x"]]]),
    };
    assert.equal(deviceCheckpointChecksum(data), 4228788961);
    assert.match(
      deviceCheckpointHashInput(data),
      /^\(checkpoint\.checkpointData\)\{PodDeviceEntries:\(\[\]checkpoint\.PodDevicesEntry\)\[/,
    );
    assert.match(deviceCheckpointHashInput(data), / DeviceIDs:\(\[\]string\)\[gpu-x gpu-2\] /);
    const file = encodeDeviceCheckpoint(data);
    assert.match(file, /"DeviceIDs":\["gpu-x","gpu-2"\]/);
    assert.equal(decodeError(file, "V1"), null);
  });
});

describe("device checkpoint encoding", () => {
  test("escapes strings as Go does and hashes them raw", () => {
    const data: DeviceCheckpointData = {
      layout: "V2",
      podDeviceEntries: [
        {
          podUID: "<pod>&\u2028",
          containerName: 'a"b\\c\n\t\u0001\b\f',
          resourceName: "é/gpu",
          deviceIDs: new Map([[0, ["x"]]]),
          allocResp: new Uint8Array(0),
        },
      ],
      registeredDevices: new Map(),
    };
    const file = encodeDeviceCheckpoint(data);
    assert.match(file, /"PodUID":"\\u003cpod\\u003e\\u0026\\u2028"/);
    assert.match(file, /"ContainerName":"a\\"b\\\\c\\n\\t\\u0001\\b\\f"/);
    assert.match(file, /"ResourceName":"é\/gpu"/);
    assert.ok(
      deviceCheckpointHashInput(data).includes(
        'PodUID:(string)<pod>&\u2028 ContainerName:(string)a"b\\c\n\t\u0001\b\f ',
      ),
    );
    const back = decodeDeviceCheckpoint(file, "V2");
    assert.ok(back.ok);
    assert.equal(back.data.podDeviceEntries?.[0].containerName, 'a"b\\c\n\t\u0001\b\f');
  });

  test("NUMA keys sort as text in the file and as numbers in the hash", () => {
    const data = example(ENVS_A1, FULL_REGISTRATION);
    assert.ok(
      encodeDeviceCheckpoint(data).includes('{"-1":["gpu-x"],"10":["gpu-10b","gpu-10a"],"2":["gpu-2"]}'),
    );
    assert.ok(deviceCheckpointHashInput(data).includes("map[-1:[gpu-x] 2:[gpu-2] 10:[gpu-10b gpu-10a]]"));
  });
});

describe("device checkpoint decoding: the kubelet's error texts", () => {
  const entry = (inner: string) => `{"Data":{"PodDeviceEntries":[{${inner}}]},"Checksum":1}`;

  test("syntax", () => {
    assert.equal(decodeError(""), "unexpected end of JSON input");
    assert.equal(decodeError(EXAMPLE_FILE.slice(0, 100)), "unexpected end of JSON input");
    assert.equal(decodeError("hello"), "invalid character 'h' looking for beginning of value");
    assert.equal(decodeError(`${EXAMPLE_FILE}x`), "invalid character 'x' after top-level value");
    assert.equal(decodeError(`${EXAMPLE_FILE}\n`), null);
  });

  test("checksum", () => {
    assert.equal(decodeError(EXAMPLE_FILE.replace("1914043452", "1914043453")), "checkpoint is corrupted");
    assert.equal(decodeError(EXAMPLE_FILE.replace("1914043452", "0")), "checkpoint is corrupted");
    assert.equal(decodeError(EXAMPLE_FILE.replace(',"Checksum":1914043452', "")), "checkpoint is corrupted");
    // A stored value of 2^32 or more never matches the 32-bit hash.
    assert.equal(
      decodeError(EXAMPLE_FILE.replace("1914043452", String(2 ** 32 + 1914043452))),
      "checkpoint is corrupted",
    );
    assert.equal(decodeError("null"), "checkpoint is corrupted");
    assert.equal(decodeError("{}"), "checkpoint is corrupted");
  });

  test("types", () => {
    const field = (path: string, type: string, kind: string, struct = "PodDevicesEntry") =>
      `json: cannot unmarshal ${kind} into Go struct field ${struct}.${path} of type ${type}`;
    assert.equal(
      decodeError(entry('"DeviceIDs":["a"]')),
      field("Data.PodDeviceEntries.DeviceIDs", "checkpoint.DevicesPerNUMA", "array"),
    );
    assert.equal(
      decodeError(entry('"DeviceIDs":{"0":"a"}')),
      field("Data.PodDeviceEntries.DeviceIDs", "[]string", "string"),
    );
    assert.equal(
      decodeError(entry('"DeviceIDs":{"zero":["a"]}')),
      field("Data.PodDeviceEntries.DeviceIDs", "int64", "number zero"),
    );
    assert.equal(
      decodeError(entry('"DeviceIDs":{"9223372036854775808":["a"]}')),
      field("Data.PodDeviceEntries.DeviceIDs", "int64", "number 9223372036854775808"),
    );
    assert.equal(decodeError(entry('"PodUID":7')), field("Data.PodDeviceEntries.PodUID", "string", "number"));
    assert.equal(
      decodeError(entry('"AllocResp":7')),
      field("Data.PodDeviceEntries.AllocResp", "[]uint8", "number"),
    );
    assert.equal(
      decodeError(entry('"AllocResp":[300]')),
      field("Data.PodDeviceEntries.AllocResp", "uint8", "number 300"),
    );
    assert.equal(
      decodeError('{"Data":{"PodDeviceEntries":{}}}'),
      field("Data.PodDeviceEntries", "[]checkpoint.PodDevicesEntry", "object", "checkpointData"),
    );
    assert.equal(
      decodeError('{"Data":{"PodDeviceEntries":["x"]}}'),
      field("Data.PodDeviceEntries", "checkpoint.PodDevicesEntry", "string", "checkpointData"),
    );
    assert.equal(
      decodeError('{"Data":{"RegisteredDevices":{"r":"x"}}}'),
      field("Data.RegisteredDevices", "[]string", "string", "checkpointData"),
    );
    assert.equal(decodeError('{"Data":[]}'), field("Data", "checkpoint.checkpointData", "array", "Data"));
    assert.equal(decodeError('{"Checksum":"1"}'), field("Checksum", "checksum.Checksum", "string", "Data"));
    assert.equal(decodeError('{"Checksum":-1}'), field("Checksum", "checksum.Checksum", "number -1", "Data"));
    assert.equal(decodeError("[]"), "json: cannot unmarshal array into Go value of type checkpoint.Data");
    // Decoding goes on after a type error; the first one is the result.
    assert.equal(
      decodeError('{"Data":{"PodDeviceEntries":[{"PodUID":1,"AllocResp":"!"}]},"Checksum":"x"}'),
      field("Data.PodDeviceEntries.PodUID", "string", "number"),
    );
    // A map value is decoded before its key is checked.
    assert.equal(
      decodeError(entry('"DeviceIDs":{"x":"y"}')),
      field("Data.PodDeviceEntries.DeviceIDs", "[]string", "string"),
    );
  });

  test("base64", () => {
    assert.equal(decodeError(entry('"AllocResp":"!AAA"')), "illegal base64 data at input byte 0");
    assert.equal(decodeError(entry('"AllocResp":"CgYKAUESAT"')), "illegal base64 data at input byte 8");
    // Line breaks inside are skipped.
    const wrapped = EXAMPLE_FILE.replace('"CgYKAUESATE="', '"CgYK\\nAUES\\r\\nATE="');
    assert.equal(decodeError(wrapped), null);
  });

  test("a V1 file read as the current layout", () => {
    const v1 = '{"Data":{"PodDeviceEntries":[{"PodUID":"p","DeviceIDs":["a"]}]},"Checksum":1}';
    assert.equal(
      decodeError(v1),
      "json: cannot unmarshal array into Go struct field PodDevicesEntry.Data.PodDeviceEntries.DeviceIDs of type checkpoint.DevicesPerNUMA",
    );
  });

  test("invalid UTF-8 bytes: one U+FFFD each inside strings, named as bytes outside", () => {
    const bytes = Buffer.concat([
      Buffer.from('{"Data":{"RegisteredDevices":{"r'),
      Buffer.from([0xe2, 0x82]),
      Buffer.from('":[]}}}'),
    ]);
    const r = decodeDeviceCheckpoint(bytes, "V2");
    assert.ok(!r.ok && r.mismatch);
    assert.deepEqual([...(r.mismatch.data.registeredDevices?.keys() ?? [])], ["r\ufffd\ufffd"]);
    assert.equal(
      decodeError(Uint8Array.from([0xff, 0x7b])),
      "invalid character 'ÿ' looking for beginning of value",
    );
    const err = decodeDeviceCheckpoint(Uint8Array.from([0xe2, 0x82, 0x41]), "V2");
    assert.equal(err.ok ? null : err.error, "invalid character 'â' looking for beginning of value");
  });
});

describe("device checkpoint decoding: what Go accepts", () => {
  test("keys without regard to case, unknown keys, repeated keys, NUMA key spellings", () => {
    const lower = EXAMPLE_FILE.replace(
      /"(Data|PodDeviceEntries|PodUID|ContainerName|ResourceName|DeviceIDs|AllocResp|RegisteredDevices|Checksum)"/g,
      (k) => k.toLowerCase(),
    );
    assert.equal(decodeError(lower), null);
    assert.equal(decodeError(EXAMPLE_FILE.replace(/}$/, ',"BootID":"b"}')), null);
    assert.equal(decodeError(EXAMPLE_FILE.replace('"-1":', '"-01":').replace('"2":', '"+2":')), null);
    const merged = '{"Data":{"RegisteredDevices":{"a":["1"]},"RegisteredDevices":{"b":["2"]}},"Checksum":0}';
    const r = decodeDeviceCheckpoint(merged, "V2");
    assert.ok(!r.ok && r.mismatch);
    assert.deepEqual(
      [...(r.mismatch.data.registeredDevices ?? [])],
      [
        ["a", ["1"]],
        ["b", ["2"]],
      ],
    );
  });

  test("a repeated entry list decodes into the entries already there, as Go reuses slice elements", () => {
    const text =
      '{"Data":{"PodDeviceEntries":[{"PodUID":"p","ContainerName":"c"}],"PodDeviceEntries":[{"PodUID":"q"}]}}';
    const r = decodeDeviceCheckpoint(text, "V2");
    assert.ok(!r.ok && r.mismatch);
    const e = r.mismatch.data.podDeviceEntries?.[0];
    assert.equal(e?.podUID, "q");
    assert.equal(e?.containerName, "c");
  });

  test("nesting beyond Go's limit of 10000 is refused with its words, quickly", () => {
    const deep = (n: number) => `{"x":${"[".repeat(n)}${"]".repeat(n)},"Checksum":2932075448}`;
    assert.equal(decodeError(deep(9999)), null);
    assert.equal(decodeError(deep(10000)), "invalid character '[' exceeded max depth");
  });
});

describe("podpin's canonical writer (OPEN CK-6…CK-8)", () => {
  const state: DeviceStateData = {
    podDevices: new Map([
      [
        "pod-b",
        new Map([
          [
            "main",
            new Map([["example.com/gpu", { deviceIDs: new Map([[1, ["g3", "g1"]]]), allocResp: null }]]),
          ],
        ]),
      ],
      [
        "pod-a",
        new Map([
          [
            "side",
            new Map([
              ["example.com/nic", { deviceIDs: new Map([[-1, ["n1"]]]), allocResp: ENVS_A1 }],
              ["example.com/gpu", { deviceIDs: new Map([[0, ["g0"]]]), allocResp: null }],
            ]),
          ],
        ]),
      ],
    ]),
    registeredResources: ["example.com/nic", "example.com/gpu"],
  };

  test("entries by pod, container, resource; ids ascending; AllocResp kept or empty", () => {
    const file = writeDeviceCheckpoint(state, new Map([["example.com/gpu", ["g3", "g0", "g1", "g3"]]]));
    const r = decodeDeviceCheckpoint(file, "V2");
    assert.ok(r.ok);
    const names = r.data.podDeviceEntries?.map((e) => `${e.podUID}/${e.containerName}/${e.resourceName}`);
    assert.deepEqual(names, [
      "pod-a/side/example.com/gpu",
      "pod-a/side/example.com/nic",
      "pod-b/main/example.com/gpu",
    ]);
    assert.ok(file.includes('"DeviceIDs":{"1":["g1","g3"]},"AllocResp":""'));
    assert.ok(file.includes('"AllocResp":"CgYKAUESATE="'));
    assert.ok(
      file.endsWith(
        `"RegisteredDevices":{"example.com/gpu":["g0","g1","g3"],"example.com/nic":[]}},"Checksum":${r.checksum}}`,
      ),
    );
    assert.ok(!file.includes("BootID"));
  });

  test("no record: null entries", () => {
    assert.equal(
      writeDeviceCheckpoint({ podDevices: new Map(), registeredResources: [] }),
      '{"Data":{"PodDeviceEntries":null,"RegisteredDevices":{}},"Checksum":3467439661}',
    );
  });

  test("canonical order of any data keeps equal entries in order", () => {
    const data = example(ENVS_A1, FULL_REGISTRATION);
    const twice: DeviceCheckpointData = {
      ...data,
      podDeviceEntries: [...(data.podDeviceEntries ?? []), { ...data.podDeviceEntries![0], allocResp: null }],
    };
    const c = canonicalDeviceCheckpoint(twice);
    assert.equal(c.podDeviceEntries?.[1].allocResp, null);
    assert.deepEqual(c.layout === "V2" && c.podDeviceEntries?.[0].deviceIDs?.get(10), ["gpu-10a", "gpu-10b"]);
  });
});
