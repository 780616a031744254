import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { call, json } from "../agent/server/agent.test-support.js";
import { startFakeApiServer } from "../cluster/testing/fake-apiserver.test-support.js";
import { eventually, guaranteedPodSpec } from "../cluster/testing/support.test-support.js";
import {
  agentArgs,
  agentScratchDir,
  agentSocket,
  killAgentProcess,
  startAgentProcess,
} from "./agent.test-support.js";
import { runInProcess } from "./cli-in-process.test-support.js";

const NODE = "worker-1";
const POOL = "node.example.com/pool";

test("podpin agent --kubeconfig: pods from the watch admitted with the Node's labels and taints, a Warning for an unfittable pod, the NRT object, SIGTERM exits 0", async (t) => {
  const api = await startFakeApiServer();
  t.after(() => api.close());
  const dir = agentScratchDir(t, "podpin-agent-cluster-");
  api.addNode(NODE, {
    labels: { "kubernetes.io/hostname": NODE, [POOL]: "batch" },
    taints: [{ key: "dedicated", value: "batch", effect: "NoExecute" }],
  });
  const tolerate = { tolerations: [{ key: "dedicated", operator: "Exists" }] };
  api.addPod({ name: "plain", nodeName: NODE, spec: guaranteedPodSpec("2", "1Gi", tolerate) });
  // Admitted only when the agent knows the Node's label (the kubelet configuration has none).
  api.addPod({
    name: "selecting",
    nodeName: NODE,
    spec: guaranteedPodSpec("1", "1Gi", { ...tolerate, nodeSelector: { [POOL]: "batch" } }),
  });
  // Rejected only when the agent knows the Node's NoExecute taint.
  api.addPod({ name: "untolerating", nodeName: NODE, spec: guaranteedPodSpec("1") });
  const agent = await startAgentProcess(
    agentArgs(dir, ["--kubeconfig", api.kubeconfigPath, "--node-name", NODE]),
  );
  t.after(() => killAgentProcess(agent));
  assert.equal(agent.urls.length, 1, agent.stderr());
  const unix = { socketPath: agentSocket(dir) };
  const names = async () =>
    json<{ items: { pod: { name: string } }[] }>(await call(unix, "GET", "/v1/pods"))
      .items.map((p) => p.pod.name)
      .sort()
      .join();
  await eventually("the bound pods admitted", async () => (await names()) === "plain,selecting", 10_000);
  await eventually("the taint's Warning", () => api.events("default").length === 1, 10_000);

  // single-numa-node: 20 exclusive CPUs fit on no NUMA node of the worked example (16 each).
  api.addPod({ name: "huge", nodeName: NODE, spec: guaranteedPodSpec("20", "1Gi", tolerate) });
  api.addPod({ name: "later", nodeName: NODE, spec: guaranteedPodSpec("1", "1Gi", tolerate) });
  await eventually("the later pod admitted", async () => (await names()) === "later,plain,selecting", 10_000);
  await eventually("both Warnings", () => api.events("default").length === 2, 10_000);
  const reasons = Object.fromEntries(api.events("default").map((e) => [e.involvedObject.name, e]));
  assert.equal(reasons.untolerating.type, "Warning");
  assert.equal(reasons.untolerating.reason, "TaintToleration");
  assert.equal(reasons.huge.type, "Warning");
  assert.equal(reasons.huge.reason, "TopologyAffinityError");
  assert.match(reasons.huge.message, /^Resources cannot be allocated with Topology locality; cause: /);

  await eventually("the NodeResourceTopology object", () => api.nrt(NODE) !== undefined, 10_000);
  const nrt = api.nrt(NODE) as {
    metadata: { ownerReferences?: { kind: string; name: string }[] };
    zones: { name: string }[];
  };
  assert.deepEqual(
    nrt.zones.map((z) => z.name),
    ["node-0", "node-1"],
  );
  assert.deepEqual(
    nrt.metadata.ownerReferences?.map((o) => `${o.kind}/${o.name}`),
    [`Node/${NODE}`],
  );

  agent.child.kill("SIGTERM");
  assert.deepEqual(await agent.exited, { code: 0, signal: null }, agent.stderr());
  assert.match(agent.stderr(), /msg="node read" node=worker-1 labels=2 taints="dedicated=batch:NoExecute"/);
});

test("podpin agent in a cluster refuses to start, one line and exit 2, with both sources or without its Node", async (t) => {
  const api = await startFakeApiServer();
  t.after(() => api.close());
  const dir = agentScratchDir(t, "podpin-agent-cluster-");
  const both = await runInProcess([
    "agent",
    ...agentArgs(dir, ["--kubeconfig", api.kubeconfigPath, "--in-cluster", "--node-name", NODE]),
  ]);
  assert.equal(both.code, 2, both.stderr);
  assert.equal(both.stderr.trim().split("\n").length, 1, both.stderr);
  assert.match(both.stderr, /--kubeconfig and --in-cluster: give one of them, not both/);

  // The kubelet registers its Node first; an agent that finds none does not guess its labels.
  const missing = await runInProcess([
    "agent",
    ...agentArgs(dir, ["--kubeconfig", api.kubeconfigPath, "--node-name", "not-registered"]),
  ]);
  assert.equal(missing.code, 2, missing.stderr);
  const lines = missing.stderr
    .trim()
    .split("\n")
    .filter((l) => !l.includes("level="));
  assert.equal(lines.length, 1, missing.stderr);
  assert.match(lines[0], /--node-name not-registered: the Node object cannot be read: .*404 NotFound/);
  assert.equal(existsSync(join(dir, "state")), false, "no state directory was created");
  assert.equal(existsSync(agentSocket(dir)), false, "no socket was created");
});
