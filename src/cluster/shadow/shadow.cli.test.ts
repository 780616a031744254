import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { call, guaranteedPod, json } from "../../agent/server/agent.test-support.js";
import { killAgentProcess, startAgentProcess } from "../../cli/agent.test-support.js";
import { POD_SCOPE_CONFIG } from "../../cli/cli.test-support.js";
import { runInProcess } from "../../cli/cli-in-process.test-support.js";
import { loadNodeInputs } from "../../cli/inputs.js";
import { kubeletRoot, runPods, shadowPods, snapshotTree } from "./shadow.test-support.js";

test("--enforce with --kubelet-root-dir is a one-line usage error: the kubelet enforces", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "podpin-shadow-cli-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const r = await runInProcess([
    "agent",
    "-m",
    "worked-example",
    "--kubelet-root-dir",
    dir,
    "--enforce",
    "--listen",
    `unix://${join(dir, "agent.sock")}`,
  ]);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  assert.match(r.stderr, /--enforce: not with --kubelet-root-dir .*the kubelet enforces them/);
  const bad = await runInProcess([
    "agent",
    "-m",
    "worked-example",
    "--kubelet-root-dir",
    dir,
    "--kubelet-state-period",
    "soon",
  ]);
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /--kubelet-state-period: expected a positive duration such as "10s", got "soon"/);
});

test("podpin agent --kubelet-root-dir serves the kubelet's checkpoints read-only", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "podpin-shadow-cli-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const args = ["-m", "nvidia-dgx-h100", "-c", POD_SCOPE_CONFIG];
  const { machine, config } = loadNodeInputs({ machine: "nvidia-dgx-h100", config: POD_SCOPE_CONFIG });
  const objects = shadowPods().map((o) => ({ ...o, spec: { ...o.spec, nodeName: undefined } }));
  const root = kubeletRoot(t, runPods(machine, config, objects));
  const before = snapshotTree(root.dir);
  const agent = await startAgentProcess([
    ...args,
    "--kubelet-root-dir",
    root.dir,
    "--listen",
    `unix://${join(dir, "agent.sock")}`,
  ]);
  t.after(() => killAgentProcess(agent));
  assert.equal(agent.urls.length, 1, agent.stderr());
  const unix = { socketPath: join(dir, "agent.sock") };
  const pods = json<{ items: { pod: { uid: string } }[] }>(await call(unix, "GET", "/v1/pods"));
  assert.deepEqual(pods.items.map((p) => p.pod.uid).sort(), [
    "uid-classic",
    "uid-last",
    "uid-pod-level",
    "uid-trainer",
  ]);
  assert.equal((await call(unix, "POST", "/v1/pods", { body: guaranteedPod("x", "1", "1Gi") })).status, 409);
  assert.match(
    (await call(unix, "GET", "/metrics")).body,
    /^podpin_kubelet_decision_drift\{resource="devices"\} 0$/m,
  );
  agent.child.kill("SIGTERM");
  assert.deepEqual(await agent.exited, { code: 0, signal: null }, agent.stderr());
  assert.match(agent.stderr(), /shadow mode without --kubeconfig or --in-cluster/);
  assert.deepEqual(snapshotTree(root.dir), before, "nothing written under the kubelet root");
});
