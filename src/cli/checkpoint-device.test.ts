import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { encodeDeviceCheckpoint } from "../checkpoint/index.js";
import { checkpoint } from "./checkpoint.js";

const EX = join(import.meta.dirname, "../../examples");
const CONFIG = join(EX, "kubelet-pod-scope.yaml");
const root = mkdtempSync(join(tmpdir(), "podpin-device-state-"));
after(() => rmSync(root, { recursive: true, force: true }));

function stateDir(name: string, content: string): string {
  const dir = join(root, name);
  mkdirSync(join(dir, "device-plugins"), { recursive: true });
  writeFileSync(join(dir, "device-plugins", "kubelet_internal_checkpoint"), content);
  return dir;
}

const FILE = encodeDeviceCheckpoint({
  layout: "V2",
  podDeviceEntries: [
    {
      podUID: "uid-train",
      containerName: "trainer",
      resourceName: "nvidia.com/gpu",
      deviceIDs: new Map([
        [0, ["GPU-0"]],
        [-1, ["GPU-x"]],
      ]),
      allocResp: Uint8Array.from(Buffer.from("0a060a0141120131", "hex")),
    },
  ],
  registeredDevices: new Map([["nvidia.com/gpu", ["GPU-0", "GPU-x", "GPU-1"]]]),
});

describe("podpin checkpoint: the device checkpoint", () => {
  test("is read next to the CPU and memory files and shown", () => {
    const r = checkpoint(stateDir("ok", FILE), {
      config: CONFIG,
      machine: "worked-example",
      output: "table",
    });
    assert.equal(r.exitCode, 0);
    assert.match(r.stdout, /^device-plugins\/kubelet_internal_checkpoint: ok \(v2\)$/m);
    assert.match(r.stdout, /^cpu_manager_state: absent$/m);
    assert.match(r.stdout, /Device state: registered nvidia\.com\/gpu/);
    assert.match(r.stdout, /uid-train\s+trainer\s+nvidia\.com\/gpu\s+GPU-x @none; GPU-0 @0\s+1 env/);
    assert.match(r.stdout, /in use nvidia\.com\/gpu: GPU-0 GPU-x/);
    const json = checkpoint(stateDir("json", FILE), {
      config: CONFIG,
      machine: "worked-example",
      output: "json",
    });
    const doc = JSON.parse(json.stdout) as {
      device: { podDevices: { allocResp: { envs: Record<string, string> } }[] };
    };
    assert.deepEqual(doc.device.podDevices[0].allocResp.envs, { A: "1" });
  });

  test("a file the kubelet cannot restore is reported, and is not a refusal (the kubelet starts empty)", () => {
    const dir = stateDir("bad", FILE.replace(/"Checksum":\d+/, '"Checksum":1'));
    const r = checkpoint(dir, { config: CONFIG, machine: "worked-example", output: "table" });
    assert.equal(r.exitCode, 0);
    assert.match(r.stdout, /^device-plugins\/kubelet_internal_checkpoint: not restored$/m);
    assert.match(r.stdout, /Device allocation info may NOT be up-to-date: checkpoint is corrupted/);
    assert.doesNotMatch(r.stdout, /Device state:/);
  });
});
