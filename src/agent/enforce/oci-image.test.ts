import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ociArchitecture, ociImage } from "./oci-image.test-support.js";
import { tarArchive } from "./tar.test-support.js";

/** GNU tar reads the archives back (it is part of every Debian system). */
function untar(archive: Buffer, into: string): void {
  const file = join(into, "archive.tar");
  writeFileSync(file, archive);
  execFileSync("tar", ["-xf", file, "-C", into]);
  rmSync(file);
}

test("tar: files, directories and symlinks read back by tar with their modes", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "podpin-tar-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const data = Buffer.alloc(1500, 7);
  untar(
    tarArchive([
      { type: "dir", name: "bin" },
      { type: "file", name: "bin/tool", data, mode: 0o755 },
      { type: "symlink", name: "bin/alias", target: "tool" },
      { type: "dir", name: "tmp", mode: 0o1777 },
    ]),
    dir,
  );
  assert.deepEqual(readFileSync(join(dir, "bin/tool")), data);
  assert.equal(statSync(join(dir, "bin/tool")).mode & 0o7777, 0o755);
  assert.equal(readlinkSync(join(dir, "bin/alias")), "tool");
  assert.equal(statSync(join(dir, "tmp")).mode & 0o7777, 0o1777);
  assert.throws(() => tarArchive([{ type: "dir", name: "x".repeat(101) }]), /does not fit 100 bytes/);
});

test("OCI image: a layout whose blobs match their digests, named for containerd's import", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "podpin-oci-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const image = ociImage({ name: "podpin.test/busybox:1", entrypoint: ["/bin/sleep", "infinity"] });
  untar(image.archive, dir);
  const blob = (digest: string) => {
    const bytes = readFileSync(join(dir, "blobs", "sha256", digest.slice("sha256:".length)));
    assert.equal(`sha256:${createHash("sha256").update(bytes).digest("hex")}`, digest);
    return bytes;
  };
  assert.deepEqual(JSON.parse(readFileSync(join(dir, "oci-layout"), "utf8")), {
    imageLayoutVersion: "1.0.0",
  });
  const index = JSON.parse(readFileSync(join(dir, "index.json"), "utf8"));
  const [entry] = index.manifests;
  assert.equal(entry.digest, image.manifestDigest);
  assert.equal(entry.annotations["io.containerd.image.name"], "podpin.test/busybox:1");
  assert.deepEqual(entry.platform, { architecture: ociArchitecture(), os: "linux" });
  const manifest = JSON.parse(blob(entry.digest).toString("utf8"));
  const config = JSON.parse(blob(manifest.config.digest).toString("utf8"));
  assert.deepEqual(config.config.Entrypoint, ["/bin/sleep", "infinity"]);
  const layer = blob(manifest.layers[0].digest);
  assert.deepEqual(
    config.rootfs.diff_ids,
    [manifest.layers[0].digest],
    "an uncompressed layer is its own diff id",
  );
  const rootfs = join(dir, "rootfs");
  mkdirSync(rootfs);
  untar(layer, rootfs);
  assert.deepEqual(readFileSync(join(rootfs, "bin/busybox")), readFileSync("/bin/busybox"));
  assert.equal(readlinkSync(join(rootfs, "bin/sleep")), "busybox");
});
