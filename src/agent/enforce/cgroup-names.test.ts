import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import {
  cgroupfsPath,
  cgroupRootComponents,
  isPodUID,
  parseCgroupDriver,
  podCgroupName,
  podCgroupPath,
} from "./cgroup-names.js";
import { CgroupPathError, EnforceConfigError } from "./errors.js";

const UID = "6a0c7c52-8f55-4b1c-9d1e-0f6c1a2b3c4d";
const UID_ = "6a0c7c52_8f55_4b1c_9d1e_0f6c1a2b3c4d";

test("cgroupfs driver: kubepods, the QoS cgroup, pod<uid> under the cgroup root", () => {
  assert.equal(podCgroupPath("/", "cgroupfs", "Guaranteed", UID), `/kubepods/pod${UID}`);
  assert.equal(podCgroupPath("/", "cgroupfs", "Burstable", UID), `/kubepods/burstable/pod${UID}`);
  assert.equal(podCgroupPath("/", "cgroupfs", "BestEffort", UID), `/kubepods/besteffort/pod${UID}`);
  assert.equal(
    podCgroupPath("/podpin/node-1", "cgroupfs", "Burstable", UID),
    `/podpin/node-1/kubepods/burstable/pod${UID}`,
  );
  assert.equal(podCgroupPath("//podpin//", "cgroupfs", "Guaranteed", UID), `/podpin/kubepods/pod${UID}`);
});

test("systemd driver: nested slices repeating their parents' names, dashes as underscores", () => {
  assert.equal(podCgroupPath("/", "systemd", "Guaranteed", UID), `/kubepods.slice/kubepods-pod${UID_}.slice`);
  assert.equal(
    podCgroupPath("/", "systemd", "Burstable", UID),
    `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID_}.slice`,
  );
  assert.equal(
    podCgroupPath("/", "systemd", "BestEffort", UID),
    `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${UID_}.slice`,
  );
  assert.equal(
    podCgroupPath("/podpin", "systemd", "Burstable", UID),
    `/podpin.slice/podpin-kubepods.slice/podpin-kubepods-burstable.slice/podpin-kubepods-burstable-pod${UID_}.slice`,
  );
  assert.equal(cgroupfsPath(["node-a", "x"], "systemd"), "/node_a.slice/node_a-x.slice");
  assert.equal(cgroupfsPath([], "systemd"), "/");
});

test("UIDs: API-server UUIDs and static pods' hash UIDs; anything else never becomes a path", () => {
  assert.equal(isPodUID(UID), true);
  assert.equal(isPodUID(UID.toUpperCase()), true);
  assert.equal(isPodUID("0123456789abcdef0123456789abcdef"), true);
  const hostile = [
    "",
    "..",
    "../../../etc",
    `${UID}/..`,
    `${UID}/../../x`,
    `../${UID}`,
    "6a0c7c52-8f55-4b1c-9d1e-0f6c1a2b3c4d\n",
    "6a0c7c52-8f55-4b1c-9d1e-0f6c1a2b3c4d\0",
    "6a0c7c52-8f55-4b1c-9d1e-0f6c1a2b3c4",
    "g".repeat(32),
    "a/b",
    "pod",
    " 6a0c7c52-8f55-4b1c-9d1e-0f6c1a2b3c4d",
  ];
  for (const uid of hostile) {
    assert.equal(isPodUID(uid), false, JSON.stringify(uid));
    assert.throws(
      () => podCgroupPath("/", "cgroupfs", "Burstable", uid),
      (err: unknown) =>
        err instanceof CgroupPathError &&
        err.message === `pod uid ${JSON.stringify(uid)} is not a UID; no cgroup path is built from it`,
    );
  }
});

test("any string as a uid: a path is built only from a UID, and then stays one component", () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.uuid(), fc.constantFrom("..", "/", ".", "a/../..")), (uid) => {
      let path: string;
      try {
        path = podCgroupPath("/", "cgroupfs", "Burstable", uid);
      } catch (err) {
        assert.ok(err instanceof CgroupPathError);
        assert.equal(isPodUID(uid), false);
        return;
      }
      const parts = path.split("/");
      assert.deepEqual(parts.slice(0, 3), ["", "kubepods", "burstable"]);
      assert.equal(parts.length, 4);
      assert.equal(parts[3], `pod${uid}`);
      assert.ok(!parts.includes(".."));
    }),
  );
});

test("cgroup roots: absolute, plain names only; the systemd driver refuses dotted names", () => {
  assert.deepEqual(cgroupRootComponents("/", "cgroupfs"), []);
  assert.deepEqual(cgroupRootComponents("/a/b-c", "systemd"), ["a", "b-c"]);
  const bad: [string, "cgroupfs" | "systemd", RegExp][] = [
    ["kubelet", "cgroupfs", /expected an absolute cgroup path/],
    ["", "cgroupfs", /expected an absolute cgroup path/],
    ["/a/../b", "cgroupfs", /component "\.\." is not a plain cgroup name/],
    ["/a/./b", "cgroupfs", /component "\." is not a plain cgroup name/],
    ["/a b", "cgroupfs", /component "a b" is not a plain cgroup name/],
    ["/a\0b", "cgroupfs", /is not a plain cgroup name/],
    ["/system.slice", "systemd", /cannot contain dots/],
  ];
  for (const [root, driver, message] of bad) {
    assert.throws(
      () => cgroupRootComponents(root, driver),
      (err: unknown) =>
        err instanceof EnforceConfigError &&
        message.test(err.message) &&
        err.message.startsWith("cgroupRoot: "),
      root,
    );
  }
  assert.deepEqual(cgroupRootComponents("/system.slice", "cgroupfs"), ["system.slice"]);
});

test("the driver name is checked", () => {
  assert.equal(parseCgroupDriver("systemd"), "systemd");
  assert.throws(
    () => parseCgroupDriver("Systemd"),
    /^EnforceConfigError: cgroupDriver: expected cgroupfs or systemd, got "Systemd"$/,
  );
});

test("the abstract name carries the root's components", () => {
  assert.deepEqual(podCgroupName(["r"], "Burstable", UID), ["r", "kubepods", "burstable", `pod${UID}`]);
});
