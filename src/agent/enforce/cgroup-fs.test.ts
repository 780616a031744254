import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { cgroupDir, detectCgroupLayout, readCgroupFile, writeCgroupFile } from "./cgroup-fs.js";
import { CgroupMissingError, CgroupPathError, EnforceConfigError } from "./errors.js";
import { fakeCgroups } from "./fake-cgroups.test-support.js";

const POD = "/kubepods/burstable/pod6a0c7c52-8f55-4b1c-9d1e-0f6c1a2b3c4d";

test("v1 layout: one hierarchy per controller, cpu through its cpu,cpuacct symlink, absent ones null", (t) => {
  const fake = fakeCgroups(1);
  t.after(() => fake.remove());
  const layout = detectCgroupLayout(fake.mount);
  assert.equal(layout.version, 1);
  assert.equal(layout.hierarchy("cpu"), join(fake.mount, "cpu,cpuacct"));
  assert.equal(layout.hierarchy("memory"), join(fake.mount, "memory"));
  assert.equal(layout.hierarchy("hugetlb"), null);
});

test("v1 layout: a controller link that leaves the mount is not a hierarchy", (t) => {
  const fake = fakeCgroups(1);
  t.after(() => fake.remove());
  mkdirSync(join(fake.mount, "..", "elsewhere"));
  symlinkSync("../elsewhere", join(fake.mount, "hugetlb"));
  assert.equal(detectCgroupLayout(fake.mount).hierarchy("hugetlb"), null);
});

test("v2 layout: the unified hierarchy holds every controller", (t) => {
  const fake = fakeCgroups(2);
  t.after(() => fake.remove());
  const layout = detectCgroupLayout(fake.mount);
  assert.equal(layout.version, 2);
  assert.equal(layout.hierarchy("memory"), fake.mount);
});

test("a missing mount is a configuration error", () => {
  assert.throws(
    () => detectCgroupLayout("/nonexistent/podpin-cgroup"),
    (err: unknown) =>
      err instanceof EnforceConfigError && /^cgroup mount \/nonexistent\/podpin-cgroup: /.test(err.message),
  );
});

test("cgroup directories: inside the root, existing, not reached through a symlink", async (t) => {
  const fake = fakeCgroups(1);
  t.after(() => fake.remove());
  const cpu = detectCgroupLayout(fake.mount).hierarchy("cpu")!;
  fake.addCgroup(`/root${POD}`);
  assert.equal(await cgroupDir(cpu, "/root", `/root${POD}`), join(cpu, "root", POD));
  await assert.rejects(cgroupDir(cpu, "/root", "/root/kubepods/podx"), CgroupMissingError);
  await assert.rejects(cgroupDir(cpu, "/root", `/other${POD}`), /is outside the cgroup root/);
  await assert.rejects(cgroupDir(cpu, "/root", `/root/../etc`), /is outside the cgroup root/);

  // A pod directory swapped for a link, to a place outside the root or even inside it.
  mkdirSync(join(cpu, "outside"));
  writeFileSync(join(cpu, "outside", "cpu.cfs_quota_us"), "-1\n");
  const linked = "/root/kubepods/burstable/pod11111111-2222-4333-8444-555555555555";
  symlinkSync(join(cpu, "outside"), join(cpu, linked));
  await assert.rejects(cgroupDir(cpu, "/root", linked), (err: unknown) => {
    return (
      err instanceof CgroupPathError &&
      /is reached through a symlink \(it resolves to .*outside\); not touched$/.test(err.message)
    );
  });
  // A link higher up the path counts too.
  rmSync(join(cpu, "root", "kubepods"), { recursive: true });
  symlinkSync(join(cpu, "outside"), join(cpu, "root", "kubepods"));
  mkdirSync(join(cpu, "outside", "burstable"));
  await assert.rejects(cgroupDir(cpu, "/root", "/root/kubepods/burstable"), /reached through a symlink/);
  assert.equal(readFileSync(join(cpu, "outside", "cpu.cfs_quota_us"), "utf8"), "-1\n");
});

test("cgroup files: interface names only, regular files only, never created", async (t) => {
  const fake = fakeCgroups(1);
  t.after(() => fake.remove());
  fake.addCgroup(POD);
  const dir = fake.dirOf("cpu", POD);
  await writeCgroupFile(dir, "cpu.cfs_quota_us", "200000");
  assert.equal(await readCgroupFile(dir, "cpu.cfs_quota_us"), "200000");

  await assert.rejects(writeCgroupFile(dir, "../escape", "1"), /is not a cgroup interface file name/);
  await assert.rejects(
    writeCgroupFile(dir, "cpu.max", "max 100000"),
    /cpu\.max does not exist \(is the controller enabled\?\)$/,
  );
  assert.equal(existsSync(join(dir, "cpu.max")), false);

  const target = join(fake.mount, "..", "target");
  writeFileSync(target, "untouched\n");
  rmSync(join(dir, "cpu.shares"));
  symlinkSync(target, join(dir, "cpu.shares"));
  await assert.rejects(
    writeCgroupFile(dir, "cpu.shares", "2"),
    /cpu\.shares is not a regular file; not touched$/,
  );
  await assert.rejects(readCgroupFile(dir, "cpu.shares"), /not a regular file/);
  assert.equal(readFileSync(target, "utf8"), "untouched\n");
});
