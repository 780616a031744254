import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { call, json } from "../../agent/server/agent.test-support.js";
import {
  agentArgs,
  agentScratchDir,
  agentSocket,
  killAgentProcess,
  startAgentProcess,
} from "../../cli/agent.test-support.js";
import { POD_SCOPE_CONFIG } from "../../cli/cli.test-support.js";
import { loadNodeInputs } from "../../cli/inputs.js";
import type { RestoredStates } from "../../agent/state/index.js";
import { startFakeApiServer } from "../testing/fake-apiserver.test-support.js";
import { eventually } from "../testing/support.test-support.js";
import { DRIFT_METRIC, DRIFT_REASON } from "./index.js";
import { kubeletRoot, runPods, shadowPods, snapshotTree, withMovedCPUs } from "./shadow.test-support.js";

const NODE = "dgx-1";

test("podpin agent --kubeconfig --kubelet-root-dir: pods from the watch, drift of a hand-edited checkpoint in /metrics and as an Event, the NRT object from the kubelet's truth, nothing written", async (t) => {
  const api = await startFakeApiServer();
  t.after(() => api.close());
  api.addNode(NODE, { labels: { "kubernetes.io/hostname": NODE } });
  const dir = agentScratchDir(t, "podpin-shadow-cluster-");
  const inputs = loadNodeInputs({ machine: "nvidia-dgx-h100", config: POD_SCOPE_CONFIG });
  const machine = inputs.machine;
  const objects = shadowPods();
  // The kubelet's files, written by podpin's own writers for the pods the API server serves.
  const root = kubeletRoot(t, runPods(machine, { ...inputs.config, nodeName: NODE }, objects));
  for (const o of objects)
    api.addPod({
      name: o.metadata.name,
      namespace: o.metadata.namespace,
      uid: o.metadata.uid,
      nodeName: NODE,
      creationTimestamp: o.metadata.creationTimestamp,
      spec: o.spec,
      status: o.status,
    });
  let before = snapshotTree(root.dir);
  const agent = await startAgentProcess(
    agentArgs(
      dir,
      [
        "--kubeconfig",
        api.kubeconfigPath,
        "--node-name",
        NODE,
        "--kubelet-root-dir",
        root.dir,
        "--kubelet-state-period",
        "200ms",
      ],
      "nvidia-dgx-h100",
    ),
  );
  t.after(() => killAgentProcess(agent));
  assert.equal(agent.urls.length, 1, agent.stderr());
  const unix = { socketPath: agentSocket(dir) };
  const metrics = async () => (await call(unix, "GET", "/metrics")).body;
  const drift = (n: number) => new RegExp(`^${DRIFT_METRIC}\\{resource="cpu"\\} ${n}$`, "m");

  // Free CPUs per NUMA node in the kubelet's CPU checkpoint, less the reserved ones.
  const reserved = root.node.cpuPolicy?.reserved;
  assert.ok(reserved);
  const freeByZone = (s: RestoredStates) =>
    [0, 1].map((n) => {
      const free = machine.topology
        .cpusInNUMANode(n)
        .intersect(s.cpu?.defaultCpuSet ?? reserved)
        .difference(reserved);
      return `node-${n}=${free.size}`;
    });
  const published = () => {
    const zones = (api.nrt(NODE)?.zones ?? []) as {
      name: string;
      resources?: { name: string; available: string }[];
    }[];
    return zones.map((z) => `${z.name}=${z.resources?.find((r) => r.name === "cpu")?.available}`);
  };
  await eventually(
    "the pods from the watch in the shadow",
    async () => {
      const answer = await call(unix, "GET", "/v1/pods/uid-last");
      return answer.status === 200 && json<{ pod: { name: string } }>(answer).pod.name === "last";
    },
    10_000,
  );
  assert.match(await metrics(), drift(0));
  await eventually("the NRT object", () => published().join() === freeByZone(root.states).join(), 10_000);

  // The kubelet moved a container: the shadow reads it, sees podpin would not have, and says so.
  const moved = withMovedCPUs(machine, root.states, "uid-last", "app");
  root.write(moved);
  before = snapshotTree(root.dir);
  await eventually("the drift gauge", async () => drift(1).test(await metrics()), 10_000);
  await eventually("the drift Event", () => api.events("ml").some((e) => e.reason === DRIFT_REASON), 10_000);
  const [event] = api.events("ml");
  assert.deepEqual(
    [event.type, event.involvedObject.name, event.involvedObject.uid],
    ["Normal", "last", "uid-last"],
  );
  assert.match(event.message, /container app cpu: kubelet: cpus .*; podpin: cpus /);
  assert.notDeepEqual(freeByZone(moved), freeByZone(root.states), "the move crosses NUMA nodes");
  await eventually(
    "the NRT object after the move",
    () => published().join() === freeByZone(moved).join(),
    10_000,
  );

  agent.child.kill("SIGTERM");
  assert.deepEqual(await agent.exited, { code: 0, signal: null }, agent.stderr());
  assert.deepEqual(snapshotTree(root.dir), before, "nothing written under the kubelet root");
  assert.equal(existsSync(join(dir, "state")), false, "shadow mode opens no state directory of its own");
  assert.doesNotMatch(agent.stderr(), /shadow mode without --kubeconfig/);
});
