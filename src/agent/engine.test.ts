import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { DATABASE_POD } from "../cli/cli.test-support.js";
import { machineM, workedExampleConfig } from "../node/test-support.js";
import { AgentEngine, type EngineChange } from "./engine.js";
import { AgentUnavailableError, NotAdmittedError } from "./errors.js";
import { memoryLog } from "./log.js";
import { podFromRequest } from "./pod-request.js";
import { guaranteedPod } from "./server/agent.test-support.js";
import { memoryStateDir } from "./server/memory-state-dir.test-support.js";

const DATABASE = podFromRequest(readFileSync(DATABASE_POD, "utf8"));

function engineOn(opts: { commitDelayMs?: number; now?: () => number } = {}) {
  const state = memoryStateDir({ machine: machineM(), config: workedExampleConfig("pod"), ...opts });
  const log = memoryLog();
  return { state, log, engine: new AgentEngine(state, { log }) };
}

test("each change is committed before it is answered, and reads see only committed changes", async () => {
  const { state, engine } = engineOn({ commitDelayMs: 15 });
  const admitted = engine.admit(DATABASE);
  const seen = engine.read((node) => ({ pods: node.admittedPods().length, committed: state.ops.length }));
  const result = await admitted;
  assert.equal(result.admitted, true);
  assert.equal(state.ops.length, 1, "committed by the time the admission resolved");
  assert.deepEqual(
    await seen,
    { pods: 1, committed: 1 },
    "the read queued after the admission waited for its commit",
  );
  assert.deepEqual(state.ops[0], {
    kind: "admit",
    pod: DATABASE.object,
    podUID: "uid-db",
    admitted: true,
  });
});

test("refusals (duplicate uid, unknown pod or container) commit nothing and keep the engine available", async () => {
  const { state, engine } = engineOn();
  await engine.admit(DATABASE);
  await assert.rejects(engine.admit(DATABASE), { name: "DuplicatePodError" });
  await assert.rejects(engine.remove("nope"), NotAdmittedError);
  await assert.rejects(engine.removeContainer("uid-db", "nope"), NotAdmittedError);
  await assert.rejects(engine.removeContainer("nope", "database"), NotAdmittedError);
  assert.equal(state.ops.length, 1);
  assert.equal(engine.available, true);
});

test("listeners hear every committed change in order; a failing listener is logged and changes nothing", async () => {
  const { engine, log } = engineOn();
  const heard: string[] = [];
  engine.onChange((c: EngineChange) => {
    heard.push(`${c.op.kind}:${c.node.admittedPods().length}`);
  });
  engine.onChange(() => {
    throw new Error("listener bug");
  });
  engine.onChange(async () => {
    throw new Error("async listener bug");
  });
  await engine.admit(DATABASE);
  await engine.removeContainer("uid-db", "database");
  await engine.remove("uid-db");
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(heard, ["admit:1", "removeContainer:1", "remove:0"]);
  assert.equal(log.lines.filter((l) => l.includes('msg="change listener failed"')).length, 6);
  assert.equal(engine.available, true);
});

test("a change that cannot be committed makes the engine refuse everything until a restart", async () => {
  const { state, engine, log } = engineOn();
  state.failNextCommit(new Error("ENOSPC: no space left on device"));
  await assert.rejects(engine.admit(DATABASE), (err: Error) => {
    assert.ok(err instanceof AgentUnavailableError);
    assert.match(
      err.message,
      /could not be written to the state directory \(ENOSPC: no space left on device\)/,
    );
    assert.match(err.message, /restart it/);
    return true;
  });
  assert.equal(engine.available, false);
  await assert.rejects(
    engine.admit(podFromRequest(guaranteedPod("next", "1", "1Gi"))),
    AgentUnavailableError,
  );
  await assert.rejects(
    engine.read(() => 1),
    AgentUnavailableError,
  );
  assert.equal(state.ops.length, 0);
  assert.ok(log.lines.some((l) => l.includes("level=error") && l.includes("ENOSPC")));
});

test("close finishes the operation in progress, refuses the queued ones, then closes the state directory", async () => {
  const { state, engine } = engineOn({ commitDelayMs: 30 });
  const inFlight = engine.admit(DATABASE);
  const queued = engine.admit(podFromRequest(guaranteedPod("queued", "1", "1Gi")));
  const refused = assert.rejects(
    queued,
    (err: Error) => err instanceof AgentUnavailableError && /shutting down/.test(err.message),
  );
  await new Promise((resolve) => setTimeout(resolve, 5));
  const closed = engine.close();
  assert.equal((await inFlight).admitted, true);
  await refused;
  await closed;
  assert.deepEqual(
    state.ops.map((o) => (o.kind === "admit" ? o.podUID : o.kind)),
    ["uid-db"],
  );
  assert.equal(state.closed, true);
  assert.equal(engine.unavailableReason, "the agent is shutting down");
  await engine.close();
});

test("every admission is timed once, whether or not the state directory's node has a clock", async () => {
  for (const now of [undefined, () => performance.now()]) {
    const { engine } = engineOn({ now });
    await engine.admit(DATABASE);
    await engine.admit(podFromRequest(guaranteedPod("second", "1", "1Gi")));
    await assert.rejects(engine.admit(DATABASE));
    assert.equal(engine.node.metrics.histogram("topology_manager_admission_duration_ms").count, 2);
  }
});
