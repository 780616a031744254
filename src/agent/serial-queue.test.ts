import assert from "node:assert/strict";
import { test } from "node:test";
import { SerialQueue } from "./serial-queue.js";

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("tasks run one at a time in the order they were queued", async () => {
  const q = new SerialQueue();
  const events: string[] = [];
  const task = (name: string, ms: number) => async () => {
    events.push(`start ${name}`);
    await tick(ms);
    events.push(`end ${name}`);
    return name;
  };
  const results = await Promise.all([q.run(task("a", 20)), q.run(task("b", 1)), q.run(() => "c")]);
  assert.deepEqual(results, ["a", "b", "c"]);
  assert.deepEqual(events, ["start a", "end a", "start b", "end b"]);
  assert.equal(q.size, 0);
});

test("a failing task rejects its own caller only", async () => {
  const q = new SerialQueue();
  const failing = q.run(() => {
    throw new Error("boom");
  });
  const next = q.run(() => 42);
  await assert.rejects(failing, /boom/);
  assert.equal(await next, 42);
});

test("close lets the running task finish, refuses the queued and the new ones", async () => {
  const q = new SerialQueue();
  let finished = false;
  const running = q.run(async () => {
    await tick(20);
    finished = true;
    return "done";
  });
  let queuedRan = false;
  const queued = q.run(() => {
    queuedRan = true;
  });
  await tick(1);
  const closed = q.close(new Error("shutting down"));
  await assert.rejects(queued, /shutting down/);
  await closed;
  assert.equal(finished, true, "close waited for the running task");
  assert.equal(await running, "done");
  assert.equal(queuedRan, false);
  await assert.rejects(
    q.run(() => 1),
    /shutting down/,
  );
});
