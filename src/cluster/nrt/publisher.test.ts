import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { AgentEngine } from "../../agent/index.js";
import { memoryStateDir } from "../../agent/server/memory-state-dir.test-support.js";
import { machineM, workedExampleConfig } from "../../node/test-support.js";
import type { NodeResourceTopologyObject } from "../types.js";
import { fakeApplier } from "./fake-applier.test-support.js";
import { buildNodeResourceTopology, createNrtPublisher, nrtAddOn } from "./index.js";
import { guaranteedPod } from "./nrt.test-support.js";

function objectWith(generation: number): NodeResourceTopologyObject {
  return {
    apiVersion: "topology.node.k8s.io/v1alpha2",
    kind: "NodeResourceTopology",
    metadata: { name: "n" },
    attributes: [{ name: "generation", value: String(generation) }],
    zones: [],
  };
}

function quietLog() {
  const warnings: string[] = [];
  return { warnings, info() {}, warn: (msg: string) => void warnings.push(msg) };
}

test("publishes at once, and skips an object equal to the last one applied", async () => {
  const applier = fakeApplier();
  let generation = 1;
  const p = createNrtPublisher({ build: () => objectWith(generation), applier, debounceMs: 5 });
  await p.publishNow();
  await p.publishNow();
  assert.equal(applier.applied.length, 1);
  assert.deepEqual(p.stats, { applied: 1, failed: 0, skipped: 1 });
  generation = 2;
  p.changed();
  await applier.waitForCalls(1);
  assert.deepEqual(applier.applied.at(-1), objectWith(2));
  await p.stop();
});

test("a burst of 100 changes makes at most two applies, the last with the final object", async () => {
  const applier = fakeApplier({ delayMs: 2 });
  let generation = 0;
  const p = createNrtPublisher({ build: () => objectWith(generation), applier, debounceMs: 20 });
  for (let i = 1; i <= 100; i++) {
    generation = i;
    p.changed();
    if (i % 10 === 0) await sleep(1);
  }
  await sleep(80);
  assert.ok(applier.calls >= 1 && applier.calls <= 2, `${applier.calls} applies`);
  assert.deepEqual(applier.applied.at(-1), objectWith(100));
  await p.stop();
  assert.ok(applier.calls <= 2);
});

test("failures are retried with backoff until an apply succeeds", async () => {
  const applier = fakeApplier();
  applier.failNext(3);
  const log = quietLog();
  const p = createNrtPublisher({ build: () => objectWith(7), applier, debounceMs: 1, retryMs: 5, log });
  const started = Date.now();
  await p.publishNow();
  await applier.waitForCalls(3);
  assert.deepEqual(applier.applied, [objectWith(7)]);
  assert.equal(p.stats.failed, 3);
  assert.equal(log.warnings.length, 3);
  // 5 + 10 + 20 ms of backoff at least.
  assert.ok(Date.now() - started >= 30, `retried after ${Date.now() - started} ms`);
  await p.stop();
});

test("stop publishes a change still waiting for its debounce", async () => {
  const applier = fakeApplier();
  let generation = 1;
  const p = createNrtPublisher({ build: () => objectWith(generation), applier, debounceMs: 60_000 });
  await p.publishNow();
  generation = 2;
  p.changed();
  await p.stop();
  assert.deepEqual(applier.applied, [objectWith(1), objectWith(2)]);
  p.changed();
  await sleep(5);
  assert.equal(applier.calls, 2, "nothing is published after stop");
});

test("the add-on publishes at start, after committed changes, and keeps to the engine's node", async (t) => {
  const state = memoryStateDir({ machine: machineM(), config: workedExampleConfig("container") });
  const engine = new AgentEngine(state);
  const applier = fakeApplier();
  const id = { nodeName: "worker-1", nodeUID: "uid-1" };
  const handle = await nrtAddOn(applier, { ...id, debounceMs: 5 }).start(engine);
  t.after(() => handle.stop());
  assert.equal(applier.applied.length, 1, "published at start");
  const pod = guaranteedPod("db", 2, "1Gi");
  await engine.admit({ pod, object: {} });
  await applier.waitForCalls(1);
  assert.deepEqual(applier.applied.at(-1), buildNodeResourceTopology(engine.node, id));
  await engine.remove(pod.uid);
  await engine.close();
  await handle.stop();
  assert.deepEqual(applier.applied.at(-1), buildNodeResourceTopology(engine.node, id));
  assert.deepEqual(applier.applied.at(-1), applier.applied[0], "back to the idle node");
});
