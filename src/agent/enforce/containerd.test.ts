import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, test } from "node:test";
import { type Pod, podQOS } from "../../k8s/index.js";
import { loadMachine } from "../../machine/index.js";
import { Node } from "../../node/index.js";
import { podFromYaml } from "../../node/test-support.js";
import { memoryLog } from "../log.js";
import { detectCgroupLayout } from "./cgroup-fs.js";
import { eventually, harnessEnforcement, reservedCPUConfig } from "./containerd-node.test-support.js";
import {
  type ContainerdHarness,
  cpusAllowed,
  type HarnessRunningContainer,
  type HarnessSandbox,
  processCgroupFile,
  startContainerd,
} from "./containerd.test-support.js";
import type { LinuxContainerResources } from "./cri-types.js";
import { createEnforcer } from "./index.js";

/*
 * Enforcement against a real container runtime: a private containerd runs sandboxes and `sleep`
 * containers created through CRI as a kubelet with managers `none` would create them (no cpuset,
 * CFS quota from the limits), podpin's Node decides on this machine's real CPUs (`loadMachine("this")`,
 * one CPU reserved; on a 2-CPU machine CPU 0 stays shared and CPU 1 goes exclusive or into a pod
 * bubble), and the enforcer applies the decisions. The kernel's view is checked against the
 * engine's decisions: each process's Cpus_allowed_list and its cgroup's files.
 */

let h: ContainerdHarness;

before(async () => {
  h = await startContainerd();
});

after(async () => {
  await h?.cleanup();
});

const MiB = 1n << 20n;

/** Static CPU Manager with CPU 0 reserved, Memory Manager Static, pod scope, pod-level gates on. */
function thisNode(): Node {
  return new Node({ machine: loadMachine("this"), config: reservedCPUConfig() });
}

function pod(name: string, uid: string, spec: string): Pod {
  return podFromYaml(
    `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: default, uid: ${uid}}\nspec:\n${spec}`,
  );
}

const sharedPod = pod(
  "shared",
  "3e0b5c1a-7d2f-4e8a-9b6c-1f2a3b4c5d01",
  "  containers:\n  - name: app\n    image: busybox\n    resources: {requests: {memory: 32Mi}}\n",
);
const bubblePod = pod(
  "bubble",
  "3e0b5c1a-7d2f-4e8a-9b6c-1f2a3b4c5d02",
  '  resources: {requests: {cpu: "1", memory: 64Mi}, limits: {cpu: "1", memory: 64Mi}}\n  containers:\n  - name: app\n    image: busybox\n',
);
const exclusiveSpec =
  '  containers:\n  - name: app\n    image: busybox\n    resources: {requests: {cpu: "1", memory: 64Mi}, limits: {cpu: "1", memory: 64Mi}}\n';
const exclusivePod = pod("exclusive", "3e0b5c1a-7d2f-4e8a-9b6c-1f2a3b4c5d03", exclusiveSpec);
const dryRunPod = pod("dry-run", "3e0b5c1a-7d2f-4e8a-9b6c-1f2a3b4c5d04", exclusiveSpec);

/** What a kubelet whose resource managers are `none` sends for a 1-CPU, 64Mi Guaranteed container. */
const guaranteedResources: LinuxContainerResources = {
  cpu_period: 100_000,
  cpu_quota: 100_000,
  cpu_shares: 1024,
  memory_limit_in_bytes: Number(64n * MiB),
};

async function runPod(
  p: Pod,
  node: Node,
  kubeletQuota?: number,
): Promise<[HarnessSandbox, HarnessRunningContainer]> {
  const sandbox = await h.createPodSandbox({
    uid: p.uid,
    name: p.name,
    qos: podQOS(p, node.config.featureGates),
    kubeletPodCgroup:
      kubeletQuota === undefined ? undefined : { cpuQuotaUs: kubeletQuota, cpuPeriodUs: 100_000 },
  });
  const guaranteed = p.containers[0].resources?.limits.cpu !== undefined;
  const container = await h.createContainer(sandbox, {
    name: "app",
    resources: guaranteed ? guaranteedResources : { cpu_shares: 2 },
  });
  return [sandbox, container];
}

/** A file of the pod cgroup, in the hierarchy of `controller`. */
async function podCgroupValue(sandbox: HarnessSandbox, controller: "cpu" | "memory", file: string) {
  const layout = detectCgroupLayout(h.cgroupMount);
  const hierarchy = layout.hierarchy(controller);
  assert.ok(hierarchy, `${controller} hierarchy`);
  return (await readFile(`${hierarchy}${sandbox.cgroupParent}/${file}`, "utf8")).trim();
}

const quotaFile = () => (detectCgroupLayout(h.cgroupMount).version === 1 ? "cpu.cfs_quota_us" : "cpu.max");
const unlimitedQuota = () => (detectCgroupLayout(h.cgroupMount).version === 1 ? "-1" : "max 100000");
const quota100ms = () => (detectCgroupLayout(h.cgroupMount).version === 1 ? "100000" : "100000 100000");

/** The engine's decision for the pod's one container: the cpuset and memory nodes to expect. */
function admitted(node: Node, p: Pod): { cpus: string; mems: string } {
  const r = node.admit(p);
  assert.equal(r.admitted, true, `${p.name}: ${r.reason} ${r.message}`);
  const c = r.containers![0];
  return { cpus: c.cpus.toString(), mems: (c.cpusetMems ?? []).join(",") };
}

test("enforce: cpusets, NUMA memory nodes and CFS quotas reach real containers and pod cgroups", {
  timeout: 60_000,
}, async () => {
  const node = thisNode();
  const allCpus = node.machine.topology.all.toString();
  const log = memoryLog();
  const enforcer = createEnforcer(harnessEnforcement(h, log));
  try {
    assert.deepEqual(admitted(node, sharedPod), { cpus: allCpus, mems: "" });
    const [, shared] = await runPod(sharedPod, node);
    const first = await enforcer.apply(node);
    assert.deepEqual(first.failures, []);
    assert.deepEqual(
      first.writes.map((w) => (w.kind === "container" ? [w.pod, w.container, w.resources] : w.path)),
      [["default/shared", "app", { cpuset_cpus: allCpus }]],
    );
    assert.equal(await cpusAllowed(shared.pid), allCpus);

    // The bubble takes a CPU out of the node shared pool (on a 2-CPU machine: CPU 1, leaving 0);
    // the reconcile loop finds the new container and moves the shared one to what is left,
    // without another apply call.
    const inBubble = admitted(node, bubblePod);
    const pool = node.defaultCpuSet().toString();
    assert.notEqual(pool, allCpus);
    assert.equal(inBubble.mems, "0");
    enforcer.start(() => node);
    const [bubbleSandbox, bubble] = await runPod(bubblePod, node, 100_000);
    await eventually(
      "the reconcile loop",
      async () =>
        (await cpusAllowed(bubble.pid)) === inBubble.cpus && (await cpusAllowed(shared.pid)) === pool,
      log.lines,
      { logName: "enforcer log", timeoutMs: 15_000 },
    );
    await enforcer.stop();
    assert.equal(await processCgroupFile(bubble.pid, "cpuset", "cpuset.cpus"), inBubble.cpus);
    assert.equal(await processCgroupFile(bubble.pid, "cpuset", "cpuset.mems"), inBubble.mems);
    // A pod-shared container keeps the quota of its own (absent) limit; the pod cgroup keeps the
    // pod-level quota that caps the pod shared pool, and gets the pod's memory limit.
    assert.equal(await processCgroupFile(bubble.pid, "cpu", quotaFile()), unlimitedQuota());
    assert.equal(await podCgroupValue(bubbleSandbox, "cpu", quotaFile()), quota100ms());
    const memoryFile =
      detectCgroupLayout(h.cgroupMount).version === 1 ? "memory.limit_in_bytes" : "memory.max";
    assert.equal(await podCgroupValue(bubbleSandbox, "memory", memoryFile), String(64n * MiB));
    const logged = (pattern: string) => log.lines.some((l) => l.includes(pattern));
    assert.ok(logged(`cpuset_cpus=${inBubble.cpus} cpuset_mems=0`), log.lines.join("\n"));
    assert.ok(logged('msg="set container" pod=default/bubble container=app'));
    assert.ok(
      logged(
        `msg="set container" pod=default/shared container=app id=${shared.id.slice(0, 13)} cpuset_cpus=${pool}`,
      ),
    );

    // The bubble pod goes; an exclusive container gets its CPU, no CFS quota, and its pod cgroup
    // (all containers exclusive) no quota either.
    node.remove(bubblePod.uid);
    await h.removePodSandbox(bubbleSandbox);
    const exclusiveCpus = admitted(node, exclusivePod);
    const poolNow = node.defaultCpuSet().toString();
    const [exclusiveSandbox, exclusive] = await runPod(exclusivePod, node, 100_000);
    assert.equal(await processCgroupFile(exclusive.pid, "cpu", quotaFile()), quota100ms());
    const enforcer2 = createEnforcer({
      runtimeEndpoint: h.endpoint,
      enforce: true,
      cgroupRoot: h.cgroupRoot,
      cgroupMount: h.cgroupMount,
      log,
    });
    try {
      const third = await enforcer2.apply(node);
      assert.deepEqual(third.failures, []);
      assert.equal(await cpusAllowed(exclusive.pid), exclusiveCpus.cpus);
      assert.equal(await cpusAllowed(shared.pid), poolNow);
      assert.equal(await processCgroupFile(exclusive.pid, "cpuset", "cpuset.mems"), exclusiveCpus.mems);
      assert.equal(await processCgroupFile(exclusive.pid, "cpu", quotaFile()), unlimitedQuota());
      assert.equal(await podCgroupValue(exclusiveSandbox, "cpu", quotaFile()), unlimitedQuota());
      // Idempotent: a second pass finds everything as decided and writes nothing.
      const again = await enforcer2.apply(node);
      assert.deepEqual([again.writes, again.failures, again.pending], [[], [], []]);
      assert.ok(again.unchanged >= 2);
    } finally {
      await enforcer2.stop();
    }
    await h.removePodSandbox(exclusiveSandbox);
  } finally {
    await enforcer.stop();
  }
});

test("dry run: logs each write it would make once and writes nothing", { timeout: 60_000 }, async () => {
  const node = thisNode();
  const allCpus = node.machine.topology.all.toString();
  const log = memoryLog();
  const decided = admitted(node, dryRunPod);
  assert.notEqual(decided.cpus, allCpus);
  const [sandbox, container] = await runPod(dryRunPod, node, 100_000);
  const observe = async () => ({
    cpus: await cpusAllowed(container.pid),
    cpuset: await processCgroupFile(container.pid, "cpuset", "cpuset.cpus"),
    quota: await processCgroupFile(container.pid, "cpu", quotaFile()),
    podQuota: await podCgroupValue(sandbox, "cpu", quotaFile()),
  });
  const before = await observe();
  assert.deepEqual(before, { cpus: allCpus, cpuset: allCpus, quota: quota100ms(), podQuota: quota100ms() });
  const enforcer = createEnforcer({
    runtimeEndpoint: h.endpoint,
    enforce: false,
    cgroupRoot: h.cgroupRoot,
    cgroupMount: h.cgroupMount,
    log,
  });
  try {
    const result = await enforcer.apply(node);
    assert.deepEqual(result.failures, []);
    assert.equal(result.enforce, false);
    assert.deepEqual(
      result.writes.map((w) => [w.kind, w.applied]),
      [
        ["container", false],
        ["pod-cgroup", false],
        ["pod-cgroup", false],
      ],
      "the cpuset and quota update, the pod quota, the pod memory limit",
    );
    const containerWrite = result.writes[0];
    assert.deepEqual(containerWrite.kind === "container" && containerWrite.resources, {
      cpuset_cpus: decided.cpus,
      cpuset_mems: decided.mems,
      cpu_quota: -1,
    });
    const would = `msg="would set container" pod=default/dry-run container=app id=${container.id.slice(0, 13)} cpuset_cpus=${decided.cpus} cpuset_mems=${decided.mems} cpu_quota=-1`;
    assert.ok(
      log.lines.some((l) => l.endsWith(would)),
      log.lines.join("\n"),
    );
    assert.ok(
      log.lines.some((l) =>
        new RegExp(`msg="would set pod cgroup" pod=default/dry-run file=\\S+/${quotaFile()} value=`).test(l),
      ),
      log.lines.join("\n"),
    );
    assert.deepEqual(await observe(), before);
    const status = await h.cri.containerStatus(container.id);
    assert.equal(status.status?.resources?.linux?.cpuset_cpus ?? "", "");
    // Reported once: the next pass has nothing new to say.
    const lines = log.lines.length;
    const again = await enforcer.apply(node);
    assert.deepEqual([again.writes, again.failures], [[], []]);
    assert.equal(log.lines.length, lines);
  } finally {
    await enforcer.stop();
    await h.removePodSandbox(sandbox);
  }
});
