import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { watchKubeletRoot } from "./watch.js";

async function until(what: string, check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test("a rename into the root or into device-plugins/ is seen without waiting for the period", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "podpin-kubelet-watch-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  let seen = 0;
  const w = watchKubeletRoot(dir, 3_600_000, () => seen++);
  t.after(() => w.stop());
  writeFileSync(join(dir, ".cpu_manager_state.tmp"), "{}");
  renameSync(join(dir, ".cpu_manager_state.tmp"), join(dir, "cpu_manager_state"));
  await until("the root's event", () => seen > 0);
  // device-plugins/ created after the watch started: watched from the root's next event on.
  mkdirSync(join(dir, "device-plugins"));
  await until("the directory's creation", () => seen > 1);
  const before = seen;
  await new Promise((r) => setTimeout(r, 50));
  writeFileSync(join(dir, "device-plugins", "kubelet_internal_checkpoint"), "{}");
  await until("the device checkpoint's event", () => seen > before);
});

test("the period reads again even when no event comes", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "podpin-kubelet-watch-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  let seen = 0;
  const w = watchKubeletRoot(dir, 30, () => seen++);
  await until("two periods", () => seen >= 2);
  w.stop();
  const stopped = seen;
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(seen, stopped, "nothing after stop");
});
