import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { type Agent, type AgentAddOn, openStateDir, podFromRequest, startAgent } from "../agent/index.js";
import { explainAdmission } from "../node/index.js";
import { type AgentLog, memoryLog } from "../agent/log.js";
import { type MemoryStateDir, memoryStateDir } from "../agent/server/memory-state-dir.test-support.js";
import type { StateDir, StateOp } from "../agent/state/index.js";
import { machineM, workedExampleConfig } from "../node/test-support.js";
import { type ClusterAddOnOptions, clusterAddOn } from "./cluster-add-on.js";
import { EventRecorder } from "./events/index.js";
import { ClusterClient, loadKubeConfig } from "./kube/index.js";
import { INVALID_POD_REASON } from "./pod-sync.js";
import type { FakeApiServer } from "./testing/fake-apiserver.test-support.js";
import {
  eventually,
  FAST_BACKOFF,
  fakeCluster,
  guaranteedPodSpec,
  NODE,
} from "./testing/support.test-support.js";

const config = () => workedExampleConfig("pod", { nodeName: NODE });

/** The pod add-on for NODE on `client` (no resync, fast backoff) and the event recorder it reports to. */
function podAddOn(client: ClusterClient, log: AgentLog, extra: Partial<ClusterAddOnOptions> = {}) {
  const events = new EventRecorder({ api: client, nodeName: NODE, log });
  const addOn = clusterAddOn({
    source: client,
    events,
    nodeName: NODE,
    resyncPeriodMs: 0,
    log,
    backoff: FAST_BACKOFF,
    ...extra,
  });
  return { addOn, events };
}

/** An agent on `state` with `addOns`, listening in a temporary directory; both go after the test. */
async function startTestAgent(t: TestContext, state: StateDir, log: AgentLog, addOns: AgentAddOn[]) {
  const dir = mkdtempSync(join(tmpdir(), "podpin-cluster-test-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const agent = await startAgent({
    state,
    listen: [{ kind: "unix", path: join(dir, "a.sock") }],
    log,
    addOns,
  });
  t.after(() => agent.close());
  return { agent, dir };
}

async function agentOn(
  t: TestContext,
  api: FakeApiServer,
  state: StateDir = memoryStateDir({ machine: machineM(), config: config() }),
) {
  const { client } = await fakeCluster.clientFor(api);
  const log = memoryLog();
  const { addOn } = podAddOn(client, log, { watchTimeoutSeconds: () => 30 });
  const dir = mkdtempSync(join(tmpdir(), "podpin-cluster-test-"));
  const agent: Agent = await startAgent({
    state,
    listen: [{ kind: "unix", path: join(dir, "agent.sock") }],
    log,
    addOns: [addOn],
  });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await agent.close();
    rmSync(dir, { recursive: true, force: true });
  };
  t.after(close);
  await addOn.firstSync();
  // The memory state directory records every commit; a directory on disk does not.
  const ops: readonly StateOp[] = "ops" in state ? (state as MemoryStateDir).ops : [];
  return { agent, addOn, log, ops, close };
}

const admittedNames = (agent: Agent) =>
  agent.engine.node
    .admittedPods()
    .map((p) => p.name)
    .sort();
const admitOps = (ops: readonly StateOp[]) =>
  ops.flatMap((o) => (o.kind === "admit" ? [(o.pod as { metadata: { name: string } }).metadata.name] : []));

test("bound pods are admitted once, in creation order at start-up and arrival order after; deletion and terminal phases release", async (t) => {
  const { api } = await fakeCluster(t);
  api.addPod({
    name: "newer",
    nodeName: NODE,
    creationTimestamp: "2024-05-01T10:00:02Z",
    spec: guaranteedPodSpec("2"),
  });
  api.addPod({
    name: "older",
    nodeName: NODE,
    creationTimestamp: "2024-05-01T10:00:01Z",
    spec: guaranteedPodSpec("2"),
  });
  api.addPod({
    name: "a-tie",
    namespace: "zz",
    nodeName: NODE,
    creationTimestamp: "2024-05-01T10:00:01Z",
    spec: guaranteedPodSpec("1"),
  });
  api.addPod({ name: "done", nodeName: NODE, spec: guaranteedPodSpec("1"), status: { phase: "Succeeded" } });
  api.addPod({ name: "elsewhere", nodeName: "node-b", spec: guaranteedPodSpec("1") });
  const { agent, addOn, ops } = await agentOn(t, api);
  const freeAtStart = machineM().topology.numCPUs;
  assert.deepEqual(admitOps(ops), ["older", "a-tie", "newer"]);

  api.addPod({ name: "second", nodeName: NODE, spec: guaranteedPodSpec("1") });
  api.addPod({ name: "first-after", nodeName: NODE, spec: guaranteedPodSpec("1") });
  await eventually("arrivals admitted", () => admitOps(ops).length === 5);
  assert.deepEqual(admitOps(ops).slice(3), ["second", "first-after"]);

  api.modifyPod("default", "newer", (p) => ({ ...p, status: { phase: "Running" } }));
  api.deletePod("default", "older");
  api.modifyPod("default", "second", (p) => ({ ...p, status: { phase: "Failed" } }));
  api.modifyPod("default", "first-after", (p) => ({
    ...p,
    metadata: { ...p.metadata, deletionTimestamp: "2024-05-01T11:00:00Z" },
    status: { phase: "Running", containerStatuses: [{ name: "main", state: { running: {} } }] },
  }));
  await eventually("releases", () => admittedNames(agent).join() === "a-tie,first-after,newer");
  api.modifyPod("default", "first-after", (p) => ({
    ...p,
    status: {
      phase: "Running",
      containerStatuses: [{ name: "main", state: { terminated: { exitCode: 0 } } }],
    },
  }));
  await eventually("a terminated pod released", () => admittedNames(agent).join() === "a-tie,newer");
  api.deletePod("default", "newer");
  api.deletePod("zz", "a-tie");
  await eventually("all released", () => admittedNames(agent).length === 0);
  await addOn.settled();
  assert.equal(
    agent.engine.node.defaultCpuSet().size,
    freeAtStart,
    "every exclusive CPU is back in the shared pool",
  );
  assert.equal(admitOps(ops).length, 5, "no pod was admitted twice");
});

test("a dropped watch and a 410 lose nothing: pods created while disconnected are admitted after reconnecting", async (t) => {
  const { api } = await fakeCluster(t);
  api.addPod({ name: "p0", nodeName: NODE, spec: guaranteedPodSpec("1") });
  const { agent, ops } = await agentOn(t, api);
  await eventually("a watch", () => api.openWatches === 1);
  api.dropWatches();
  api.addPod({ name: "while-dropped", nodeName: NODE, spec: guaranteedPodSpec("1") });
  await eventually("admitted after the drop", () => admittedNames(agent).includes("while-dropped"));
  await eventually("a watch", () => api.openWatches === 1);
  api.dropWatches();
  api.addPod({ name: "while-compacted", nodeName: NODE, spec: guaranteedPodSpec("1") });
  api.deletePod("default", "p0");
  api.compact();
  await eventually(
    "the relist's changes",
    () => admittedNames(agent).join() === "while-compacted,while-dropped",
  );
  await eventually("the admissions committed", () => admitOps(ops).length === 3);
  assert.deepEqual(admitOps(ops), ["p0", "while-dropped", "while-compacted"]);
});

test("a restart on the same state directory admits nothing twice and removes what the API server no longer has", async (t) => {
  const { api } = await fakeCluster(t);
  const dir = mkdtempSync(join(tmpdir(), "podpin-cluster-state-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const open = () => openStateDir({ dir, machine: machineM(), config: config(), durable: false });
  api.addPod({ name: "kept", nodeName: NODE, spec: guaranteedPodSpec("2") });
  api.addPod({ name: "gone-while-down", nodeName: NODE, spec: guaranteedPodSpec("2") });
  const first = await agentOn(t, api, await open());
  assert.deepEqual(admittedNames(first.agent), ["gone-while-down", "kept"]);
  const keptCpus = first.agent.engine.node.admittedPods().find((p) => p.name === "kept");
  await first.close();

  api.deletePod("default", "gone-while-down");
  api.addPod({ name: "new-while-down", nodeName: NODE, spec: guaranteedPodSpec("1") });
  const second = await agentOn(t, api, await open());
  assert.deepEqual(admittedNames(second.agent), ["kept", "new-while-down"]);
  const lines = second.log.lines.filter((l) => l.includes('msg="pod admission"'));
  assert.equal(lines.length, 1, `only the new pod is admitted: ${lines.join("\n")}`);
  assert.match(lines[0], /pod=default\/new-while-down/);
  assert.ok(keptCpus);
});

test("a pod that cannot fit gets one Warning event with the kubelet's reason and the explain cause; repeats aggregate", async (t) => {
  const { api } = await fakeCluster(t);
  const { agent } = await agentOn(t, api);
  // single-numa-node: 20 exclusive CPUs fit on no NUMA node of machine M (16 CPUs each).
  api.addPod({ name: "huge", nodeName: NODE, spec: guaranteedPodSpec("20") });
  await eventually("the warning", () => api.events("default").length === 1);
  const [ev] = api.events("default");
  assert.equal(ev.type, "Warning");
  assert.equal(ev.reason, "TopologyAffinityError");
  assert.equal(ev.count, 1);
  assert.match(ev.message, /^Resources cannot be allocated with Topology locality; cause: .+/);
  const pod = api.pods(NODE)[0];
  const explained = explainAdmission(agent.engine.node, podFromRequest(JSON.stringify(pod)).pod);
  assert.equal(ev.message.split("; cause: ")[1], explained.rejection?.text);
  assert.deepEqual(ev.involvedObject.name, "huge");
  assert.equal((ev.source as { component: string; host: string }).host, NODE);
  assert.equal(ev.reportingInstance, NODE);
  assert.equal(admittedNames(agent).length, 0);

  // The same pod again under a new uid (recreated): the same (reason, message) on the same name and
  // namespace but another uid is another object: a new Event. The same uid seen again is not re-decided.
  api.modifyPod("default", "huge", (p) => ({ ...p, status: { phase: "Pending", reason: "again" } }));
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(api.events("default").length, 1, "a pod is decided once per uid");
});

test("the recorder aggregates identical events into one with a raised count", async (t) => {
  const { client, api } = await fakeCluster(t);
  let now = Date.parse("2024-05-01T10:00:00Z");
  const rec = new EventRecorder({ api: client, nodeName: NODE, now: () => new Date((now += 1000)) });
  const involved = { namespace: "default", name: "p", uid: "u1" };
  await rec.emit({ involved, type: "Warning", reason: "OutOfcpu", message: "m" });
  await rec.emit({ involved, type: "Warning", reason: "OutOfcpu", message: "m" });
  await rec.emit({ involved, type: "Warning", reason: "OutOfcpu", message: "other" });
  const evs = api.events("default").sort((a, b) => a.message.localeCompare(b.message));
  assert.deepEqual(
    evs.map((e) => [e.message, e.count, e.firstTimestamp, e.lastTimestamp]),
    [
      ["m", 2, "2024-05-01T10:00:01Z", "2024-05-01T10:00:02Z"],
      ["other", 1, "2024-05-01T10:00:03Z", "2024-05-01T10:00:03Z"],
    ],
  );
});

test("an invalid pod gets a Warning event and does not stop the watch", async (t) => {
  const { api } = await fakeCluster(t);
  const { agent, log } = await agentOn(t, api);
  api.addPod({
    name: "bad",
    nodeName: NODE,
    spec: { containers: [{ name: "main", image: "b", resources: { limits: { cpu: "lots" } } }] },
  });
  api.addPod({ name: "good", nodeName: NODE, spec: guaranteedPodSpec("1") });
  await eventually("good admitted", () => admittedNames(agent).includes("good"));
  await eventually("the warning", () => api.events("default").length === 1);
  const [ev] = api.events("default");
  assert.equal(ev.reason, INVALID_POD_REASON);
  assert.match(ev.message, /pod default\/bad(:1)?: spec\.containers\[0\]\.resources\.limits\.cpu/);
  assert.ok(log.lines.some((l) => l.includes("pod not admitted: invalid") && l.includes("pod=default/bad")));
});

test("observe-only keeps the cache and changes nothing; a node-name mismatch is a setup error", async (t) => {
  const { api, client } = await fakeCluster(t);
  api.addPod({ name: "p", nodeName: NODE, spec: guaranteedPodSpec("1") });
  const log = memoryLog();
  const { addOn: observe, events } = podAddOn(client, log, { observeOnly: true });
  const state = memoryStateDir({ machine: machineM(), config: config() });
  const { dir } = await startTestAgent(t, state, log, [observe]);
  await observe.firstSync();
  assert.deepEqual(
    observe.pods.current().map((p) => p.metadata.name),
    ["p"],
  );
  assert.equal(state.ops.length, 0);

  const wrong = clusterAddOn({ source: client, events, nodeName: "other-node", resyncPeriodMs: 0, log });
  const state2 = memoryStateDir({ machine: machineM(), config: config() });
  await assert.rejects(
    startAgent({
      state: state2,
      listen: [{ kind: "unix", path: join(dir, "b.sock") }],
      log,
      addOns: [wrong],
    }),
    { name: "ClusterSetupError", message: /--node-name other-node: the engine's node is named node-a/ },
  );
});

test("the NodeResourceTopology published through the client follows the engine's free CPUs per NUMA node", async (t) => {
  const { api } = await fakeCluster(t);
  const { nrtAddOn, zoneName } = await import("./nrt/index.js");
  const log = memoryLog();
  const client = new ClusterClient(loadKubeConfig({ kubeconfig: api.kubeconfigPath }), NODE, log);
  const { addOn: pods } = podAddOn(client, log);
  const nrt = nrtAddOn(client, { nodeName: NODE, debounceMs: 5, retryMs: 5, log });
  api.injectNrtConflict(NODE, "someone-else");
  api.addPod({ name: "four", nodeName: NODE, spec: guaranteedPodSpec("4") });
  const state = memoryStateDir({ machine: machineM(), config: config() });
  const { agent } = await startTestAgent(t, state, log, [pods, nrt]);
  await pods.firstSync();
  // Computed here from the engine's own sets: the NUMA node's CPUs in the default set, less the reserved.
  const expected = () => {
    const node = agent.engine.node;
    const reserved = node.cpuPolicy?.reserved;
    assert.ok(reserved);
    return [0, 1].map((n) => {
      const free = node.machine.topology
        .cpusInNUMANode(n)
        .intersect(node.defaultCpuSet())
        .difference(reserved);
      return `${zoneName(n)}=${free.size}`;
    });
  };
  const published = () => {
    const zones = (api.nrt(NODE)?.zones ?? []) as {
      name: string;
      resources?: { name: string; available: string }[];
    }[];
    return zones.map((z) => `${z.name}=${z.resources?.find((r) => r.name === "cpu")?.available}`);
  };
  const matches = () => JSON.stringify(published()) === JSON.stringify(expected());
  await eventually("the first publication", matches);
  assert.deepEqual(api.nrtManagers(NODE)["someone-else"], [], "the conflict was forced through");
  api.addPod({ name: "eight", nodeName: NODE, spec: guaranteedPodSpec("8") });
  await eventually("eight admitted", () => admittedNames(agent).includes("eight"));
  await eventually("the publication after admitting", matches);
  api.deletePod("default", "four");
  await eventually("four released", () => !admittedNames(agent).includes("four"));
  await eventually("the publication after releasing", matches);
  assert.ok(log.lines.some((l) => l.includes("conflicts with another field manager")));
});

test("events about pods deleted meanwhile, even in a namespace being deleted, neither crash nor stop the sync", async (t) => {
  const { api } = await fakeCluster(t);
  const { agent, addOn, log } = await agentOn(t, api);
  // Added and deleted back to back: the rejection (and its event) comes after the pod is gone.
  api.addPod({ name: "huge", nodeName: NODE, spec: guaranteedPodSpec("20") });
  api.deletePod("default", "huge");
  api.terminateNamespace("going");
  api.addPod({ name: "huge", namespace: "going", nodeName: NODE, spec: guaranteedPodSpec("20") });
  api.deletePod("going", "huge");
  api.addPod({ name: "fits", nodeName: NODE, spec: guaranteedPodSpec("1") });
  await eventually("the later pod admitted", () => admittedNames(agent).includes("fits"));
  await addOn.settled();
  // The API server keeps events about deleted objects; the recorder need not know the pod is gone.
  assert.deepEqual(
    api.events("default").map((e) => [e.involvedObject.name, e.reason]),
    [["huge", "TopologyAffinityError"]],
  );
  assert.equal(api.events("going").length, 0);
  assert.ok(
    log.lines.some((l) => l.includes('msg="event not posted"') && l.includes("pod=going/huge")),
    log.lines.join("\n"),
  );
  assert.ok(!log.lines.some((l) => l.includes("pod sync failed")), log.lines.join("\n"));
  assert.deepEqual(admittedNames(agent), ["fits"]);
  assert.equal(agent.engine.available, true);
});
