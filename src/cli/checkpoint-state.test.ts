/**
 * `podpin checkpoint verify` and `podpin checkpoint migrate`, as functions of their inputs: the
 * verdict per file with the kubelet's words, the exit codes scripts rely on, migrations that
 * refuse to lose state and write nothing then.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { openStateDir, STATE_RECORD_FILE } from "../agent/state/index.js";
import {
  agentConfig,
  agentMachine,
  applyStep,
  filesIn,
  populatedStateDir,
  recordPath,
  scratchDir,
} from "../agent/state/state.test-support.js";
import type { NodeConfig } from "../node/index.js";
import { checkpointMigrate } from "./checkpoint-migrate.js";
import { checkpointVerify, type VerifyCommandOptions } from "./checkpoint-verify.js";
import { UsageError } from "./errors.js";

const EX = join(import.meta.dirname, "../../examples");
const CONFIG = join(EX, "kubelet-pod-scope.yaml");

/** An agent's directory with a classic GPU pod and a pod-level pod, written for `config`. */
function agentDir(dir: string, config: NodeConfig = agentConfig()): Promise<void> {
  return populatedStateDir({ dir, machine: agentMachine(), config });
}

const verify = (dir: string, opts: Partial<VerifyCommandOptions> = {}) =>
  checkpointVerify(dir, { output: "table", machine: "worked-example", ...opts });

function edit(path: string, change: (s: string) => string): void {
  writeFileSync(path, change(readFileSync(path, "utf8")));
}

describe("podpin checkpoint verify", () => {
  test("an agent's directory: one line per file, the record, ok (exit 0)", async (t) => {
    const dir = scratchDir(t);
    await agentDir(dir);
    const r = await verify(dir);
    assert.equal(r.exitCode, 0, r.stdout);
    const lines = r.stdout.split("\n");
    assert.equal(
      lines[0],
      "Read as Kubernetes 1.37 with PodLevelResourceManagers on, each file with its own policy.",
    );
    assert.equal(
      lines[1],
      "cpu_manager_state: ok (V4, policy static, default CPU set 0,3-16,19-31, 2 pods holding CPUs)",
    );
    assert.equal(
      lines[2],
      "memory_manager_state: ok (V3, policy Static, 2 NUMA nodes, 2 pods holding memory)",
    );
    assert.equal(
      lines[3],
      "device-plugins/kubelet_internal_checkpoint: ok (V2, 1 device record for 1 pod, registered: example.com/gpu)",
    );
    assert.match(
      lines[4],
      /^podpin_agent_state: ok \(generation 3, 2 running pods, 2 known by their objects, written for Kubernetes 1\.37, every file at this generation\)$/,
    );
    assert.match(
      r.stdout,
      /^note: the managers' start-up validation .* did not run: name the node's machine with -m/m,
    );
    assert.match(r.stdout, /\nok: every file verifies\n$/);
  });

  test("a kubelet's directory: no record, still ok", async (t) => {
    const dir = scratchDir(t);
    await agentDir(dir);
    rmSync(recordPath(dir));
    const r = await verify(dir);
    assert.equal(r.exitCode, 0, r.stdout);
    assert.match(r.stdout, /^podpin_agent_state: absent \(no record \(a kubelet's directory/m);
  });

  test("a damaged file is a problem with the kubelet's message (exit 1)", async (t) => {
    const dir = scratchDir(t);
    await agentDir(dir);
    const path = join(dir, "cpu_manager_state");
    edit(path, (s) => s.replace(/"dataChecksum":\d+/, '"dataChecksum":7'));
    const r = await verify(dir);
    assert.equal(r.exitCode, 1);
    assert.match(r.stdout, /^cpu_manager_state: problem$/m);
    assert.ok(
      r.stdout.includes(
        `  could not restore state from checkpoint: could not load v4 checkpoint: checkpoint is corrupted, please drain this node and delete the CPU manager checkpoint file ${JSON.stringify(path)} before restarting Kubelet\n`,
      ),
      r.stdout,
    );
    assert.match(r.stdout, /^ {2}state mismatch: .*cpu_manager_state" is not the content/m);
    assert.match(
      r.stdout,
      /\n2 problems: a kubelet or agent would not start with this directory as it is\n$/,
    );
  });

  test("an interrupted write is a warning (the agent finishes it), a problem with --strict", async (t) => {
    const dir = scratchDir(t);
    await agentDir(dir);
    const before = filesIn(dir);
    const sd = await openStateDir({ dir, machine: agentMachine(), config: agentConfig() });
    const op = applyStep(sd.node, { op: "remove", pick: 0 });
    await sd.commit(op!);
    await sd.close();
    // The record is at the new generation, the CPU file still at the one before.
    writeFileSync(join(dir, "cpu_manager_state"), before.cpu_manager_state ?? "");
    const r = await verify(dir);
    assert.equal(r.exitCode, 0, r.stdout);
    assert.match(
      r.stdout,
      /^ {2}warning: one write behind podpin_agent_state \(generation 4\): an agent stopped while writing it/m,
    );
    assert.match(r.stdout, /1 file one write behind/);
    const strict = await verify(dir, { strict: true });
    assert.equal(strict.exitCode, 1);
    assert.match(strict.stdout, /\n1 warning \(--strict\): not ok\n$/);
  });

  test("with the node's configuration: its policies and gates are the ones checked", async (t) => {
    const dir = scratchDir(t);
    await agentDir(dir);
    const none = join(dir, "..", "kubelet-none.yaml");
    writeFileSync(none, "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n");
    const r = await verify(dir, { config: none });
    assert.equal(r.exitCode, 1);
    assert.match(
      r.stdout,
      /configured policy "none" differs from state checkpoint policy "static", please drain this node/,
    );
    assert.match(r.stdout, /configured policy "None" differs from state checkpoint policy "Static"/);
    const gateOff = await verify(dir, { config: CONFIG, featureGates: "PodLevelResourceManagers=false" });
    assert.equal(gateOff.exitCode, 1);
    assert.match(
      gateOff.stdout,
      /with PodLevelResourceManagers off drops the pod-level entries of 1 pod \(pod-b\)/,
    );
  });

  test("with -m and -c, the managers' start-up validation against the machine", async (t) => {
    const dir = scratchDir(t);
    await agentDir(dir);
    const ok = await verify(dir, { config: CONFIG, machineGiven: true });
    assert.equal(ok.exitCode, 0, ok.stdout);
    assert.doesNotMatch(ok.stdout, /note: the managers' start-up validation/);
    const other = await verify(dir, { config: CONFIG, machine: "topoDualSocketHT", machineGiven: true });
    assert.equal(other.exitCode, 1, other.stdout);
    assert.match(
      other.stdout,
      /start cpu manager error: current set of available CPUs "0-11" doesn't match with CPUs in state "0-31": invalid state, please drain node and remove policy state file ".*cpu_manager_state"/,
    );
    const noConfig = await verify(dir, { machineGiven: true });
    assert.match(noConfig.stdout, /did not run: it needs the node's kubelet configuration \(-c\)/);
  });

  test("JSON output carries every verdict", async (t) => {
    const dir = scratchDir(t);
    await agentDir(dir);
    const r = await verify(dir, { output: "json" });
    const doc = JSON.parse(r.stdout) as {
      kind: string;
      ok: boolean;
      problems: number;
      files: { file: string; verdict: string; format: string | null }[];
    };
    assert.equal(doc.kind, "CheckpointVerification");
    assert.equal(doc.ok, true);
    assert.equal(doc.problems, 0);
    assert.deepEqual(
      doc.files.map((f) => [f.file, f.verdict, f.format]),
      [
        ["cpu_manager_state", "ok", "V4"],
        ["memory_manager_state", "ok", "V3"],
        ["device-plugins/kubelet_internal_checkpoint", "ok", "V2"],
        [STATE_RECORD_FILE, "ok", "V1"],
      ],
    );
  });

  test("no such directory, or no state file in it, is bad input", async (t) => {
    const dir = scratchDir(t);
    await assert.rejects(
      verify(dir),
      (err: unknown) => err instanceof UsageError && /no such directory/.test(err.message),
    );
    mkdirSync(dir);
    await assert.rejects(
      verify(dir),
      /no cpu_manager_state, memory_manager_state, .* file in this directory/,
    );
  });
});

describe("podpin checkpoint migrate", () => {
  test("a target that cannot carry pod-level entries is refused, and nothing is written (exit 1)", async (t) => {
    const dir = scratchDir(t);
    await agentDir(dir);
    const before = filesIn(dir);
    const record = readFileSync(recordPath(dir), "utf8");
    const r = await checkpointMigrate(dir, { to: "1.36" });
    assert.equal(r.exitCode, 1);
    assert.deepEqual(r.notes, [
      "cpu_manager_state: Kubernetes 1.36 with PodLevelResourceManagers off writes V2, which cannot carry the pod-level entries of 1 pod (pod-b): migrate with --feature-gates PodLevelResourceManagers=true, or remove those pods first (nothing written)",
    ]);
    assert.deepEqual(filesIn(dir), before);
    assert.equal(readFileSync(recordPath(dir), "utf8"), record);
  });

  test("to 1.36 with the gate on and back: the 1.36 formats, then the very same 1.37 bytes", async (t) => {
    const dir = scratchDir(t);
    await agentDir(dir);
    const original = filesIn(dir);
    const dry = await checkpointMigrate(dir, {
      to: "1.36",
      featureGates: "PodLevelResourceManagers=true",
      dryRun: true,
    });
    assert.equal(dry.exitCode, 0);
    assert.match(
      dry.stdout,
      /\ndry run: would migrate to Kubernetes 1\.36 \(PodLevelResourceManagers on\); nothing written\n$/,
    );
    assert.deepEqual(filesIn(dir), original);

    const r = await checkpointMigrate(dir, { to: "1.36", featureGates: "PodLevelResourceManagers=true" });
    assert.equal(r.exitCode, 0);
    assert.equal(
      r.stdout,
      [
        "cpu_manager_state: V4 -> V3",
        "memory_manager_state: V3 -> V2",
        "device-plugins/kubelet_internal_checkpoint: unchanged (V2, the same format in every version)",
        "podpin_agent_state: generation 3 -> 4",
        "migrated to Kubernetes 1.36 (PodLevelResourceManagers on)",
        "",
      ].join("\n"),
    );
    // A 1.36 agent opens it as its own: no migration, no roll-forward.
    const sd = await openStateDir({
      dir,
      machine: agentMachine(),
      config: agentConfig({ kubernetesVersion: "1.36" }),
    });
    assert.deepEqual(sd.warnings, []);
    assert.deepEqual(
      sd.node.admittedPods().map((p) => p.uid),
      ["pod-a", "pod-b"],
    );
    await sd.close();
    const back = await checkpointMigrate(dir, { to: "1.37", featureGates: "PodLevelResourceManagers=true" });
    assert.equal(back.exitCode, 0);
    assert.deepEqual(filesIn(dir), original);
    const again = await checkpointMigrate(dir, { to: "1.37", config: CONFIG });
    assert.match(
      again.stdout,
      /^nothing to do: the directory is already in the formats of Kubernetes 1\.37/m,
    );
  });

  test("a kubelet's directory is migrated file by file, without adding a record", async (t) => {
    const dir = scratchDir(t);
    await agentDir(dir, agentConfig({ kubernetesVersion: "1.36" }));
    rmSync(recordPath(dir));
    const r = await checkpointMigrate(dir, { to: "1.37", featureGates: "PodLevelResourceManagers=true" });
    assert.equal(r.exitCode, 0, r.notes?.join("\n"));
    assert.match(filesIn(dir).cpu_manager_state ?? "", /"dataChecksum":/);
    assert.doesNotMatch(r.stdout, /podpin_agent_state/);
    const v = await verify(dir, { config: CONFIG });
    assert.equal(v.exitCode, 0, v.stdout);
  });

  test("a directory an agent holds, or one that is mid-write, is refused", async (t) => {
    const dir = scratchDir(t);
    await agentDir(dir);
    const sd = await openStateDir({ dir, machine: agentMachine(), config: agentConfig() });
    const held = await checkpointMigrate(dir, { to: "1.36", featureGates: "PodLevelResourceManagers=true" });
    assert.equal(held.exitCode, 1);
    assert.match(held.notes?.[0] ?? "", /is already open in this process|is in use by process/);
    const before = filesIn(dir);
    const op = applyStep(sd.node, { op: "remove", pick: 0 });
    await sd.commit(op!);
    await sd.close();
    writeFileSync(join(dir, "memory_manager_state"), before.memory_manager_state ?? "");
    const mid = await checkpointMigrate(dir, { to: "1.36", featureGates: "PodLevelResourceManagers=true" });
    assert.equal(mid.exitCode, 1);
    assert.match(
      mid.notes?.[0] ?? "",
      /is one write behind .*start the agent once \(it finishes the write\), stop it, then migrate/,
    );
  });
});
