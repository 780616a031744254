import assert from "node:assert/strict";
import { test } from "node:test";
import { memoryLog } from "../agent/log.js";
import { podFromObject } from "../k8s/index.js";
import { Node } from "../node/index.js";
import { machineM, workedExampleConfig } from "../node/test-support.js";
import type { NodeObject } from "./kube/index.js";
import { nodeFactsOf, readNodeAtStart, withNodeFacts } from "./node-facts.js";
import { FAST_BACKOFF, fakeCluster, NODE } from "./testing/support.test-support.js";

const LABELS = {
  "kubernetes.io/hostname": NODE,
  "kubernetes.io/os": "linux",
  "node.example.com/pool": "gpu",
};
const TAINTS = [
  { key: "dedicated", value: "ml", effect: "NoExecute", timeAdded: "2024-05-01T10:00:00Z" },
  { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" },
];

function pod(name: string, spec: Record<string, unknown>) {
  const r = { cpu: "1", memory: "1Gi" };
  return podFromObject(
    {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace: "default", uid: `uid-${name}` },
      spec: {
        nodeName: NODE,
        containers: [{ name: "main", image: "busybox", resources: { requests: r, limits: r } }],
        ...spec,
      },
    },
    name,
  );
}

const dedicated = [{ key: "dedicated", operator: "Equal", value: "ml", effect: "NoExecute" }];

test("the Node object's labels and taints decide admission as the kubelet's node lister would", async (t) => {
  const { api, client } = await fakeCluster(t);
  api.addNode(NODE, { labels: LABELS, taints: TAINTS });
  const facts = await readNodeAtStart(client);
  assert.deepEqual(facts.labels, LABELS);
  assert.deepEqual(facts.taints, [
    { key: "dedicated", value: "ml", effect: "NoExecute" },
    { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" },
  ]);
  const base = workedExampleConfig("pod", { nodeName: NODE });
  const before = new Node({ machine: machineM(), config: base });
  const after = new Node({ machine: machineM(), config: withNodeFacts(base, facts) });
  const selecting = pod("on-gpu-pool", {
    nodeSelector: { "node.example.com/pool": "gpu" },
    tolerations: dedicated,
  });
  assert.equal(
    before.admit(selecting).reason,
    "NodeAffinity",
    "the kubelet configuration alone lacks the label",
  );
  assert.equal(after.admit(selecting).admitted, true);
  const untolerating = after.admit(pod("no-toleration", {}));
  assert.equal(untolerating.admitted, false);
  assert.equal(untolerating.reason, "TaintToleration");
  assert.equal(before.admit(pod("no-toleration-before", {})).admitted, true, "no taint without the Node");
  // NoSchedule taints are the scheduler's: a pod tolerating only the NoExecute one is admitted.
  assert.equal(after.admit(pod("tolerating", { tolerations: dedicated })).admitted, true);
});

test("a Node read that fails for a while is retried; a missing or forbidden Node is refused at once", async (t) => {
  const { api, client } = await fakeCluster(t);
  const log = memoryLog();
  api.failNodeReadsNext(2);
  const facts = await readNodeAtStart(client, { backoff: FAST_BACKOFF, log });
  assert.equal(facts.name, NODE);
  assert.equal(api.nodeReads, 3);
  assert.equal(
    log.lines.filter((l) => l.includes("the Node object could not be read; trying again")).length,
    2,
  );

  api.failNodeReadsNext(10);
  await assert.rejects(readNodeAtStart(client, { attempts: 3, backoff: FAST_BACKOFF }), {
    name: "ClusterSetupError",
    message:
      /^--node-name node-a: the Node object cannot be read \(3 attempts\): GET \/api\/v1\/nodes\/node-a: 500 InternalError: injected failure; the agent decides with the Node's labels and taints/,
  });
  api.failNodeReadsNext(0);

  for (const code of [403, 401]) {
    const reads: number = api.nodeReads;
    api.failNodeReadsNext(1, code);
    await assert.rejects(readNodeAtStart(client, { backoff: FAST_BACKOFF }), {
      name: "ClusterSetupError",
      message: new RegExp(`cannot be read: GET /api/v1/nodes/node-a: ${code} `),
    });
    assert.equal(api.nodeReads, reads + 1, `${code} is not retried`);
  }
  const { client: other } = await fakeCluster.clientFor(api, "not-registered");
  const reads: number = api.nodeReads;
  await assert.rejects(readNodeAtStart(other, { backoff: FAST_BACKOFF }), {
    name: "ClusterSetupError",
    message:
      /^--node-name not-registered: the Node object cannot be read: GET \/api\/v1\/nodes\/not-registered: 404 NotFound: nodes "not-registered" not found;/,
  });
  assert.equal(api.nodeReads, reads + 1, "404 is not retried");
});

test("a Node object of an unexpected shape is a one-line error naming the field", () => {
  const node = (extra: Partial<NodeObject>): NodeObject => ({
    metadata: { name: "n", uid: "u" },
    ...extra,
  });
  assert.deepEqual(nodeFactsOf(node({})), { name: "n", uid: "u", labels: {}, taints: [] });
  const cases: [NodeObject, RegExp][] = [
    [
      node({ metadata: { name: "n", uid: "u", labels: { a: 1 } } }),
      /^Node n: metadata\.labels\.a: expected a string$/,
    ],
    [node({ metadata: { name: "n", uid: "u", labels: ["a"] } }), /^Node n: metadata\.labels: expected a map/],
    [node({ spec: { taints: {} } }), /^Node n: spec\.taints: expected a list of taints$/],
    [node({ spec: { taints: [{ key: "k" }] } }), /^Node n: spec\.taints\[0\]\.effect: expected NoSchedule/],
    [node({ spec: { taints: [{ effect: "NoExecute" }] } }), /^Node n: spec\.taints\[0\]\.key: expected/],
    [
      node({ spec: { taints: [{ key: "k", value: 3, effect: "NoExecute" }] } }),
      /^Node n: spec\.taints\[0\]\.value: expected a string$/,
    ],
  ];
  for (const [n, message] of cases)
    assert.throws(() => nodeFactsOf(n), { name: "ClusterSetupError", message });
});
