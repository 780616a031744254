/** Replays every checkpoint input that once failed (issue 12): each ends as its case says, within a second. */
import assert from "node:assert/strict";
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { readStateDir } from "./io.js";
import { readCPUCheckpoint } from "./cpu.js";
import { readDeviceCheckpoint } from "./device-read.js";
import { CheckpointError } from "./errors.js";
import { type HostileCheckpointCase, hostileCheckpointCases } from "./hostile-inputs.cases.js";
import { readMemoryCheckpoint } from "./memory.js";

/** The reader's outcome: a state, or the CheckpointError it refused with. */
function read(c: HostileCheckpointCase, input: string | Uint8Array): CheckpointError | null {
  const text = typeof input === "string" ? input : Buffer.from(input).toString("utf8");
  const settings = { version: c.version, gates: { PodLevelResourceManagers: c.gate } };
  try {
    if (c.reader === "cpu") readCPUCheckpoint(text, { ...settings, configuredPolicy: "static" });
    else if (c.reader === "memory") readMemoryCheckpoint(text, { ...settings, configuredPolicy: "Static" });
    else return readDeviceCheckpoint(input).error;
    return null;
  } catch (err) {
    assert.ok(err instanceof CheckpointError, `expected a CheckpointError, got ${String(err)}`);
    return err;
  }
}

for (const c of hostileCheckpointCases) {
  test(`hostile checkpoint: ${c.name}`, () => {
    const input = c.input();
    const t = performance.now();
    const err = read(c, input);
    const ms = performance.now() - t;
    assert.ok(ms < 1000, `took ${ms.toFixed(0)} ms`);
    if ("state" in c.expect) assert.equal(err, null, err?.message);
    else {
      assert.ok(err, "expected a refusal");
      assert.doesNotMatch(err.message, /\n/, "one line");
      const limit = err.hint?.includes("docs/limits.md") ?? false;
      if ("kubelet" in c.expect) {
        assert.ok(!limit, `a podpin bound, expected the kubelet's refusal: ${err.message}`);
        assert.match(err.detail, c.expect.kubelet);
      } else {
        assert.ok(limit, `expected one of podpin's bounds: ${err.message}`);
        assert.match(err.message, c.expect.limit);
        assert.ok(err.message.includes(err.path), "names the file");
      }
    }
  });
}

test("hostile checkpoint: a 9 MiB file on disk is refused before it is read, naming the file", () => {
  const dir = mkdtempSync(join(tmpdir(), "podpin-big-"));
  try {
    const path = join(dir, "cpu_manager_state");
    const fd = openSync(path, "w");
    ftruncateSync(fd, 9 * 1024 * 1024);
    closeSync(fd);
    const r = readStateDir(dir, {
      version: "1.37",
      gates: { PodLevelResourceManagers: true },
      cpuPolicy: "static",
      memoryPolicy: "Static",
    });
    assert.equal(r.cpu.ok, false);
    if (!r.cpu.ok) {
      assert.match(
        r.cpu.error.message,
        /^podpin does not read checkpoint file ".*cpu_manager_state": the file is 9437184 bytes/,
      );
      assert.match(r.cpu.error.hint ?? "", /docs\/limits\.md/);
    }
    assert.equal(r.memory.ok, true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
