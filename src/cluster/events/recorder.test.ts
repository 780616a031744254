import assert from "node:assert/strict";
import { test } from "node:test";
import { memoryLog } from "../../agent/log.js";
import { fakeCluster, NODE } from "../testing/support.test-support.js";
import { EventRecorder } from "./recorder.js";

const involved = { namespace: "default", name: "p", uid: "u1" };
const warning = { involved, type: "Warning" as const, reason: "OutOfcpu", message: "m" };

test("an aggregated Event deleted on the server: the next repeat creates a new one, later repeats raise it", async (t) => {
  const { client, api } = await fakeCluster(t);
  let now = Date.parse("2024-05-01T10:00:00Z");
  const log = memoryLog();
  const rec = new EventRecorder({ api: client, nodeName: NODE, log, now: () => new Date((now += 1000)) });
  await rec.emit(warning);
  await rec.emit(warning);
  const [first] = api.events("default");
  assert.equal(first.count, 2);

  api.deleteEvent("default", first.metadata.name);
  await rec.emit(warning);
  const [second] = api.events("default");
  assert.ok(second, "a new Event was created");
  assert.notEqual(second.metadata.name, first.metadata.name);
  assert.deepEqual([second.count, second.firstTimestamp], [1, "2024-05-01T10:00:03Z"]);

  await rec.emit(warning);
  const after = api.events("default");
  assert.equal(after.length, 1, "the repeat raised the new Event instead of posting another");
  assert.deepEqual(
    [after[0].metadata.name, after[0].count, after[0].lastTimestamp],
    [second.metadata.name, 2, "2024-05-01T10:00:04Z"],
  );
  assert.equal(
    log.lines.length,
    0,
    `the 404 is the recorder's business, not a warning: ${log.lines.join("\n")}`,
  );
});

test("an Event the server refuses (its namespace terminating) is logged, never thrown, and later events still post", async (t) => {
  const { client, api } = await fakeCluster(t);
  const log = memoryLog();
  const rec = new EventRecorder({ api: client, nodeName: NODE, log });
  api.terminateNamespace("going");
  await rec.emit({ ...warning, involved: { namespace: "going", name: "q", uid: "u2" } });
  assert.equal(api.events("going").length, 0);
  const line = log.lines.find((l) => l.includes('msg="event not posted"'));
  assert.ok(line, log.lines.join("\n"));
  assert.match(line, /pod=going\/q/);
  assert.match(line, /403 Forbidden/);
  await rec.emit(warning);
  assert.equal(api.events("default").length, 1);
});
