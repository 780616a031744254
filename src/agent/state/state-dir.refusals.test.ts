/**
 * A state directory the kubelet would not start with is refused with the kubelet's own words, on
 * one line, never loaded as an empty start: damaged and truncated files, a policy or machine that
 * does not match, a configuration that would drop state; podpin's record too, and files that
 * disagree with it.
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import {
  CPU_CHECKPOINT_FILE,
  DEVICE_CHECKPOINT_FILE,
  MEMORY_CHECKPOINT_FILE,
} from "../../checkpoint/index.js";
import { kubeletFixtureMachine } from "../../machine/index.js";
import { StateDirError, type StateDirErrorReason } from "./errors.js";
import { openStateDir } from "./state-dir.js";
import {
  agentConfig,
  agentMachine,
  populatedStateDir,
  recordPath,
  scratchDir,
  withGPUs,
} from "./state.test-support.js";
import type { StateDirOptions } from "./types.js";

const machine = agentMachine();
const config = agentConfig();

/** A directory with two pods (one pod-level) committed, closed. */
function populated(dir: string, opts: Partial<StateDirOptions> = {}): Promise<void> {
  return populatedStateDir({ dir, machine, config, ...opts });
}

async function refusal(opts: StateDirOptions, reason: StateDirErrorReason, message: string | RegExp) {
  const err = await openStateDir(opts).then(
    async (sd) => {
      await sd.close();
      return null;
    },
    (e: unknown) => e,
  );
  assert.ok(err instanceof StateDirError, `expected a refusal, got ${String(err)}`);
  assert.doesNotMatch(err.message, /\n/);
  if (typeof message === "string") assert.equal(err.message, message);
  else assert.match(err.message, message);
  assert.equal(err.reason, reason, err.message);
  return err;
}

const q = JSON.stringify;

function edit(path: string, change: (text: string) => string): void {
  writeFileSync(path, change(readFileSync(path, "utf8")));
}

describe("a state directory the kubelet would refuse is refused", () => {
  for (const withRecord of [true, false]) {
    const where = withRecord ? "with podpin's record" : "in a kubelet's directory (no record)";

    test(`a corrupted CPU checkpoint, ${where}: the kubelet's message`, async (t) => {
      const dir = scratchDir(t);
      await populated(dir);
      if (!withRecord) rmSync(recordPath(dir));
      const path = join(dir, CPU_CHECKPOINT_FILE);
      edit(path, (s) => s.replace(/"dataChecksum":\d+/, '"dataChecksum":12345'));
      await refusal(
        { dir, machine, config },
        "corrupted",
        `could not restore state from checkpoint: could not load v4 checkpoint: checkpoint is corrupted, please drain this node and delete the CPU manager checkpoint file ${q(path)} before restarting Kubelet`,
      );
    });

    test(`a truncated memory checkpoint, ${where}: the kubelet's message`, async (t) => {
      const dir = scratchDir(t);
      await populated(dir);
      if (!withRecord) rmSync(recordPath(dir));
      const path = join(dir, MEMORY_CHECKPOINT_FILE);
      edit(path, (s) => s.slice(0, 100));
      await refusal(
        { dir, machine, config },
        "corrupted",
        `could not restore state from checkpoint: unexpected end of JSON input, please drain this node and delete the memory manager checkpoint file ${q(path)} before restarting Kubelet`,
      );
    });

    test(`a damaged device checkpoint, ${where}: refused (a kubelet would start without its allocations)`, async (t) => {
      const dir = scratchDir(t);
      await populated(dir);
      if (!withRecord) rmSync(recordPath(dir));
      const path = join(dir, DEVICE_CHECKPOINT_FILE);
      edit(path, (s) => s.replace(/"Checksum":\d+/, '"Checksum":1'));
      await refusal(
        { dir, machine, config },
        "corrupted",
        `could not restore the device checkpoint ${q(path)}: checkpoint is corrupted (a kubelet would log this and start with no device allocations): drain this node and delete the file before restarting`,
      );
    });

    test(`a policy that differs from the checkpoint's, ${where}: the kubelet's message`, async (t) => {
      const dir = scratchDir(t);
      await populated(dir);
      if (!withRecord) rmSync(recordPath(dir));
      const path = join(dir, CPU_CHECKPOINT_FILE);
      await refusal(
        { dir, machine, config: { ...config, cpuManagerPolicy: "none", numReservedCPUs: 0 } },
        "restore",
        `could not restore state from checkpoint: configured policy "none" differs from state checkpoint policy "static", please drain this node and delete the CPU manager checkpoint file ${q(path)} before restarting Kubelet`,
      );
    });

    test(`CPUs that do not match the machine, ${where}: the CPU Manager's start-up refusal`, async (t) => {
      const dir = scratchDir(t);
      await populated(dir);
      if (!withRecord) rmSync(recordPath(dir));
      const other = kubeletFixtureMachine("topoDualSocketHT", { header: "discovered" });
      assert.ok(other);
      const path = join(dir, CPU_CHECKPOINT_FILE);
      await refusal(
        { dir, machine: withGPUs(other, 2), config },
        "startup",
        new RegExp(
          `^start cpu manager error: current set of available CPUs "0-11" doesn't match with CPUs in state "0-31": invalid state, please drain node and remove policy state file ${q(path).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`,
        ),
      );
    });

    test(`memory that does not match the machine, ${where}: the Memory Manager's start-up refusal`, async (t) => {
      const dir = scratchDir(t);
      await populated(dir);
      if (!withRecord) rmSync(recordPath(dir));
      const memory = new Map(
        [...machine.memory].map(([id, m]) => [id, id === 1 ? { ...m, memory: m.memory / 2n } : m]),
      );
      const path = join(dir, MEMORY_CHECKPOINT_FILE);
      const err = await refusal(
        { dir, machine: { ...machine, memory }, config },
        "startup",
        /^start memory manager error: \[memorymanager\] the expected machine state is different from the real one.*: invalid state, please drain node and remove policy state file "/,
      );
      assert.equal(err.path, path);
    });

    test(`a configuration that would drop pod-level entries, ${where}: refused, not lost`, async (t) => {
      const dir = scratchDir(t);
      await populated(dir);
      if (!withRecord) rmSync(recordPath(dir));
      const path = join(dir, CPU_CHECKPOINT_FILE);
      await refusal(
        {
          dir,
          machine,
          config: { ...config, featureGates: { ...config.featureGates, PodLevelResourceManagers: false } },
        },
        "restore",
        `restoring ${q(path)} as Kubernetes 1.37 with PodLevelResourceManagers off drops the pod-level entries of 1 pod (pod-b): start with the version and feature gates that wrote it, or drain this node and delete the file before restarting`,
      );
    });
  }

  test("a configuration the kubelet does not start with is refused as such", async (t) => {
    const dir = scratchDir(t);
    await populated(dir);
    await refusal(
      { dir, machine, config: { ...config, numReservedCPUs: 0 } },
      "config",
      "[cpumanager] unable to determine reserved CPU resources for static policy",
    );
  });

  test("a corrupted record is refused naming it", async (t) => {
    const dir = scratchDir(t);
    await populated(dir);
    const path = recordPath(dir);
    edit(path, (s) => s.replace("pod-a", "pod-z"));
    await refusal(
      { dir, machine, config },
      "corrupted",
      new RegExp(
        `^podpin agent state ${q(path).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is corrupted: dataChecksum sha256:[0-9a-f]+ does not match its data \\(sha256:[0-9a-f]+\\); restore it from a backup, or delete it to start from the kubelet checkpoint files alone \\(pods are then known by UID only\\)$`,
      ),
    );
    edit(path, (s) => s.slice(0, s.length - 20));
    await refusal({ dir, machine, config }, "corrupted", /is corrupted: not JSON \(/);
  });

  test("a valid checkpoint the record does not know is a state mismatch", async (t) => {
    const dir = scratchDir(t);
    const other = scratchDir(t, "other");
    await populated(dir);
    await (await openStateDir({ dir: other, machine, config })).close();
    writeFileSync(join(dir, CPU_CHECKPOINT_FILE), readFileSync(join(other, CPU_CHECKPOINT_FILE)));
    const path = join(dir, CPU_CHECKPOINT_FILE);
    await refusal(
      { dir, machine, config },
      "mismatch",
      `state mismatch: ${q(path)} verifies, but it is not the content ${q(recordPath(dir))} records (generation 3): another program wrote the directory (a kubelet, a restore from backup); stop it, then delete ${q(recordPath(dir))} to load the checkpoint files as a kubelet restart does (pods are then known by UID only), or drain this node and delete the state directory`,
    );
    rmSync(path);
    await refusal(
      { dir, machine, config },
      "mismatch",
      /^state mismatch: ".*cpu_manager_state" is missing, but ".*podpin_agent_state" records/,
    );
  });

  test("a record pod that no longer reads as a Pod is refused naming the record and the pod", async (t) => {
    const dir = scratchDir(t);
    await populated(dir);
    const path = recordPath(dir);
    const outer = JSON.parse(readFileSync(path, "utf8")) as { data: string; dataChecksum: string };
    const body = JSON.parse(outer.data) as { pods: { object?: { spec: unknown } }[] };
    body.pods[0].object!.spec = { containers: "none" };
    const data = JSON.stringify(body);
    const { contentHash } = await import("./files.js");
    writeFileSync(path, JSON.stringify({ ...outer, data, dataChecksum: contentHash(data) }));
    await refusal(
      { dir, machine, config },
      "corrupted",
      /^podpin agent state ".*" is corrupted: pod pod-a: .*spec\.containers/,
    );
  });
});
