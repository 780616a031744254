/**
 * Crash windows, deterministically: the durable-write helper is stopped at its k-th disk step, for
 * every k of a whole run (open, then one commit per operation), as a crash there would stop it
 * (torn writes included: the interrupted write leaves part of its content). Reopening must always
 * work and give the state after a prefix of the operations that holds every acknowledged one.
 * The same runs with a one-off I/O error at step k instead: the commit fails, later ones succeed,
 * and the directory ends consistent.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { describe, test } from "node:test";
import { isDeepStrictEqual } from "node:util";
import { Node } from "../../node/index.js";
import type { FileOp, FileOpHook } from "./durable-write.js";
import { openStateDir } from "./state-dir.js";
import {
  agentConfig,
  agentMachine,
  applyStep,
  filesIn,
  GPU,
  nodeState,
  scratchDir,
  simplePodObject,
  type TestStep,
  temporaryFilesIn,
} from "./state.test-support.js";
import type { OpenedStateDir, StateOp } from "./types.js";

const machine = agentMachine();
const config = agentConfig();

const STEPS: TestStep[] = [
  { op: "admit", object: simplePodObject("pod-a", { cpu: "2", containers: 2, gpus: 1 }) },
  { op: "admit", object: simplePodObject("pod-b", { cpu: "1", podLevel: true }) },
  // The managers allocate, then the predicate handler rejects (no such node label): state is left.
  {
    op: "admit",
    object: {
      ...simplePodObject("elsewhere"),
      spec: { ...(simplePodObject("elsewhere").spec as object), nodeSelector: { disktype: "ssd" } },
    },
  },
  { op: "removeContainer", pick: 0, container: 1 },
  {
    op: "updateDevices",
    resource: GPU,
    devices: [
      { id: "gpu-0-0", numaNodes: [0], healthy: true },
      { id: "gpu-0-1", numaNodes: [0], healthy: false },
      { id: "gpu-1-0", numaNodes: [1], healthy: true },
    ],
  },
  { op: "remove", pick: 0 },
];

/** The node's state after each prefix of STEPS (index = operations applied). */
function prefixStates(): ReturnType<typeof nodeState>[] {
  const node = new Node({ machine, config });
  const out = [nodeState(node)];
  for (const step of STEPS) {
    applyStep(node, step);
    out.push(nodeState(node));
  }
  return out;
}

class Crash extends Error {}

/** Stops every disk step from the k-th on; a write being stopped leaves part of its content. */
function crashAt(k: number): { hook: FileOpHook; crashed: () => boolean } {
  let n = 0;
  let crashed = false;
  return {
    crashed: () => crashed,
    hook: (op: FileOp) => {
      if (n++ < k) return;
      if (!crashed && op.kind === "write") writeFileSync(op.path, '{"policyName":"sta');
      crashed = true;
      throw new Crash(`crash before step ${k} (${op.kind} ${op.path})`);
    },
  };
}

/** Opens and commits every step until something fails; returns how many commits were acknowledged. */
async function runUntilFailure(dir: string, hook: FileOpHook): Promise<number> {
  let sd: OpenedStateDir;
  try {
    sd = await openStateDir({ dir, machine, config, fileOpHook: hook });
  } catch (err) {
    if (err instanceof Crash) return 0;
    throw err;
  }
  let acked = 0;
  try {
    for (const step of STEPS) {
      const op = applyStep(sd.node, step) as StateOp;
      await sd.commit(op);
      acked++;
    }
  } catch (err) {
    if (!(err instanceof Crash)) throw err;
  }
  await sd.close();
  return acked;
}

describe("crash windows of the state directory", () => {
  const prefixes = prefixStates();

  test("every operation of the run counts", () => {
    // Each step changes the state, so every prefix is told apart from the next.
    for (let i = 1; i < prefixes.length; i++) assert.notDeepEqual(prefixes[i], prefixes[i - 1], `step ${i}`);
  });

  test("a crash at any disk step reopens to a prefix holding every acknowledged operation", async (t) => {
    let steps = 0;
    {
      const dir = scratchDir(t, "count", true);
      await runUntilFailure(dir, () => void steps++);
    }
    assert.ok(steps > 60, `only ${steps} disk steps`);
    const outcomes = new Map<string, number>();
    for (let k = 0; k < steps; k++) {
      const dir = scratchDir(t, `k${k}`, true);
      const crash = crashAt(k);
      const acked = await runUntilFailure(dir, crash.hook);
      assert.ok(crash.crashed(), `k=${k}: no crash`);
      const sd = await openStateDir({ dir, machine, config });
      const state = nodeState(sd.node);
      const at = [acked, acked + 1].find((j) => j < prefixes.length && isDeepStrictEqual(state, prefixes[j]));
      assert.ok(at !== undefined, `k=${k}: after ${acked} acknowledged commits the state is no such prefix`);
      assert.deepEqual(filesIn(dir), state.files, `k=${k}`);
      assert.deepEqual(temporaryFilesIn(dir), [], `k=${k}`);
      const kind = `${at === acked ? "acknowledged prefix" : "one more"}${sd.warnings.some((w) => /finished an interrupted write/.test(w)) ? ", rolled forward" : ""}`;
      outcomes.set(kind, (outcomes.get(kind) ?? 0) + 1);
      await sd.close();
      const settled = await openStateDir({ dir, machine, config });
      assert.deepEqual(settled.warnings, [], `k=${k}: a second start still had something to do`);
      await settled.close();
    }
    // Both sides of each window were reached: crashes before the record, and after it.
    assert.ok((outcomes.get("acknowledged prefix") ?? 0) > 0, JSON.stringify([...outcomes]));
    assert.ok((outcomes.get("one more, rolled forward") ?? 0) > 0, JSON.stringify([...outcomes]));
  });

  test("a one-off I/O error at any disk step fails that commit only; the directory ends consistent", async (t) => {
    let steps = 0;
    await runUntilFailure(scratchDir(t, "count", true), () => void steps++);
    for (let k = 0; k < steps; k++) {
      const dir = scratchDir(t, `k${k}`, true);
      let n = 0;
      const hook: FileOpHook = () => {
        if (n++ === k) throw Object.assign(new Error("EIO: i/o error"), { code: "EIO" });
      };
      let sd: OpenedStateDir;
      try {
        sd = await openStateDir({ dir, machine, config, fileOpHook: hook });
      } catch {
        sd = await openStateDir({ dir, machine, config, fileOpHook: hook });
      }
      let lastFailed = false;
      for (const step of STEPS) {
        const op = applyStep(sd.node, step) as StateOp;
        lastFailed = await sd.commit(op).then(
          () => false,
          () => true,
        );
      }
      await sd.close();
      const again = await openStateDir({ dir, machine, config });
      const state = nodeState(again.node);
      const final = prefixes.length - 1;
      const allowed = lastFailed ? [final - 1, final] : [final];
      assert.ok(
        allowed.some((j) => isDeepStrictEqual(state, prefixes[j])),
        `k=${k}: the reopened state is not the state after ${allowed.join(" or ")} operations`,
      );
      await again.close();
    }
  });
});
