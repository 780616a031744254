import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import {
  type FileOp,
  isTemporaryName,
  makeDirectoryDurably,
  removeTemporaryFiles,
  temporaryNameFor,
  writeFileDurably,
} from "./durable-write.js";
import { StateDirError } from "./errors.js";
import { scratchDir } from "./state.test-support.js";

class Crash extends Error {}

describe("durable writes", () => {
  test("replace the file through a flushed temporary file, then flush the directory", async (t) => {
    const dir = scratchDir(t);
    await makeDirectoryDurably(dir);
    const path = join(dir, "f");
    writeFileSync(path, "old");
    const ops: FileOp[] = [];
    await writeFileDurably(path, "new content", { hook: (op) => ops.push(op) });
    assert.equal(readFileSync(path, "utf8"), "new content");
    assert.deepEqual(
      ops.map((o) => o.kind),
      ["create", "write", "fsync", "rename", "fsync-dir"],
    );
    assert.ok(isTemporaryName(join(ops[0].path).slice(dir.length + 1)), ops[0].path);
    assert.equal(ops[3].target, path);
    assert.equal(ops[4].path, dir);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(dir), ["f"]);
  });

  test("without durability the same replacement runs with no fsync", async (t) => {
    const dir = scratchDir(t);
    await makeDirectoryDurably(dir);
    const ops: string[] = [];
    await writeFileDurably(join(dir, "f"), "x", {
      durable: false,
      mode: 0o644,
      hook: (op) => ops.push(op.kind),
    });
    assert.deepEqual(ops, ["create", "write", "rename"]);
    assert.equal(statSync(join(dir, "f")).mode & 0o777, 0o644);
  });

  test("a crash at each step leaves the old file or the new one, and at most a temporary file", async (t) => {
    const dir = scratchDir(t);
    await makeDirectoryDurably(dir);
    const path = join(dir, "f");
    for (let k = 0; k < 5; k++) {
      writeFileSync(path, "old");
      let n = 0;
      const hook = (op: FileOp) => {
        if (n++ < k) return;
        // A torn write: part of the content reaches the temporary file before the crash.
        if (op.kind === "write") writeFileSync(op.path, "ne");
        throw new Crash(`crash at ${op.kind}`);
      };
      await assert.rejects(writeFileDurably(path, "new", { hook }), Crash);
      const content = readFileSync(path, "utf8");
      assert.ok(content === "old" || content === "new", `step ${k}: ${content}`);
      assert.equal(content, k >= 4 ? "new" : "old", `step ${k}`);
      const removed = await removeTemporaryFiles(dir);
      assert.deepEqual(readdirSync(dir), ["f"], `step ${k}`);
      assert.equal(removed.length, k >= 1 && k <= 3 ? 1 : 0, `step ${k}`);
    }
  });

  test("an I/O error names the file on one line and removes the temporary file", async (t) => {
    const dir = scratchDir(t);
    await makeDirectoryDurably(dir);
    const path = join(dir, "f");
    const eio = Object.assign(new Error("EIO: i/o error, fsync"), { code: "EIO" });
    const err = await writeFileDurably(path, "x", {
      hook: (op) => {
        if (op.kind === "fsync") throw eio;
      },
    }).catch((e: unknown) => e);
    assert.ok(err instanceof StateDirError);
    assert.equal(err.reason, "io");
    assert.equal(err.message, `could not write ${JSON.stringify(path)}: EIO: i/o error, fsync`);
    assert.deepEqual(readdirSync(dir), []);
  });

  test("a directory that does not exist is refused with the reason", async (t) => {
    const dir = scratchDir(t);
    const err = await writeFileDurably(join(dir, "f"), "x").catch((e: unknown) => e);
    assert.ok(err instanceof StateDirError);
    assert.match(err.message, /^could not write ".*\/f": ENOENT: no such file or directory/);
  });

  test("directories are created with the mode asked, parents included; existing ones are left alone", async (t) => {
    const dir = scratchDir(t);
    const nested = join(dir, "a", "b");
    assert.equal(await makeDirectoryDurably(nested), true);
    assert.equal(statSync(nested).mode & 0o777, 0o700);
    assert.equal(statSync(join(dir, "a")).mode & 0o777, 0o700);
    assert.equal(await makeDirectoryDurably(nested), false);
    writeFileSync(join(dir, "file"), "");
    await assert.rejects(makeDirectoryDurably(join(dir, "file")), /is not a directory/);
  });

  test("only podpin's temporary names are removed", async (t) => {
    const dir = scratchDir(t);
    await makeDirectoryDurably(dir);
    const tmp = temporaryNameFor(join(dir, "cpu_manager_state"));
    for (const name of [tmp.slice(dir.length + 1), "cpu_manager_state", ".hidden", "x.tmp-1-abc"])
      writeFileSync(join(dir, name), "");
    assert.deepEqual(await removeTemporaryFiles(dir), [tmp.slice(dir.length + 1)]);
    assert.ok(!existsSync(tmp));
    assert.deepEqual(readdirSync(dir).sort(), [".hidden", "cpu_manager_state", "x.tmp-1-abc"]);
    assert.deepEqual(await removeTemporaryFiles(join(dir, "missing")), []);
  });
});
