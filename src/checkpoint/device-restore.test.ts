import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type DeviceCheckpointData, type DeviceCheckpointEntryV2, encodeDeviceCheckpoint } from "./device.js";
import { readDeviceCheckpoint } from "./device-read.js";
import { SKIPPED_ALLOCRESP, restoreDeviceCheckpoint } from "./device-restore.js";

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex"));
const ENVS_A1 = hex("0a 06 0a 01 41 12 01 31");
const BAD_UTF8 = hex("0a 06 0a 01 ff 12 01 31");

function entry(
  pod: string,
  ctr: string,
  res: string,
  ids: [number, string[]][],
  allocResp: Uint8Array | null = ENVS_A1,
): DeviceCheckpointEntryV2 {
  return { podUID: pod, containerName: ctr, resourceName: res, deviceIDs: new Map(ids), allocResp };
}

function file(entries: DeviceCheckpointEntryV2[] | null, registered: [string, string[]][] = []): string {
  return encodeDeviceCheckpoint({
    layout: "V2",
    podDeviceEntries: entries,
    registeredDevices: new Map(registered),
  });
}

const records = (text: string | null, gen: "current" | "v1Fallback" = "current") => {
  const v = restoreDeviceCheckpoint(text, gen);
  return v.restored?.entries.map((e) => [
    e.podUID,
    e.containerName,
    e.resourceName,
    Object.fromEntries(e.deviceIDs),
  ]);
};

describe("device checkpoint restore (checkpoints.md §9.5)", () => {
  test("no file: not an error, empty", () => {
    const v = restoreDeviceCheckpoint(null, "current");
    assert.equal(v.error, null);
    assert.equal(v.loadedAs, "absent");
    assert.deepEqual(records(null), []);
  });

  test("records by pod, container, resource; allocatedDevices the union, with a key per resource", () => {
    const text = file(
      [
        entry("p2", "c", "gpu", [
          [0, ["g1", "g2"]],
          [1, ["g2"]],
        ]),
        entry("p1", "c", "gpu", [[-1, ["g3"]]]),
        entry("p1", "c", "nic", []),
      ],
      [
        ["gpu", ["g9"]],
        ["fpga", []],
      ],
    );
    const v = restoreDeviceCheckpoint(text, "current");
    assert.equal(v.loadedAs, "V2");
    assert.deepEqual(records(text), [
      ["p1", "c", "gpu", { "-1": ["g3"] }],
      ["p1", "c", "nic", {}],
      ["p2", "c", "gpu", { 0: ["g1", "g2"], 1: ["g2"] }],
    ]);
    assert.deepEqual(
      [...(v.restored?.allocatedDevices ?? [])],
      [
        ["gpu", ["g1", "g2", "g3"]],
        ["nic", []],
      ],
    );
    assert.deepEqual(v.restored?.state.registeredResources, ["fpga", "gpu"]);
    assert.deepEqual(v.warnings, []);
  });

  test("a later entry for the same pod, container and resource replaces an earlier one", () => {
    const text = file([entry("p", "c", "gpu", [[0, ["old"]]]), entry("p", "c", "gpu", [[1, ["new"]]])]);
    assert.deepEqual(records(text), [["p", "c", "gpu", { 1: ["new"] }]]);
    assert.deepEqual(restoreDeviceCheckpoint(text, "current").restored?.allocatedDevices.get("gpu"), ["new"]);
    assert.match(restoreDeviceCheckpoint(text, "current").warnings.join("\n"), /p\/c\/gpu appears 2 times/);
  });

  test("an entry whose AllocResp does not decode is skipped; the file is accepted", () => {
    const text = file([
      entry("p", "a", "gpu", [[0, ["g1"]]], hex("0a ff")),
      entry("p", "b", "gpu", [[0, ["g2"]]]),
    ]);
    for (const gen of ["current", "v1Fallback"] as const) {
      const v = restoreDeviceCheckpoint(text, gen);
      assert.equal(v.error, null);
      assert.deepEqual(records(text, gen), [["p", "b", "gpu", { 0: ["g2"] }]]);
      assert.deepEqual(
        v.restored?.skippedEntries.map((s) => [s.podUID, s.containerName, s.resourceName, s.reason]),
        [["p", "a", "gpu", SKIPPED_ALLOCRESP]],
      );
      assert.match(v.warnings.join("\n"), /p\/a\/gpu is dropped/);
    }
  });

  test("invalid UTF-8 in AllocResp: current kubelets skip the entry, gogo-era ones keep it", () => {
    const text = file([entry("p", "c", "gpu", [[0, ["g"]]], BAD_UTF8)]);
    assert.deepEqual(records(text, "current"), []);
    assert.deepEqual(records(text, "v1Fallback"), [["p", "c", "gpu", { 0: ["g"] }]]);
  });

  test("AllocResp null restores as an empty answer, with a warning", () => {
    const text = file([entry("p", "c", "gpu", [[0, ["g"]]], null)]);
    const v = restoreDeviceCheckpoint(text, "current");
    assert.equal(v.restored?.entries[0].response.envs.size, 0);
    assert.equal(v.restored?.entries[0].allocResp, null);
    assert.match(v.warnings.join("\n"), /AllocResp is null/);
  });

  test("a V1 file: refused by current kubelets, read under NUMA node 0 by the V1-fallback ones", () => {
    const v1: DeviceCheckpointData = {
      layout: "V1",
      podDeviceEntries: [
        { podUID: "p", containerName: "c", resourceName: "gpu", deviceIDs: ["b", "a"], allocResp: ENVS_A1 },
      ],
      registeredDevices: new Map([["gpu", ["a", "b"]]]),
    };
    const text = encodeDeviceCheckpoint(v1);
    const current = restoreDeviceCheckpoint(text, "current");
    assert.equal(
      current.error,
      "json: cannot unmarshal array into Go struct field PodDevicesEntry.Data.PodDeviceEntries.DeviceIDs of type checkpoint.DevicesPerNUMA",
    );
    assert.match(current.hint ?? "", /V1 device checkpoint/);
    const old = restoreDeviceCheckpoint(text, "v1Fallback");
    assert.equal(old.loadedAs, "V1");
    assert.deepEqual(records(text, "v1Fallback"), [["p", "c", "gpu", { 0: ["b", "a"] }]]);
    // A damaged V1 file gives the current-layout error, also with the fallback.
    const damaged = text.replace(/"Checksum":\d+/, '"Checksum":1');
    assert.equal(restoreDeviceCheckpoint(damaged, "v1Fallback").error, current.error);
  });

  test("a V1 file without entries is a current one", () => {
    const text = encodeDeviceCheckpoint({
      layout: "V1",
      podDeviceEntries: null,
      registeredDevices: new Map([["gpu", []]]),
    });
    assert.equal(text, file(null, [["gpu", []]]));
    for (const gen of ["current", "v1Fallback"] as const)
      assert.equal(restoreDeviceCheckpoint(text, gen).loadedAs, "V2");
  });

  test("accepted quirks are reported", () => {
    const text = file([entry("p", "c", "gpu", [[0, ["g"]]])], [["gpu", []]])
      .replace('"Data"', '"data"')
      .replace('"0":', '"00":')
      .replace(/}$/, ',"BootID":"x","Extra":1}');
    const v = restoreDeviceCheckpoint(text, "current");
    assert.equal(v.error, null);
    const w = v.warnings.join("\n");
    assert.match(w, /"data" match the kubelet's field names only without regard to case/);
    assert.match(w, /"BootID" is not read by any released kubelet/);
    assert.match(w, /unknown keys "Extra"/);
    assert.match(w, /NUMA keys "00"/);
  });

  test("--ignore-checksum restores a file whose only fault is its checksum", () => {
    const text = file([entry("p", "c", "gpu", [[0, ["g"]]])]).replace(/"Checksum":\d+/, '"Checksum":7');
    assert.equal(restoreDeviceCheckpoint(text, "current").error, "checkpoint is corrupted");
    const v = restoreDeviceCheckpoint(text, "current", { ignoreChecksum: true });
    assert.equal(v.error, null);
    assert.match(v.warnings[0], /Checksum 7 does not match the content \(computed \d+\); accepted as asked/);
  });
});

describe("readDeviceCheckpoint (OPEN CK-6)", () => {
  test("a file the kubelet cannot restore gives its error and an empty state, not a refusal", () => {
    const r = readDeviceCheckpoint("{}", { path: "/x/device-plugins/kubelet_internal_checkpoint" });
    assert.equal(r.format, "none");
    assert.equal(r.state.podDevices.size, 0);
    assert.equal(r.error?.detail, "checkpoint is corrupted");
    assert.equal(r.error?.manager, "device");
    assert.match(
      r.error?.message ?? "",
      /^Continue after failing to read checkpoint file\. Device allocation info may NOT be up-to-date: checkpoint is corrupted/,
    );
    assert.match(r.error?.message ?? "", /"\/x\/device-plugins\/kubelet_internal_checkpoint"/);
  });

  test("a restored file gives the Device Manager's state", () => {
    const r = readDeviceCheckpoint(file([entry("p", "c", "gpu", [[0, ["g"]]])], [["gpu", ["g"]]]));
    assert.equal(r.format, "v2");
    assert.equal(r.error, null);
    assert.deepEqual(r.state.registeredResources, ["gpu"]);
    assert.deepEqual(r.state.podDevices.get("p")?.get("c")?.get("gpu")?.deviceIDs, new Map([[0, ["g"]]]));
  });

  test("no file", () => {
    const r = readDeviceCheckpoint(null);
    assert.equal(r.format, "none");
    assert.equal(r.error, null);
  });
});
