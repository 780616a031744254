/** Replays every machine description that once failed (`hostile-inputs.cases.ts`), within its time bound. */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, test } from "node:test";
import { MachineError } from "./errors.js";
import { parseMachineText } from "./file.js";
import { MACHINE_FILE_CASES, SYSFS_CASES } from "./hostile-inputs.cases.js";
import { GiB, machineFromLayout } from "./presets/generate.js";
import { discoverFromSysfs, writeFakeSysfs } from "./sysfs.js";

/** Bounds are for hangs and blow-ups (the old failures took 10 s and more), not benchmarks: shared CI cores get slack. */
const slack = (ms: number): number => Math.max(ms * 3, 2000);

function outcome(fn: () => void): { error: unknown; ms: number } {
  const t = performance.now();
  try {
    fn();
    return { error: null, ms: performance.now() - t };
  } catch (error) {
    return { error, ms: performance.now() - t };
  }
}

function check(error: unknown, expected: string | null): void {
  if (expected === null) {
    assert.equal(error, null, `unexpected ${error}`);
    return;
  }
  assert.ok(error instanceof MachineError, `expected a MachineError, got ${error}`);
  assert.ok(error.message.includes(expected), error.message);
  assert.ok(!error.message.includes("\n") && error.message.length < 400, error.message.slice(0, 100));
}

describe("machine files: hostile inputs", () => {
  for (const c of MACHINE_FILE_CASES) {
    test(c.name, () => {
      const { error, ms } = outcome(() => parseMachineText(c.text, "m.yaml"));
      check(error, c.error);
      assert.ok(ms <= slack(c.maxMs), `took ${ms.toFixed(0)} ms (bound ${slack(c.maxMs)})`);
    });
  }
});

const scratch = existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("sysfs trees: hostile inputs", () => {
  const machine = machineFromLayout("small", {
    sockets: 1,
    coresPerSocket: 2,
    threadsPerCore: 1,
    memory: GiB,
  });
  for (const c of SYSFS_CASES) {
    test(c.name, () => {
      const root = mkdtempSync(join(scratch, "podpin-hostile-"));
      dirs.push(root);
      writeFakeSysfs(machine, root);
      for (const [path, text] of Object.entries(c.files)) {
        const full = join(root, path);
        if (text === null) unlinkSync(full);
        else {
          mkdirSync(dirname(full), { recursive: true });
          writeFileSync(full, text);
        }
      }
      for (const d of c.dirs ?? []) mkdirSync(join(root, d), { recursive: true });
      const { error, ms } = outcome(() => discoverFromSysfs(root));
      check(error, c.error);
      assert.ok(ms <= slack(c.maxMs), `took ${ms.toFixed(0)} ms (bound ${slack(c.maxMs)})`);
    });
  }
});
