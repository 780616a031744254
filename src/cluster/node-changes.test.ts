import assert from "node:assert/strict";
import { test } from "node:test";
import { memoryLog } from "../agent/log.js";
import { startTestAgent } from "../agent/server/agent.test-support.js";
import { nodeChangesAddOn } from "./node-changes.js";
import { readNodeAtStart } from "./node-facts.js";
import { eventually, fakeCluster, NODE } from "./testing/support.test-support.js";

const CHANGED = "the Node's labels or taints changed since start";

test("a Node relabelled or tainted after start is reported once per change, and once more when it changes again", async (t) => {
  const { api, client } = await fakeCluster(t);
  api.addNode(NODE, { labels: { pool: "a" } });
  const atStart = await readNodeAtStart(client);
  const log = memoryLog();
  const addOn = nodeChangesAddOn(client, atStart, { periodMs: 10, log });
  const { agent } = await startTestAgent(t, { addOns: [addOn] });
  const reads = api.nodeReads;
  await eventually("a few reads", () => api.nodeReads >= reads + 3);
  const warnings = () => log.lines.filter((l) => l.includes(CHANGED));
  assert.equal(warnings().length, 0, "an unchanged Node is not reported");

  api.addNode(NODE, { labels: { pool: "b" }, taints: [{ key: "maintenance", effect: "NoExecute" }] });
  await eventually("the change reported", () => warnings().length === 1);
  assert.match(warnings()[0], /atStart="1 labels, taints none" now="1 labels, taints maintenance:NoExecute"/);
  const after = api.nodeReads;
  await eventually("more reads", () => api.nodeReads >= after + 3);
  assert.equal(warnings().length, 1, "the same change is reported once");

  api.failNodeReadsNext(2);
  api.addNode(NODE, { labels: { pool: "c" } });
  await eventually("the next change reported", () => warnings().length === 2);
  assert.equal(agent.engine.node.config.nodeLabels, undefined, "the engine's node is not changed in place");
});

test("with no resync period the Node is not read again", async (t) => {
  const { api, client } = await fakeCluster(t);
  const atStart = await readNodeAtStart(client);
  const reads = api.nodeReads;
  await startTestAgent(t, { addOns: [nodeChangesAddOn(client, atStart, { periodMs: 0, log: memoryLog() })] });
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(api.nodeReads, reads);
});
