/**
 * `podpin checkpoint verify` and `migrate` as a script sees them: exit codes 0, 1 and 2, the
 * one-line `podpin: ...` refusal on stderr, the documented exit status in `--help`, and
 * `podpin checkpoint DIR` with its options unchanged beside the two subcommands.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { openStateDir } from "../agent/state/index.js";
import {
  agentConfig,
  agentMachine,
  applyStep,
  scratchDir,
  simplePodObject,
} from "../agent/state/state.test-support.js";
import { podpin } from "./cli.process.test-support.js";
import { ROOT } from "./cli.test-support.js";

const CONFIG = join(ROOT, "examples/kubelet-pod-scope.yaml");

async function agentDir(dir: string): Promise<void> {
  const sd = await openStateDir({ dir, machine: agentMachine(), config: agentConfig() });
  for (const object of [
    simplePodObject("pod-a", { cpu: "2" }),
    simplePodObject("pod-b", { podLevel: true }),
  ]) {
    const op = applyStep(sd.node, { op: "admit", object });
    if (op) await sd.commit(op);
  }
  await sd.close();
}

describe("podpin checkpoint verify / migrate (child processes)", () => {
  test("exit codes, messages and help", async (t) => {
    const good = scratchDir(t, "good");
    const bad = scratchDir(t, "bad");
    await agentDir(good);
    await agentDir(bad);
    const cpu = join(bad, "cpu_manager_state");
    writeFileSync(cpu, readFileSync(cpu, "utf8").slice(0, 40));
    const [ok, damaged, missing, refused, classic, help] = await Promise.all([
      podpin(["checkpoint", "verify", good, "-c", CONFIG, "-m", "worked-example"]),
      podpin(["checkpoint", "verify", bad]),
      podpin(["checkpoint", "verify", join(good, "nope")]),
      podpin(["checkpoint", "migrate", good, "--to", "1.36"]),
      podpin(["checkpoint", good, "-c", CONFIG, "-m", "worked-example"]),
      podpin(["checkpoint", "verify", "--help"]),
    ]);
    assert.equal(ok.code, 0, ok.stderr + ok.stdout);
    assert.match(ok.stdout, /^cpu_manager_state: ok \(V4, policy static/m);
    assert.match(ok.stdout, /\nok: every file verifies\n$/);
    assert.equal(ok.stderr, "");

    assert.equal(damaged.code, 1, damaged.stderr);
    assert.match(
      damaged.stdout,
      /^cpu_manager_state: problem\n {2}could not restore state from checkpoint: unexpected end of JSON input, please drain this node/m,
    );

    assert.equal(missing.code, 2);
    assert.equal(missing.stdout, "");
    assert.match(missing.stderr, /^podpin: .*nope: no such directory\n$/);

    assert.equal(refused.code, 1);
    assert.equal(refused.stdout, "");
    assert.match(
      refused.stderr,
      /^podpin: cpu_manager_state: Kubernetes 1\.36 with PodLevelResourceManagers off writes V2, which cannot carry the pod-level entries of 1 pod \(pod-b\): .* \(nothing written\)\n$/,
    );

    assert.equal(classic.code, 0, classic.stderr);
    assert.match(classic.stdout, /^cpu_manager_state: ok \(v4\)$/m);

    assert.equal(help.code, 0);
    assert.match(help.stdout, /Exit status \(for scripts\):\n {2}0 {2}every file verifies/);
    assert.match(help.stdout, /--strict/);
  });
});
