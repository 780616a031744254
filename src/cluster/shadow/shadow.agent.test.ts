import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { type EngineOp, startAgent } from "../../agent/index.js";
import { memoryLog } from "../../agent/log.js";
import { call, guaranteedPod, json, startTestAgent } from "../../agent/server/agent.test-support.js";
import { DRIFT_METRIC, openKubeletShadow } from "./index.js";
import {
  dgx,
  FakeEventSink,
  FakeNodePods,
  kubeletRoot,
  runPods,
  shadowConfig,
  shadowPods,
  snapshotTree,
  withMovedCPUs,
} from "./shadow.test-support.js";

async function until(what: string, check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test("podpin agent in shadow mode: the kubelet's truth over the API, drift in /metrics and events, nothing written", async (t) => {
  const machine = dgx();
  const config = shadowConfig("1.37");
  const objects = shadowPods();
  const root = kubeletRoot(t, runPods(machine, config, objects));
  const sockDir = mkdtempSync(join(tmpdir(), "podpin-shadow-agent-"));
  t.after(() => rmSync(sockDir, { recursive: true, force: true }));
  const pods = new FakeNodePods(objects);
  const events = new FakeEventSink();
  const log = memoryLog();
  // A short period: the test must not depend on the directory watch alone.
  const shadow = openKubeletShadow({ rootDir: root.dir, machine, config, pods, events, log, periodMs: 200 });
  const agent = await startAgent({
    state: shadow.state,
    listen: [{ kind: "unix", path: join(sockDir, "agent.sock") }],
    log,
    addOns: [shadow.addOn],
  });
  t.after(() => agent.close());
  const unix = { socketPath: join(sockDir, "agent.sock") };
  const ops: EngineOp["kind"][] = [];
  agent.engine.onChange((c) => {
    ops.push(c.op.kind);
  });

  let before = snapshotTree(root.dir);
  const list = json<{ items: { pod: { name: string } }[] }>(await call(unix, "GET", "/v1/pods"));
  assert.deepEqual(
    list.items.map((p) => p.pod.name),
    ["web", "classic", "pod-level", "trainer", "last"],
  );
  const one = json<{ object: { metadata: { uid: string } } }>(
    await call(unix, "GET", "/v1/pods/uid-classic"),
  );
  assert.equal(one.object.metadata.uid, "uid-classic", "the pod source's object");
  assert.equal((await call(unix, "GET", "/v1/node")).status, 200);

  const admit = await call(unix, "POST", "/v1/pods", { body: guaranteedPod("new", "2", "1Gi") });
  assert.equal(admit.status, 409);
  assert.match(json<{ error: string }>(admit).error, /^shadow mode: the kubelet decides/);
  assert.equal((await call(unix, "DELETE", "/v1/pods/uid-classic")).status, 409);
  assert.equal((await call(unix, "DELETE", "/v1/pods/uid-classic/containers/app")).status, 409);
  assert.equal((await call(unix, "GET", "/readyz")).status, 200, "a refusal does not take the engine down");
  assert.equal(agent.engine.node.pod("uid-new"), undefined);

  const metrics = async () => (await call(unix, "GET", "/metrics")).body;
  const first = await metrics();
  assert.match(first, /^kubelet_topology_manager_admission_requests_total|^# HELP/m);
  assert.match(first, new RegExp(`^${DRIFT_METRIC}\\{resource="cpu"\\} 0$`, "m"));
  assert.deepEqual(
    snapshotTree(root.dir),
    before,
    "reading, watching and serving wrote nothing under the kubelet root",
  );

  // The kubelet moves a container: the watch (or the period) picks it up.
  root.write(withMovedCPUs(machine, root.states, "uid-last", "app"));
  before = snapshotTree(root.dir);
  await until("the drift gauge", async () =>
    new RegExp(`^${DRIFT_METRIC}\\{resource="cpu"\\} 1$`, "m").test(await metrics()),
  );
  assert.ok(ops.includes("replaceNode"), "change listeners hear that the node was replaced");
  assert.deepEqual(
    events.events.map((e) => [e.involved.uid, e.reason]),
    [["uid-last", "PodpinDecisionDrift"]],
  );
  const moved = json<{ containers: { name: string; cpus: string }[] }>(
    await call(unix, "GET", "/v1/pods/uid-last"),
  );
  const kubelet = withMovedCPUs(machine, root.states, "uid-last", "app")
    .cpu?.entries.get("uid-last")
    ?.get("app");
  assert.equal(moved.containers[0].cpus, kubelet?.toString(), "/v1/pods shows what the kubelet allocated");

  // The pod source forgets the pod: it is known by UID only and no longer checked.
  pods.set(objects.filter((o) => o.metadata.name !== "last"));
  await until("the drift to clear", async () =>
    new RegExp(`^${DRIFT_METRIC}\\{resource="cpu"\\} 0$`, "m").test(await metrics()),
  );
  assert.equal(agent.engine.node.pod("uid-last")?.name, "uid uid-last");
  await agent.close();
  assert.equal(shadow.state.closed, true);
  assert.deepEqual(snapshotTree(root.dir), before, "nothing written under the kubelet root");
});

test("replaceNode is refused on a state the agent owns, and an add-on's metrics follow the node's", async (t) => {
  const extra = "# HELP test_extra An add-on's own family\n# TYPE test_extra gauge\ntest_extra 7\n";
  const { agent, unix } = await startTestAgent(t, {
    addOns: [{ name: "extra", start: async () => ({ stop: async () => {}, metricsText: () => extra }) }],
  });
  await assert.rejects(agent.engine.replaceNode(agent.engine.node, new Map()), /only a read-only state/);
  const body = (await call(unix, "GET", "/metrics")).body;
  assert.ok(body.endsWith(extra), body.slice(-300));
  assert.match(body, /^# HELP kubelet_/m);
});
