import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { FakeApiServer } from "../testing/fake-apiserver.test-support.js";
import { eventually, FAST_BACKOFF, fakeCluster, NODE } from "../testing/support.test-support.js";
import type { NodePodsChange } from "../types.js";
import { PodReflector } from "./reflector.js";

const OTHER = "node-b";

function reflectorOn(client: ConstructorParameters<typeof PodReflector>[0]["source"], extra = {}) {
  return new PodReflector({
    source: client,
    nodeName: NODE,
    resyncPeriodMs: 0,
    pageSize: 2,
    backoff: FAST_BACKOFF,
    watchTimeoutSeconds: () => 30,
    ...extra,
  });
}

const summary = (pods: readonly { metadata: { uid: string; resourceVersion?: string } }[]) =>
  pods.map((p) => `${p.metadata.uid}@${p.metadata.resourceVersion}`).sort();

function sameAsServer(reflector: PodReflector, api: FakeApiServer): boolean {
  return JSON.stringify(summary(reflector.current())) === JSON.stringify(summary(api.pods(NODE)));
}

test("the first list pages through every pod bound to the node, in the kubelet's order, then SYNCED", async (t) => {
  const { api, client } = await fakeCluster(t);
  api.addPod({ name: "late", nodeName: NODE, creationTimestamp: "2024-01-01T00:00:05Z" });
  api.addPod({ name: "b", nodeName: NODE, creationTimestamp: "2024-01-01T00:00:01Z" });
  api.addPod({ name: "a", nodeName: NODE, creationTimestamp: "2024-01-01T00:00:01Z" });
  api.addPod({ name: "elsewhere", nodeName: OTHER });
  api.addPod({ name: "unbound" });
  api.addPod({ name: "early", namespace: "zz", nodeName: NODE, creationTimestamp: "2023-12-31T00:00:00Z" });
  const r = reflectorOn(client);
  const seen: NodePodsChange["type"][] = [];
  r.onChange((c) => seen.push(c.type));
  r.start();
  t.after(() => r.stop());
  await r.firstSync;
  assert.deepEqual(
    r.current().map((p) => p.metadata.name),
    ["early", "a", "b", "late"],
  );
  assert.deepEqual(seen, ["ADDED", "ADDED", "ADDED", "ADDED", "SYNCED"]);
  assert.ok(api.requests.list >= 2, "a page size of 2 needs more than one page");
});

test("watch events, bookmarks, a dropped connection and a 410 each leave the cache equal to the server", async (t) => {
  const { api, client } = await fakeCluster(t);
  api.addPod({ name: "p0", nodeName: NODE });
  const r = reflectorOn(client);
  r.start();
  t.after(() => r.stop());
  await r.firstSync;
  await eventually("a watch", () => api.openWatches === 1);
  api.addPod({ name: "p1", nodeName: NODE });
  await eventually("p1 watched", () => sameAsServer(r, api));
  api.bookmark();
  await eventually(
    "the bookmark's resourceVersion",
    () => r.lastResourceVersion === String(api.resourceVersion),
  );

  const lists = api.requests.list;
  api.dropWatches();
  api.addPod({ name: "while-down", nodeName: NODE });
  api.deletePod("default", "p0");
  await eventually("the events missed while dropped", () => sameAsServer(r, api));
  assert.equal(api.requests.list, lists, "a dropped watch resumes from its resourceVersion, without a list");

  api.dropWatches();
  api.addPod({ name: "after-compaction", nodeName: NODE });
  api.deletePod("default", "p1");
  api.compact();
  await eventually("the relist after 410", () => sameAsServer(r, api));
  assert.ok(api.requests.list > lists, "410 Gone makes the reflector list again");
});

test("410 Gone as an HTTP status relists too, and synthesises the deletions it missed", async (t) => {
  const { api, client } = await fakeCluster(t);
  api.addPod({ name: "stays", nodeName: NODE });
  api.addPod({ name: "goes", nodeName: NODE });
  const r = reflectorOn(client);
  const changes: string[] = [];
  r.onChange((c) => changes.push(`${c.type}${c.pod ? ` ${c.pod.metadata.name}` : ""}`));
  r.start();
  t.after(() => r.stop());
  await r.firstSync;
  await eventually("a watch", () => api.openWatches === 1);
  changes.length = 0;
  api.goneAsHttpStatusNext();
  api.dropWatches();
  api.deletePod("default", "goes");
  api.modifyPod("default", "stays", (p) => ({ ...p, status: { phase: "Running" } }));
  api.compact();
  await eventually("the relist", () => changes.includes("SYNCED"));
  assert.deepEqual(changes, ["DELETED goes", "MODIFIED stays", "SYNCED"]);
});

test("a failing API server is retried with backoff, and stop ends everything", async (t) => {
  const { api, client } = await fakeCluster(t);
  api.addPod({ name: "p", nodeName: NODE });
  api.failNext(3);
  const warnings: string[] = [];
  const r = reflectorOn(client, { log: { info() {}, warn: (m: string) => warnings.push(m) } });
  r.start();
  await r.firstSync;
  assert.equal(warnings.filter((w) => w.startsWith("pod list failed")).length, 3);
  await eventually("a watch", () => api.openWatches === 1);
  await r.stop();
  await eventually("the watch closed", () => api.openWatches === 0);
  const requests = api.requests.list + api.requests.watch;
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(api.requests.list + api.requests.watch, requests, "nothing runs after stop");
});

test("the periodic resync relists", async (t) => {
  const { client } = await fakeCluster(t);
  const r = reflectorOn(client, { resyncPeriodMs: 50 });
  let synced = 0;
  r.onChange((c) => {
    if (c.type === "SYNCED") synced++;
  });
  r.start();
  t.after(() => r.stop());
  await eventually("three lists", () => synced >= 3);
});

type Step =
  | { op: "add"; node: string | null }
  | { op: "modify"; index: number }
  | { op: "move"; index: number }
  | { op: "delete"; index: number }
  | { op: "drop" | "compact" | "bookmark" | "goneStatus" | "fail" | "pause" };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ op: fc.constant("add" as const), node: fc.constantFrom(NODE, NODE, OTHER, null) }),
  fc.record({
    op: fc.constantFrom("modify" as const, "delete" as const, "move" as const),
    index: fc.nat(20),
  }),
  fc.record({
    op: fc.constantFrom("drop", "compact", "bookmark", "goneStatus", "fail", "pause") as fc.Arbitrary<"drop">,
  }),
);

test("property: whatever drops, 410s, bookmarks and failures the server injects, the cache ends equal to it", async (t) => {
  const { api, client } = await fakeCluster(t);
  const r = reflectorOn(client);
  r.start();
  t.after(() => r.stop());
  await r.firstSync;
  let n = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 25 }), async (steps) => {
      for (const s of steps) {
        const all = api.pods();
        const pick = (i: number) => all[i % Math.max(1, all.length)];
        switch (s.op) {
          case "add":
            api.addPod({ name: `p${n++}`, nodeName: s.node ?? undefined });
            break;
          case "modify": {
            const p = pick(s.index);
            if (p)
              api.modifyPod(p.metadata.namespace, p.metadata.name, (x) => ({
                ...x,
                status: { phase: "Running", n },
              }));
            break;
          }
          case "move": {
            // Bound or unbound from the outside (the watch sees it start or stop matching the selector).
            const p = pick(s.index);
            if (p)
              api.modifyPod(p.metadata.namespace, p.metadata.name, (x) => ({
                ...x,
                spec: { ...x.spec, nodeName: x.spec.nodeName === NODE ? OTHER : NODE },
              }));
            break;
          }
          case "delete": {
            const p = pick(s.index);
            if (p) api.deletePod(p.metadata.namespace, p.metadata.name);
            break;
          }
          case "drop":
            api.dropWatches();
            break;
          case "compact":
            api.compact();
            break;
          case "bookmark":
            api.bookmark();
            break;
          case "goneStatus":
            api.goneAsHttpStatusNext();
            break;
          case "fail":
            api.failNext(1);
            break;
          case "pause":
            await new Promise((resolve) => setTimeout(resolve, 5));
            break;
        }
      }
      await eventually("the cache to match the server", () => sameAsServer(r, api), 5000);
    }),
    { numRuns: 40 },
  );
});
