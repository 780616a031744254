import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { type AgentClusterOptions, clusterSettings } from "./agent-cluster.js";
import { agentArgs, agentScratchDir } from "./agent.test-support.js";
import { podpin } from "./cli.process.test-support.js";

const base: AgentClusterOptions = { inCluster: false, resyncPeriod: "5m", publishNrt: true };

test("cluster options: one source, a node name (flag or NODE_NAME), a Go duration", () => {
  assert.equal(clusterSettings(base, {}), null);
  assert.deepEqual(clusterSettings({ ...base, kubeconfig: "k", nodeName: "n1" }, {}), {
    source: { kubeconfig: "k" },
    nodeName: "n1",
    resyncPeriodMs: 300_000,
    publishNrt: true,
  });
  assert.deepEqual(
    clusterSettings({ ...base, inCluster: true, resyncPeriod: "0", publishNrt: false }, { NODE_NAME: "n2" }),
    {
      source: { inCluster: true },
      nodeName: "n2",
      resyncPeriodMs: 0,
      publishNrt: false,
    },
  );
  const refusals: [Partial<AgentClusterOptions>, RegExp][] = [
    [
      { kubeconfig: "k", inCluster: true, nodeName: "n" },
      /^--kubeconfig and --in-cluster: give one of them, not both$/,
    ],
    [{ kubeconfig: "k" }, /^--kubeconfig: needs --node-name \(or NODE_NAME/],
    [{ inCluster: true }, /^--in-cluster: needs --node-name/],
    [{ nodeName: "n" }, /^--node-name: needs --kubeconfig or --in-cluster/],
    [
      { kubeconfig: "k", nodeName: "n", resyncPeriod: "5 minutes" },
      /^--resync-period 5 minutes: expected a duration such as 30s, 5m or 1h/,
    ],
    [{ kubeconfig: "k", nodeName: "n", resyncPeriod: "-1m" }, /^--resync-period -1m: expected a duration/],
  ];
  for (const [opts, message] of refusals)
    assert.throws(() => clusterSettings({ ...base, ...opts }, {}), { name: "UsageError", message });
});

test("podpin agent: cluster setup errors are one line and exit 2", async (t) => {
  const dir = agentScratchDir(t, "podpin-agent-cluster-cli-");
  const args = ["agent", ...agentArgs(dir)];
  // One child process (each costs seconds); the other refusals are the same UsageError path, tested above.
  const cases: [string[], RegExp][] = [
    [["--kubeconfig", join(dir, "missing"), "--node-name", "n"], /--kubeconfig .*missing: cannot be read: /],
  ];
  for (const [extra, message] of cases) {
    const run = await podpin([...args, ...extra]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, message);
    assert.equal(
      run.stderr
        .trim()
        .split("\n")
        .filter((l) => !l.includes("level=")).length,
      1,
      run.stderr,
    );
  }
});
