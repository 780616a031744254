import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import {
  MachineError,
  listPresets,
  loadMachine,
  machineFacts,
  machineToDocument,
  presetMachine,
  writeFakeSysfs,
} from "./index.js";

describe("loadMachine", () => {
  test("a preset by name or alias", () => {
    assert.equal(loadMachine("intel-xeon-6230r-2s").topology.numCPUs, 104);
    assert.equal(loadMachine("m").name, "worked-example");
    assert.equal(loadMachine("topoDualSocketHT").topology.numUncoreCaches, 1);
  });

  test("a file, in either shape; a path-like spec is always a file", () => {
    const dir = mkdtempSync(join(tmpdir(), "podpin-load-"));
    try {
      const file = join(dir, "worked-example.yaml");
      writeFileSync(file, JSON.stringify(machineToDocument(presetMachine("worked-example")!)));
      assert.deepEqual(machineFacts(loadMachine(file)), machineFacts(presetMachine("worked-example")!));
      assert.throws(() => loadMachine(join(dir, "m")), /no such machine file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("this: the sysfs of the running machine, or of another root", () => {
    const dir = mkdtempSync(join(tmpdir(), "podpin-this-"));
    try {
      writeFakeSysfs(presetMachine("topoDualSocketNoHT")!, dir);
      const m = loadMachine("this", { sysfsRoot: dir });
      assert.equal(m.name, "this");
      assert.equal(m.topology.cpusInNUMANode(1).toString(), "4-7");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    if (existsSync("/sys/devices/system/cpu")) assert.ok(loadMachine("this").topology.numCPUs > 0);
  });

  test("an unknown name says what would have been accepted", () => {
    assert.throws(
      () => loadMachine("no-such-box"),
      (err: unknown) =>
        err instanceof MachineError &&
        /^no-such-box: unknown machine: expected "this", a preset name/.test(err.message),
    );
  });
});

describe("listPresets", () => {
  test("names, aliases, one-line descriptions and sources", () => {
    const list = listPresets();
    const names = list.map((p) => p.name);
    assert.equal(new Set(names).size, names.length);
    for (const name of [
      "worked-example",
      "nvidia-gb200-tray",
      "topoQuadSocketFourWayHT",
      "s8c4k",
      "synthetic-32n",
    ]) {
      assert.ok(names.includes(name), name);
    }
    assert.deepEqual(list.find((p) => p.name === "worked-example")?.aliases, ["m", "machine-m"]);
    assert.match(
      list.find((p) => p.name === "amd-tr-3960x-nps4")?.source ?? "",
      /numactl\/numactl\/issues\/165/,
    );
    assert.ok(list.every((p) => p.description.length > 0 && !p.description.includes("\n")));
  });
});
