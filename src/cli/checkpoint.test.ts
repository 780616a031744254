import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { checkpoint } from "./checkpoint.js";
import { UsageError } from "./errors.js";
import { simulate } from "./simulate.js";

const EX = join(import.meta.dirname, "../../examples");
const CONFIG = join(EX, "kubelet-pod-scope.yaml");

describe("podpin checkpoint", () => {
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "podpin-state-"));
    const run = await simulate([join(EX, "tightly-coupled-database.yaml")], {
      config: CONFIG,
      machine: "worked-example",
      output: "json",
    });
    const doc = JSON.parse(run.stdout) as {
      state: { cpuManagerCheckpoint: string; memoryManagerCheckpoint: string };
    };
    writeFileSync(join(dir, "cpu_manager_state"), doc.state.cpuManagerCheckpoint);
    writeFileSync(join(dir, "memory_manager_state"), doc.state.memoryManagerCheckpoint);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("reads both files as a 1.37 kubelet would and shows the state", () => {
    const r = checkpoint(dir, { config: CONFIG, machine: "worked-example", output: "table" });
    assert.equal(r.exitCode, 0);
    assert.match(r.stdout, /^cpu_manager_state: ok \(v4\)$/m);
    assert.match(r.stdout, /^memory_manager_state: ok \(v3\)$/m);
    assert.match(r.stdout, /uid-db\s+\(pod bubble\)\s+1-4,17-20/);
    assert.match(r.stdout, /uid-db\s+database\s+memory 12Gi @0/);
  });

  test("a 1.36 kubelet reads the 1.37 file as V2 and loses the pod entries", () => {
    const r = checkpoint(dir, {
      config: CONFIG,
      machine: "worked-example",
      kubernetesVersion: "1.36",
      output: "json",
    });
    const doc = JSON.parse(r.stdout) as {
      files: { format: string }[];
      cpu: { podEntries: Record<string, unknown> };
    };
    assert.equal(doc.files[0].format, "v2");
    assert.deepEqual(doc.cpu.podEntries, {});
  });

  test("a corrupted file is refused with the kubelet's message (exit 1), or accepted with a warning on request", () => {
    const bad = mkdtempSync(join(tmpdir(), "podpin-state-"));
    try {
      const text = readFileSync(join(dir, "cpu_manager_state"), "utf8").replace(
        /"dataChecksum":\d+/,
        '"dataChecksum":1',
      );
      writeFileSync(join(bad, "cpu_manager_state"), text);
      const refused = checkpoint(bad, { config: CONFIG, machine: "worked-example", output: "table" });
      assert.equal(refused.exitCode, 1);
      assert.match(
        refused.stdout,
        /checkpoint is corrupted, please drain this node and delete the CPU manager checkpoint file/,
      );
      const accepted = checkpoint(bad, {
        config: CONFIG,
        machine: "worked-example",
        output: "table",
        ignoreChecksum: true,
      });
      assert.equal(accepted.exitCode, 0);
      assert.match(accepted.stdout, /warning: /);
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });

  test("draws the node the state describes", () => {
    const r = checkpoint(dir, { config: CONFIG, machine: "worked-example", output: "table", html: "x.html" });
    assert.ok(r.html?.includes("<svg"));
    assert.match(r.html ?? "", /data-cpu="17"/);
  });

  test("a directory without state files is bad input", () => {
    const empty = mkdtempSync(join(tmpdir(), "podpin-state-"));
    try {
      assert.throws(
        () => checkpoint(empty, { config: CONFIG, machine: "worked-example", output: "table" }),
        UsageError,
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
