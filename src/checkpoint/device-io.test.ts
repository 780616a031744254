import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import type { DeviceStateData } from "../managers/device/index.js";
import { readStateDir, writeStateDir } from "./io.js";

const root = mkdtempSync(join(tmpdir(), "podpin-device-checkpoint-"));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => {
  const d = join(root, `d${n++}`);
  mkdirSync(d);
  return d;
};

const settings = { version: "1.37", gates: { PodLevelResourceManagers: true } } as const;
const readOpts = { ...settings, cpuPolicy: "static", memoryPolicy: "Static" };
const state: DeviceStateData = {
  podDevices: new Map([
    [
      "pod",
      new Map([
        ["c", new Map([["example.com/gpu", { deviceIDs: new Map([[0, ["g1"]]]), allocResp: null }]])],
      ]),
    ],
  ]),
  registeredResources: ["example.com/gpu"],
};

describe("the device checkpoint in a kubelet state directory", () => {
  test("absent: an empty state, not an error", () => {
    const r = readStateDir(freshDir(), readOpts);
    assert.ok(r.device.ok);
    assert.equal(r.device.result.format, "none");
    assert.equal(r.device.result.error, null);
  });

  test("written atomically into device-plugins/ (created when missing) and read back", () => {
    const dir = freshDir();
    writeStateDir(
      dir,
      { device: { state, healthyDevices: new Map([["example.com/gpu", ["g2", "g1"]]]) } },
      settings,
    );
    assert.deepEqual(readdirSync(join(dir, "device-plugins")), ["kubelet_internal_checkpoint"]);
    const text = readFileSync(join(dir, "device-plugins", "kubelet_internal_checkpoint"), "utf8");
    assert.match(text, /"RegisteredDevices":\{"example\.com\/gpu":\["g1","g2"\]\}/);
    const r = readStateDir(dir, readOpts);
    assert.ok(r.device.ok);
    assert.equal(r.device.result.format, "v2");
    assert.deepEqual(r.device.result.state.registeredResources, ["example.com/gpu"]);
    assert.deepEqual(
      r.device.result.state.podDevices.get("pod")?.get("c")?.get("example.com/gpu")?.deviceIDs,
      new Map([[0, ["g1"]]]),
    );
    // The CPU and memory files are untouched and still absent.
    assert.ok(r.cpu.ok && r.cpu.result.format === "none");
  });

  test("corrupted: the kubelet's error, an empty state, and the other files unaffected", () => {
    const dir = freshDir();
    mkdirSync(join(dir, "device-plugins"));
    writeFileSync(join(dir, "device-plugins", "kubelet_internal_checkpoint"), '{"Checksum":1}');
    const r = readStateDir(dir, readOpts);
    assert.ok(r.device.ok);
    assert.equal(r.device.result.error?.detail, "checkpoint is corrupted");
    assert.equal(r.device.result.state.podDevices.size, 0);
    assert.ok(r.memory.ok);
  });

  test("a file that cannot be read at all is an outcome error naming it", () => {
    const dir = freshDir();
    mkdirSync(join(dir, "device-plugins", "kubelet_internal_checkpoint"), { recursive: true });
    const r = readStateDir(dir, readOpts);
    assert.ok(!r.device.ok);
    assert.match(r.device.error.message, /could not read checkpoint file ".*kubelet_internal_checkpoint"/);
  });
});
