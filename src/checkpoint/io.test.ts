import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { CPUSet } from "../core/index.js";
import { CheckpointError } from "./errors.js";
import { readCheckpointFile, readStateDir, writeFileAtomic, writeStateDir } from "./io.js";
import type { CPUStateData } from "../managers/cpu/index.js";
import type { MemoryStateData } from "../managers/memory/index.js";
import { cpuView, memoryView } from "./test-helpers.js";

const root = mkdtempSync(join(tmpdir(), "podpin-checkpoint-"));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => {
  const d = join(root, `d${n++}`);
  mkdirSync(d);
  return d;
};

const cpu: CPUStateData = {
  policyName: "static",
  defaultCpuSet: CPUSet.parse("0-3"),
  entries: new Map([["pod", new Map([["c", CPUSet.parse("4-5")]])]]),
  podEntries: new Map([["pod", CPUSet.parse("4-7")]]),
};
const memory: MemoryStateData = {
  policyName: "Static",
  machineState: new Map([
    [
      0,
      {
        numberOfAssignments: 1,
        memoryMap: new Map([
          ["memory", { total: 8n, systemReserved: 0n, allocatable: 8n, reserved: 2n, free: 6n }],
        ]),
        cells: [0],
      },
    ],
  ]),
  entries: new Map([["pod", new Map([["c", [{ numaAffinity: [0], type: "memory", size: 2n }]]])]]),
  podEntries: new Map([["pod", [{ numaAffinity: [0], type: "memory", size: 2n }]]]),
};
const settings = { version: "1.37", gates: { PodLevelResourceManagers: true } } as const;
const readOpts = { ...settings, cpuPolicy: "static", memoryPolicy: "Static" };

describe("atomic writes (OPEN CK-4)", () => {
  test("write and overwrite leave only the target behind", () => {
    const dir = freshDir();
    const path = join(dir, "cpu_manager_state");
    writeFileAtomic(path, "first");
    writeFileAtomic(path, "second");
    assert.equal(readFileSync(path, "utf8"), "second");
    assert.deepEqual(readdirSync(dir), ["cpu_manager_state"]);
  });

  test("a failed write names the file, removes its temporary file and keeps the old content", () => {
    const dir = freshDir();
    const target = join(dir, "memory_manager_state");
    mkdirSync(target); // rename onto a directory fails
    assert.throws(
      () => writeFileAtomic(target, "x", "memory"),
      (e: unknown) => {
        assert.ok(e instanceof CheckpointError);
        assert.equal(e.path, target);
        assert.match(e.message, /could not write checkpoint file ".*memory_manager_state"/);
        return true;
      },
    );
    assert.deepEqual(readdirSync(dir), ["memory_manager_state"]);
    assert.throws(() => writeFileAtomic(join(dir, "missing", "cpu_manager_state"), "x"), CheckpointError);
  });
});

describe("state directories", () => {
  test("what writeStateDir writes, readStateDir restores", () => {
    const dir = freshDir();
    writeStateDir(dir, { cpu, memory }, settings);
    const back = readStateDir(dir, readOpts);
    assert.ok(back.cpu.ok && back.memory.ok);
    assert.equal(back.cpu.result.format, "v4");
    assert.equal(back.memory.result.format, "v3");
    assert.deepEqual(cpuView(back.cpu.result.state), cpuView(cpu));
    assert.deepEqual(memoryView(back.memory.result.state), memoryView(memory));
  });

  test("missing files are empty states; a damaged file fails alone, naming itself", () => {
    const dir = freshDir();
    const empty = readStateDir(dir, readOpts);
    assert.ok(empty.cpu.ok && empty.cpu.result.format === "none");
    assert.ok(empty.memory.ok && empty.memory.result.format === "none");
    writeStateDir(dir, { cpu }, settings);
    writeFileSync(join(dir, "memory_manager_state"), '{"policyName":"Static"');
    const mixed = readStateDir(dir, readOpts);
    assert.ok(mixed.cpu.ok);
    assert.ok(!mixed.memory.ok);
    assert.equal(mixed.memory.error.path, join(dir, "memory_manager_state"));
    assert.match(mixed.memory.error.message, /unexpected end of JSON input, please drain this node/);
  });

  test("an unreadable path is an error naming it", () => {
    const dir = freshDir();
    mkdirSync(join(dir, "cpu_manager_state"));
    assert.throws(
      () => readCheckpointFile(join(dir, "cpu_manager_state"), "cpu"),
      /could not read checkpoint file/,
    );
    assert.equal(readCheckpointFile(join(dir, "nothing"), "cpu"), null);
  });
});
