import assert from "node:assert/strict";
import { readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { Pod } from "../../k8s/index.js";
import { Node } from "../../node/index.js";
import { machineM, podFromYaml, workedExampleConfig } from "../../node/test-support.js";
import { memoryLog } from "../log.js";
import { podCgroupPath } from "./cgroup-names.js";
import { createEnforcer, EnforceConfigError, type EnforcerOptions } from "./index.js";
import { fakeCgroups } from "./fake-cgroups.test-support.js";
import { FakeRuntime } from "./fake-runtime.test-support.js";
import { burstableWebPod } from "./pods.test-support.js";

const web = burstableWebPod();
const db = podFromYaml(`apiVersion: v1
kind: Pod
metadata: {name: db, namespace: default}
spec:
  containers:
  - name: postgres
    image: postgres
    resources: {requests: {cpu: "2", memory: 1Gi}, limits: {cpu: "2", memory: 1Gi}}
`);

function nodeM(): Node {
  return new Node({ machine: machineM(), config: workedExampleConfig("pod") });
}

function setup(t: { after(fn: () => void | Promise<void>): void }, over: Partial<EnforcerOptions> = {}) {
  const runtime = new FakeRuntime();
  const cgroups = fakeCgroups(1);
  const log = memoryLog();
  const enforcer = createEnforcer({
    runtimeEndpoint: "unix:///fake/cri.sock",
    enforce: true,
    runtime,
    cgroupMount: cgroups.mount,
    log,
    ...over,
  });
  t.after(async () => {
    await enforcer.stop();
    cgroups.remove();
  });
  return { runtime, cgroups, log, enforcer };
}

const guaranteedPath = (p: Pod) => podCgroupPath("/", "cgroupfs", "Guaranteed", p.uid);
const burstablePath = (p: Pod) => podCgroupPath("/", "cgroupfs", "Burstable", p.uid);

test("a pass updates every running container of the admitted pods once; the next pass sends nothing", async (t) => {
  const { runtime, enforcer, log } = setup(t);
  const node = nodeM();
  node.admit(web);
  const nginx = runtime.add(web.uid, "nginx");
  runtime.add("7f9e2b1c-0000-4000-8000-000000000000", "not-admitted");
  runtime.add(web.uid, "nginx").labels = {};
  const first = await enforcer.apply(node);
  assert.deepEqual(runtime.updates, [{ id: nginx.id, linux: { cpuset_cpus: "0-31" } }]);
  assert.deepEqual(first.failures, []);
  assert.ok(
    log.lines.some((l) =>
      l.includes('msg="set container" pod=default/web container=nginx id=0001ccccccccc cpuset_cpus=0-31'),
    ),
  );
  const second = await enforcer.apply(node);
  assert.equal(runtime.updates.length, 1);
  assert.deepEqual(second.writes, []);
  assert.equal(second.unchanged, 1);
});

test("the node shared pool shrinks: shared containers follow it, the new exclusive one loses its quota", async (t) => {
  const { runtime, enforcer } = setup(t);
  const node = nodeM();
  node.admit(web);
  const nginx = runtime.add(web.uid, "nginx");
  await enforcer.apply(node);
  node.admit(db);
  const postgres = runtime.add(db.uid, "postgres");
  await enforcer.apply(node);
  assert.deepEqual(runtime.updatesOf(nginx.id), [{ cpuset_cpus: "0-31" }, { cpuset_cpus: "0,2-16,18-31" }]);
  assert.deepEqual(runtime.updatesOf(postgres.id), [
    { cpuset_cpus: "1,17", cpuset_mems: "0", cpu_quota: -1 },
  ]);
  // The pod goes: its CPUs return to the pool, and the shared container gets them back.
  node.remove(db.uid);
  runtime.containers = runtime.containers.filter((c) => c.id !== postgres.id);
  await enforcer.apply(node);
  assert.deepEqual(runtime.updatesOf(nginx.id).at(-1), { cpuset_cpus: "0-31" });
});

test("containers not created or not started yet are pending; a restarted container is updated again", async (t) => {
  const { runtime, enforcer } = setup(t);
  const node = nodeM();
  node.admit(db);
  const none = await enforcer.apply(node);
  assert.deepEqual(none.pending, [
    { podUID: db.uid, pod: "default/db", container: "postgres" },
    { podUID: db.uid, pod: "default/db", container: null },
  ]);
  assert.deepEqual(none.failures, []);
  const created = runtime.add(db.uid, "postgres", "CONTAINER_CREATED");
  const stillPending = await enforcer.apply(node);
  assert.equal(runtime.updates.length, 0);
  assert.deepEqual(stillPending.pending[0], { podUID: db.uid, pod: "default/db", container: "postgres" });
  created.state = "CONTAINER_RUNNING";
  await enforcer.apply(node);
  assert.equal(runtime.updatesOf(created.id).length, 1);
  created.state = "CONTAINER_EXITED";
  const restarted = runtime.add(db.uid, "postgres");
  await enforcer.apply(node);
  assert.equal(runtime.updatesOf(created.id).length, 1);
  assert.deepEqual(runtime.updatesOf(restarted.id), [
    { cpuset_cpus: "1,17", cpuset_mems: "0", cpu_quota: -1 },
  ]);
});

test("a failing container does not stop the others; it is retried, and its failure logged once", async (t) => {
  const { runtime, enforcer, log } = setup(t);
  const node = nodeM();
  node.admit(web);
  node.admit(db);
  const nginx = runtime.add(web.uid, "nginx");
  const postgres = runtime.add(db.uid, "postgres");
  runtime.failing.add(nginx.id);
  const r = await enforcer.apply(node);
  assert.equal(runtime.updatesOf(postgres.id).length, 1);
  assert.deepEqual(
    r.failures.filter((f) => f.container !== null),
    [
      {
        podUID: web.uid,
        pod: "default/web",
        container: "nginx",
        containerId: nginx.id,
        message: `CRI UpdateContainerResources on unix:///fake/cri.sock: NOT_FOUND: container "${nginx.id}" in namespace "k8s.io": not found`,
      },
    ],
  );
  const failed = () =>
    log.lines.filter((l) => l.includes('msg="enforcement failed" pod=default/web container=nginx')).length;
  assert.equal(failed(), 1);
  const again = await enforcer.apply(node);
  assert.equal(again.failures.filter((f) => f.container === "nginx").length, 1);
  assert.equal(failed(), 1);
  runtime.failing.clear();
  await enforcer.apply(node);
  assert.deepEqual(runtime.updatesOf(nginx.id), [{ cpuset_cpus: "0,2-16,18-31" }]);
});

test("pod cgroups (v1): quota and memory limit written, then found as decided", async (t) => {
  const { cgroups, enforcer, runtime } = setup(t);
  const node = nodeM();
  node.admit(db);
  node.admit(web);
  runtime.add(db.uid, "postgres");
  cgroups.addCgroup(guaranteedPath(db));
  cgroups.addCgroup(burstablePath(web));
  writeFileSync(join(cgroups.dirOf("cpu", guaranteedPath(db)), "cpu.cfs_quota_us"), "200000\n");
  const r = await enforcer.apply(node);
  assert.deepEqual(r.failures, []);
  assert.deepEqual(
    r.writes.filter((w) => w.kind === "pod-cgroup").map((w) => w.kind === "pod-cgroup" && [w.path, w.value]),
    [
      [join(cgroups.dirOf("cpu", guaranteedPath(db)), "cpu.cfs_quota_us"), "-1"],
      [join(cgroups.dirOf("memory", guaranteedPath(db)), "memory.limit_in_bytes"), String(1n << 30n)],
    ],
  );
  assert.equal(cgroups.read("cpu", guaranteedPath(db), "cpu.cfs_quota_us"), "-1");
  // The Burstable pod has no CPU or memory limit: its pod cgroup is left as the kubelet made it.
  assert.equal(cgroups.read("memory", burstablePath(web), "memory.limit_in_bytes"), "9223372036854771712");
  const again = await enforcer.apply(node);
  assert.deepEqual(again.writes, []);
});

test("pod cgroups (v2): cpu.max and memory.max", async (t) => {
  const runtime = new FakeRuntime();
  const cgroups = fakeCgroups(2);
  const enforcer = createEnforcer({
    runtimeEndpoint: "unix:///fake/cri.sock",
    enforce: true,
    runtime,
    cgroupMount: cgroups.mount,
    log: memoryLog(),
  });
  t.after(async () => {
    await enforcer.stop();
    cgroups.remove();
  });
  const node = nodeM();
  node.admit(db);
  cgroups.addCgroup(guaranteedPath(db));
  writeFileSync(join(cgroups.dirOf("cpu", guaranteedPath(db)), "cpu.max"), "200000 100000\n");
  const r = await enforcer.apply(node);
  assert.deepEqual(r.failures, []);
  assert.equal(cgroups.read("cpu", guaranteedPath(db), "cpu.max"), "max 100000");
  assert.equal(cgroups.read("memory", guaranteedPath(db), "memory.max"), String(1n << 30n));
});

test("the systemd driver and a cgroup root pick the kubelet's slice names", async (t) => {
  const { cgroups, enforcer } = setup(t, { cgroupDriver: "systemd", cgroupRoot: "/node-1" });
  const node = nodeM();
  node.admit(db);
  const slice = podCgroupPath("/node-1", "systemd", "Guaranteed", db.uid);
  assert.equal(
    slice,
    `/node_1.slice/node_1-kubepods.slice/node_1-kubepods-pod${db.uid.replaceAll("-", "_")}.slice`,
  );
  cgroups.addCgroup(slice);
  const r = await enforcer.apply(node);
  assert.deepEqual(r.failures, []);
  assert.equal(cgroups.read("cpu", slice, "cpu.cfs_quota_us"), "-1");
});

test("a pod uid that is not a UID never becomes a path; a symlinked pod cgroup is not written through", async (t) => {
  const { cgroups, enforcer, runtime } = setup(t);
  const node = nodeM();
  const hostile = podFromYaml(`apiVersion: v1
kind: Pod
metadata: {name: hostile, namespace: default, uid: "../../../../etc"}
spec:
  containers:
  - name: c
    image: x
    resources: {requests: {cpu: "1", memory: 1Gi}, limits: {cpu: "1", memory: 1Gi}}
`);
  assert.equal(node.admit(hostile).admitted, true);
  node.admit(db);
  runtime.add(db.uid, "postgres");
  // The db pod's cgroup is a link to somewhere else in the hierarchy.
  cgroups.addCgroup("/elsewhere");
  cgroups.addCgroup(guaranteedPath(db));
  rmSync(cgroups.dirOf("cpu", guaranteedPath(db)), { recursive: true });
  symlinkSync(cgroups.dirOf("cpu", "/elsewhere"), cgroups.dirOf("cpu", guaranteedPath(db)));
  const r = await enforcer.apply(node);
  const messages = r.failures.map((f) => `${f.pod}: ${f.message}`);
  assert.ok(
    messages.includes(
      'default/hostile: pod uid "../../../../etc" is not a UID; no cgroup path is built from it',
    ),
    messages.join("\n"),
  );
  assert.ok(
    messages.some((m) => m.startsWith("default/db: cgroup ") && m.endsWith("; not touched")),
    messages.join("\n"),
  );
  assert.equal(
    readFileSync(join(cgroups.dirOf("cpu", "/elsewhere"), "cpu.cfs_quota_us"), "utf8").trim(),
    "-1",
  );
  assert.equal(
    r.writes.filter((w) => w.kind === "pod-cgroup").length,
    1,
    "only db's memory limit, in its real memory cgroup",
  );
});

test("a missing pod cgroup is a failure once the pod has containers (wrong root or driver)", async (t) => {
  const { enforcer, runtime } = setup(t, { cgroupDriver: "systemd" });
  const node = nodeM();
  node.admit(db);
  runtime.add(db.uid, "postgres");
  const r = await enforcer.apply(node);
  assert.equal(r.failures.length, 2, r.failures.map((f) => f.message).join("\n"));
  assert.match(r.failures[0].message, /^cgroup .*\/kubepods\.slice\/kubepods-pod.*\.slice does not exist$/);
});

test("the runtime unreachable: one failure, pod cgroups still written", async (t) => {
  const { enforcer, runtime, cgroups } = setup(t);
  const node = nodeM();
  node.admit(db);
  cgroups.addCgroup(guaranteedPath(db));
  runtime.listError = new Error(
    "CRI ListContainers on unix:///fake/cri.sock: UNAVAILABLE: connect ECONNREFUSED",
  );
  const r = await enforcer.apply(node);
  assert.deepEqual(
    r.failures.map((f) => f.message),
    ["CRI ListContainers on unix:///fake/cri.sock: UNAVAILABLE: connect ECONNREFUSED"],
  );
  assert.equal(cgroups.read("cpu", guaranteedPath(db), "cpu.cfs_quota_us"), "-1");
});

test("dry run: each would-be write logged once, nothing sent or written", async (t) => {
  const { runtime, cgroups, enforcer, log } = setup(t, { enforce: false });
  const node = nodeM();
  node.admit(db);
  const postgres = runtime.add(db.uid, "postgres");
  cgroups.addCgroup(guaranteedPath(db));
  const r = await enforcer.apply(node);
  assert.equal(enforcer.enforce, false);
  assert.deepEqual(runtime.updates, []);
  assert.equal(cgroups.read("cpu", guaranteedPath(db), "cpu.cfs_quota_us"), "-1");
  assert.equal(cgroups.read("memory", guaranteedPath(db), "memory.limit_in_bytes"), "9223372036854771712");
  assert.deepEqual(
    r.writes.map((w) => [w.kind, w.applied]),
    [
      ["container", false],
      ["pod-cgroup", false],
    ],
  );
  assert.ok(
    log.lines.some((l) =>
      l.includes(
        `msg="would set container" pod=default/db container=postgres id=${postgres.id.slice(0, 13)} cpuset_cpus=1,17 cpuset_mems=0 cpu_quota=-1`,
      ),
    ),
    log.lines.join("\n"),
  );
  assert.ok(
    log.lines.some((l) =>
      /msg="would set pod cgroup" pod=default\/db file=\S+memory.limit_in_bytes value=1073741824 was=9223372036854771712/.test(
        l,
      ),
    ),
  );
  const lines = log.lines.length;
  const again = await enforcer.apply(node);
  assert.deepEqual(again.writes, []);
  assert.equal(log.lines.length, lines);
});

test("the reconcile loop picks up containers that appear later and pool changes, and stops", async (t) => {
  const { runtime, enforcer } = setup(t, { reconcilePeriodMs: 20 });
  const node = nodeM();
  node.admit(web);
  enforcer.start(() => node);
  const waitFor = async (what: string, ok: () => boolean) => {
    for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(ok(), what);
  };
  const nginx = runtime.add(web.uid, "nginx");
  await waitFor("the new container", () => runtime.updatesOf(nginx.id).length === 1);
  node.admit(db);
  await waitFor(
    "the smaller shared pool",
    () => runtime.updatesOf(nginx.id).at(-1)?.cpuset_cpus === "0,2-16,18-31",
  );
  await enforcer.stop();
  const count = runtime.updates.length;
  runtime.add(db.uid, "postgres");
  await new Promise((r) => setTimeout(r, 80));
  assert.equal(runtime.updates.length, count);
  const after = await enforcer.apply(node);
  assert.deepEqual(
    after.failures.map((f) => f.message),
    ["the enforcer is stopped"],
  );
});

test("start twice runs one loop", async (t) => {
  const { runtime, enforcer } = setup(t, { reconcilePeriodMs: 60_000 });
  const node = nodeM();
  const seen: string[] = [];
  enforcer.start(() => {
    seen.push("first");
    return node;
  });
  enforcer.start(() => {
    seen.push("second");
    return node;
  });
  for (let i = 0; i < 100 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 100));
  await enforcer.stop();
  assert.deepEqual(seen, ["second"]);
  assert.equal(runtime.maxInFlight, 1);
});

test("a node source that throws is logged and the loop goes on", async (t) => {
  const { enforcer, log } = setup(t, { reconcilePeriodMs: 10 });
  const node = nodeM();
  let calls = 0;
  enforcer.start(() => {
    calls++;
    if (calls === 1) throw new Error("engine is closing");
    return node;
  });
  for (let i = 0; i < 300 && calls < 3; i++) await new Promise((r) => setTimeout(r, 10));
  await enforcer.stop();
  assert.ok(calls >= 3, `${calls} passes`);
  assert.ok(log.lines.some((l) => l.includes('msg="enforcement pass failed" error="engine is closing"')));
});

test("passes never overlap", async (t) => {
  const { runtime, enforcer } = setup(t);
  runtime.listDelayMs = 20;
  const node = nodeM();
  node.admit(web);
  runtime.add(web.uid, "nginx");
  await Promise.all([enforcer.apply(node), enforcer.apply(node), enforcer.apply(node)]);
  assert.equal(runtime.maxInFlight, 1);
  assert.equal(runtime.updates.length, 1);
});

test("bad options are refused with the option's name", () => {
  const base: EnforcerOptions = {
    runtimeEndpoint: "unix:///run/containerd/containerd.sock",
    enforce: false,
    log: memoryLog(),
    runtime: new FakeRuntime(),
  };
  const cases: [Partial<EnforcerOptions>, RegExp][] = [
    [
      { runtimeEndpoint: "/run/containerd/containerd.sock" },
      /^runtimeEndpoint: expected unix:\/\/\/absolute\/path\/to\/socket/,
    ],
    [{ runtimeEndpoint: "unix://relative.sock" }, /^runtimeEndpoint: /],
    [{ runtimeEndpoint: `unix:///${"x".repeat(120)}` }, /^runtimeEndpoint: .*at most 107 bytes/],
    [{ runtimeEndpoint: "tcp://127.0.0.1:1234" }, /^runtimeEndpoint: /],
    [{ cgroupRoot: "kubepods" }, /^cgroupRoot: expected an absolute cgroup path/],
    [{ cgroupRoot: "/a/../../b" }, /^cgroupRoot: component "\.\."/],
    [{ cgroupDriver: "docker" as never }, /^cgroupDriver: expected cgroupfs or systemd, got "docker"$/],
    [{ reconcilePeriodMs: 0 }, /^reconcilePeriodMs: expected a positive number of milliseconds, got 0$/],
    [{ reconcilePeriodMs: Number.NaN }, /^reconcilePeriodMs: /],
    [{ cgroupMount: "/nonexistent/cgroup" }, /^cgroup mount \/nonexistent\/cgroup: /],
  ];
  for (const [over, message] of cases)
    assert.throws(
      () => createEnforcer({ ...base, ...over }),
      (err: unknown) =>
        err instanceof EnforceConfigError && message.test(err.message) && !err.message.includes("\n"),
      JSON.stringify(over),
    );
});
