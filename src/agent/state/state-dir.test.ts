import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import {
  CPU_CHECKPOINT_FILE,
  DEVICE_CHECKPOINT_FILE,
  MEMORY_CHECKPOINT_FILE,
  readStateDir,
} from "../../checkpoint/index.js";
import { defaultNodeConfig, Node } from "../../node/index.js";
import { StateDirError } from "./errors.js";
import { checkpointBytesOf, STATE_RECORD_FILE } from "./files.js";
import { LOCK_FILE } from "./lock.js";
import { decodeRecord } from "./record.js";
import { openStateDir } from "./state-dir.js";
import {
  agentConfig,
  agentMachine,
  applyStep,
  filesIn,
  GPU,
  nodeState,
  podOf,
  recordPath,
  scratchDir,
  simplePodObject,
  type TestStep,
  temporaryFilesIn,
} from "./state.test-support.js";
import type { OpenedStateDir } from "./types.js";

const machine = agentMachine();
const config = agentConfig();

async function run(sd: OpenedStateDir, steps: TestStep[]): Promise<void> {
  for (const step of steps) {
    const op = applyStep(sd.node, step);
    if (op) await sd.commit(op);
  }
}

const STEPS: TestStep[] = [
  { op: "admit", object: simplePodObject("pod-a", { cpu: "2", containers: 2, gpus: 1 }) },
  { op: "admit", object: simplePodObject("pod-b", { cpu: "1", podLevel: true, containers: 2 }) },
  { op: "admit", object: simplePodObject("pod-c", { cpu: "1", gpus: 2 }) },
  { op: "admit", object: simplePodObject("too-big", { cpu: "40" }) },
  { op: "removeContainer", pick: 0, container: 1 },
  {
    op: "updateDevices",
    resource: GPU,
    devices: [
      { id: "gpu-0-0", numaNodes: [0], healthy: false },
      { id: "gpu-0-1", numaNodes: [0], healthy: true },
      { id: "gpu-1-0", numaNodes: [1], healthy: true },
      { id: "gpu-1-1", numaNodes: [1], healthy: true },
    ],
  },
  { op: "remove", pick: 2 },
];

describe("the agent's state directory", () => {
  test("a missing directory is a fresh start: created 0700 with the kubelet's three files and the record", async (t) => {
    const dir = scratchDir(t);
    const sd = await openStateDir({ dir, machine, config });
    assert.deepEqual(sd.warnings, []);
    assert.equal(sd.generation, 1);
    assert.equal(sd.node.admittedPods().length, 0);
    await sd.close();
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.deepEqual(readdirSync(dir).sort(), [
      CPU_CHECKPOINT_FILE,
      "device-plugins",
      MEMORY_CHECKPOINT_FILE,
      STATE_RECORD_FILE,
    ]);
    assert.deepEqual(filesIn(dir), checkpointBytesOf(new Node({ machine, config })));
    // The files are the kubelet's: a 1.37 kubelet with this configuration restores each of them.
    const read = readStateDir(dir, {
      version: "1.37",
      gates: config.featureGates,
      cpuPolicy: "static",
      memoryPolicy: "Static",
    });
    assert.ok(read.cpu.ok && read.cpu.result.format === "v4");
    assert.ok(read.memory.ok && read.memory.result.format === "v3");
    assert.ok(read.device.ok && read.device.result.format === "v2" && read.device.result.error === null);
  });

  test("under the none policies it writes what the kubelet writes, byte for byte", async (t) => {
    const dir = scratchDir(t);
    const none = defaultNodeConfig({ kubernetesVersion: "1.36" });
    const sd = await openStateDir({ dir, machine, config: none });
    await sd.close();
    const files = filesIn(dir);
    // The checksums a 1.35/1.36 kubelet writes for an empty state under these policies.
    assert.equal(
      files[CPU_CHECKPOINT_FILE],
      '{"policyName":"none","defaultCpuSet":"","checksum":1353318690}',
    );
    assert.equal(
      files[MEMORY_CHECKPOINT_FILE],
      '{"policyName":"None","machineState":{},"checksum":4236770233}',
    );
  });

  test("a reopened directory gives back the node: files, pods and their objects, device lists, in-use sets", async (t) => {
    const dir = scratchDir(t);
    const sd = await openStateDir({ dir, machine, config });
    await run(sd, STEPS);
    const before = nodeState(sd.node);
    const objects = [...sd.podObjects];
    assert.deepEqual(
      objects.map(([uid]) => uid),
      ["pod-a", "pod-b"],
    );
    assert.deepEqual(filesIn(dir), before.files);
    await sd.close();
    const again = await openStateDir({ dir, machine, config });
    t.after(() => again.close());
    assert.deepEqual(again.warnings, []);
    assert.deepEqual(nodeState(again.node), before);
    assert.deepEqual([...again.podObjects], objects);
    assert.deepEqual(again.node.pod("pod-a"), podOf(objects[0][1]));
    // The next operations decide as on a node that never restarted.
    const reference = new Node({ machine, config });
    for (const step of STEPS) applyStep(reference, step);
    const more: TestStep[] = [
      { op: "admit", object: simplePodObject("pod-d", { cpu: "2", gpus: 1 }) },
      { op: "remove", pick: 0 },
      { op: "admit", object: simplePodObject("pod-e", { cpu: "3", podLevel: true }) },
    ];
    await run(again, more);
    for (const step of more) applyStep(reference, step);
    assert.deepEqual(nodeState(again.node), nodeState(reference));
  });

  test("the recorded object is the one committed: later changes to the caller's object do not reach it", async (t) => {
    const dir = scratchDir(t);
    const sd = await openStateDir({ dir, machine, config });
    const object = simplePodObject("pod-a");
    (object.metadata as Record<string, unknown>).generation = 3n;
    const op = applyStep(sd.node, { op: "admit", object });
    assert.ok(op);
    await sd.commit(op);
    (object.metadata as Record<string, unknown>).name = "changed";
    await sd.close();
    const again = await openStateDir({ dir, machine, config });
    t.after(() => again.close());
    const recorded = again.podObjects.get("pod-a") as { metadata: { name: string; generation: unknown } };
    assert.equal(recorded.metadata.name, "pod-a");
    assert.equal(recorded.metadata.generation, 3);
  });

  test("a commit that changes nothing writes nothing", async (t) => {
    const dir = scratchDir(t);
    const sd = await openStateDir({ dir, machine, config });
    t.after(() => sd.close());
    await run(sd, STEPS.slice(0, 1));
    const generation = sd.generation;
    await sd.commit({ kind: "remove", podUID: "no-such-pod" });
    assert.equal(sd.generation, generation);
  });

  test("a kubelet's directory without record loads like a kubelet restart: pods known by UID, and a warning", async (t) => {
    const dir = scratchDir(t);
    const kubelet = new Node({ machine, config });
    for (const step of STEPS.slice(0, 3)) applyStep(kubelet, step);
    mkdirSync(join(dir, "device-plugins"), { recursive: true });
    for (const [name, text] of Object.entries(checkpointBytesOf(kubelet)))
      writeFileSync(join(dir, name), text);

    const sd = await openStateDir({ dir, machine, config });
    assert.equal(sd.warnings.length, 1, sd.warnings.join("\n"));
    assert.match(
      sd.warnings[0],
      /^no podpin_agent_state in ".*": loaded the kubelet checkpoint files as a kubelet restart does; 3 running pods are known by UID and container names only$/,
    );
    assert.deepEqual(
      sd.node
        .admittedPods()
        .map((p) => [p.uid, p.containers.map((c) => c.name)])
        .sort(),
      [
        ["pod-a", ["c0", "c1"]],
        ["pod-b", ["c0", "c1"]],
        ["pod-c", ["c0"]],
      ],
    );
    assert.equal(sd.podObjects.size, 0);
    assert.deepEqual(filesIn(dir), checkpointBytesOf(kubelet));
    // The record now exists and the next start is quiet.
    sd.node.remove("pod-c");
    await sd.commit({ kind: "remove", podUID: "pod-c" });
    await sd.close();
    const record = decodeRecord(readFileSync(recordPath(dir), "utf8"), recordPath(dir));
    assert.deepEqual(
      record.pods.map((p) => ("fromCheckpoints" in p ? p.uid : "object")),
      ["pod-a", "pod-b"],
    );
    const again = await openStateDir({ dir, machine, config });
    assert.deepEqual(again.warnings, []);
    assert.equal(again.node.pod("pod-a")?.name, "uid pod-a");
    await again.close();
  });

  test("a 1.36 directory opened by a 1.37 agent is migrated to the 1.37 formats, with a warning", async (t) => {
    const dir = scratchDir(t);
    const old = await openStateDir({ dir, machine, config: { ...config, kubernetesVersion: "1.36" } });
    await run(old, STEPS.slice(0, 3));
    const state = nodeState(old.node);
    await old.close();
    assert.match(filesIn(dir)[CPU_CHECKPOINT_FILE] ?? "", /"podEntries":\{"pod-b"/);
    const sd = await openStateDir({ dir, machine, config });
    assert.deepEqual(sd.warnings, [
      "cpu_manager_state: migrated from the V3 format to V4, the one Kubernetes 1.37 writes",
      "memory_manager_state: migrated from the V2 format to V3, the one Kubernetes 1.37 writes",
    ]);
    const now = nodeState(sd.node);
    assert.deepEqual(now.pods, state.pods);
    assert.deepEqual(filesIn(dir), now.files);
    assert.match(now.files[CPU_CHECKPOINT_FILE], /"dataChecksum":/);
    await sd.close();
    const again = await openStateDir({ dir, machine, config });
    assert.deepEqual(again.warnings, []);
    await again.close();
  });

  test("temporary files an interrupted write left are removed at open", async (t) => {
    const dir = scratchDir(t);
    await (await openStateDir({ dir, machine, config })).close();
    writeFileSync(join(dir, ".cpu_manager_state.tmp-4242-0123456789ab"), "{");
    writeFileSync(join(dir, "device-plugins", ".kubelet_internal_checkpoint.tmp-4242-0123456789ab"), "");
    const sd = await openStateDir({ dir, machine, config });
    await sd.close();
    assert.deepEqual(sd.warnings, [
      "removed temporary files an interrupted write left: .cpu_manager_state.tmp-4242-0123456789ab, device-plugins/.kubelet_internal_checkpoint.tmp-4242-0123456789ab",
    ]);
    assert.deepEqual(temporaryFilesIn(dir), []);
  });

  test("one agent per directory: a second open is refused; a dead holder's lock is taken over", async (t) => {
    const dir = scratchDir(t);
    const sd = await openStateDir({ dir, machine, config });
    await assert.rejects(openStateDir({ dir, machine, config }), (err: unknown) => {
      assert.ok(err instanceof StateDirError && err.reason === "locked");
      assert.match(err.message, /is already open in this process/);
      return true;
    });
    await sd.close();
    assert.ok(!existsSync(join(dir, LOCK_FILE)));

    // A live process holds it.
    const sleeper = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
    t.after(() => sleeper.kill("SIGKILL"));
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: sleeper.pid, startTime: null }));
    await assert.rejects(openStateDir({ dir, machine, config }), (err: unknown) => {
      assert.ok(err instanceof StateDirError && err.reason === "locked");
      assert.equal(
        err.message,
        `state directory ${JSON.stringify(dir)} is in use by process ${sleeper.pid} (lock file ${JSON.stringify(join(dir, LOCK_FILE))}): stop that agent first, or delete the lock file if no agent runs`,
      );
      return true;
    });
    // The same pid with another start time is another process (a reused pid).
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: sleeper.pid, startTime: "1" }));
    const taken = await openStateDir({ dir, machine, config });
    assert.deepEqual(taken.warnings, [
      `took over the lock of process ${sleeper.pid}, which is no longer running`,
    ]);
    await taken.close();
  });

  test("commits after close are refused", async (t) => {
    const dir = scratchDir(t);
    const sd = await openStateDir({ dir, machine, config });
    await sd.close();
    await assert.rejects(sd.commit({ kind: "remove", podUID: "x" }), (err: unknown) => {
      assert.ok(err instanceof StateDirError && err.reason === "closed");
      return true;
    });
  });

  test("a write that fails rejects its commit; later commits still make the directory consistent", async (t) => {
    const dir = scratchDir(t);
    let failAt: string | null = null;
    const sd = await openStateDir({
      dir,
      machine,
      config,
      fileOpHook: (op) => {
        if (failAt !== null && op.kind === "rename" && op.target?.endsWith(failAt)) {
          failAt = null;
          throw Object.assign(new Error("ENOSPC: no space left on device, rename"), { code: "ENOSPC" });
        }
      },
    });
    const reference = new Node({ machine, config });
    const step = (s: TestStep) => {
      applyStep(reference, s);
      return applyStep(sd.node, s);
    };
    await sd.commit(step(STEPS[0])!);
    failAt = MEMORY_CHECKPOINT_FILE;
    const err = await sd.commit(step(STEPS[1])!).catch((e: unknown) => e);
    assert.ok(err instanceof StateDirError && err.reason === "io", String(err));
    assert.match(err.message, /^could not write ".*memory_manager_state": ENOSPC: no space left on device/);
    // The CPU file is at the failed generation, the memory file one behind: the record covers both.
    await sd.commit(step(STEPS[2])!);
    assert.deepEqual(filesIn(dir), checkpointBytesOf(reference));
    await sd.close();
    const again = await openStateDir({ dir, machine, config });
    assert.deepEqual(again.warnings, []);
    assert.deepEqual(nodeState(again.node), nodeState(reference));
    await again.close();
  });

  test("the device file keeps the healthy devices the plugins reported", async (t) => {
    const dir = scratchDir(t);
    const sd = await openStateDir({ dir, machine, config });
    await run(sd, STEPS);
    await sd.close();
    const text = filesIn(dir)[DEVICE_CHECKPOINT_FILE] ?? "";
    assert.match(text, /"RegisteredDevices":\{"example.com\/gpu":\["gpu-0-1","gpu-1-0","gpu-1-1"\]\}/);
  });
});
