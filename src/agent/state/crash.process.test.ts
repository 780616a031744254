/**
 * Real crashes: a child process commits operations in a loop on a real file system (durable
 * writes) and is SIGKILLed at random moments, some while it is still opening the directory (and
 * finishing the previous child's interrupted write). After each kill the directory must open,
 * verify, and hold the state after every operation the child acknowledged, and at most the one
 * it was committing. The next child continues from there.
 *
 * The child is bundled once into a single script (esbuild, which tsx is built on) so that each
 * start costs well under a second rather than a full TypeScript load; it loads the engine, then
 * waits for its directory and first step on stdin, so that "while opening" means the open.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { describe, test } from "node:test";
import { isDeepStrictEqual } from "node:util";
import { Node } from "../../node/index.js";
import { bundleTestChild } from "../bundle-child.test-support.js";
import { killStep } from "./kill-steps.test-support.js";
import { openStateDir } from "./state-dir.js";
import {
  agentConfig,
  agentMachine,
  applyStep,
  filesIn,
  nodeState,
  scratchDir,
  temporaryFilesIn,
} from "./state.test-support.js";

const KILLS = 50;
const machine = agentMachine();
const config = agentConfig();

interface ChildRun {
  /** Steps acknowledged (the highest `ack` + 1), or `first` when none. */
  acked: number;
  ready: boolean;
}

/** A child that has loaded the engine and waits to be told its directory and first step. */
interface WarmChild {
  child: ChildProcess;
  out: () => string;
  loaded: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

function spawnChild(bundle: string): WarmChild {
  const child = spawn(process.execPath, [bundle], { stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const loaded = new Promise<void>((resolve) => {
    child.stdout?.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      if (out.startsWith("loaded\n")) resolve();
    });
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve, reject) => {
      child.on("error", reject);
      child.on("exit", (code, signal) => resolve({ code, signal, stderr }));
    },
  );
  return { child, out: () => out, loaded, exited };
}

/**
 * Starts a warm child on `dir` at step `first` and kills it `delay` ms after it is ready (has
 * opened the directory), or after it was given its directory when `whileOpening`.
 */
async function runAndKill(
  w: WarmChild,
  dir: string,
  first: number,
  delay: number,
  whileOpening: boolean,
): Promise<ChildRun> {
  await w.loaded;
  const kill = () => w.child.kill("SIGKILL");
  const guard = setTimeout(kill, 20_000);
  let timer: NodeJS.Timeout | undefined;
  if (whileOpening) timer = setTimeout(kill, delay);
  else
    w.child.stdout?.on("data", () => {
      if (timer === undefined && w.out().includes("ready ")) timer = setTimeout(kill, delay);
    });
  w.child.stdin?.end(`${dir} ${first}\n`);
  const { code, signal, stderr } = await w.exited;
  clearTimeout(timer);
  clearTimeout(guard);
  if (signal !== "SIGKILL") throw new Error(`the child exited by itself (code ${code}): ${stderr.trim()}`);
  const acks = [...w.out().matchAll(/^ack (\d+)$/gm)].map((m) => Number(m[1]));
  return { acked: acks.length > 0 ? Math.max(...acks) + 1 : first, ready: w.out().includes("ready ") };
}

describe("SIGKILL at random moments", () => {
  test(`${KILLS} kills of a committing agent: every reopen verifies and holds every acknowledged operation`, async (t) => {
    const bundle = await bundleTestChild(t, join(import.meta.dirname, "kill-child.test-support.ts"));
    const dir = scratchDir(t, "state", true);
    const reference = new Node({ machine, config });
    const states = [nodeState(reference)];
    const stateAt = (j: number) => {
      while (states.length <= j) {
        applyStep(reference, killStep(states.length - 1, reference));
        states.push(nodeState(reference));
      }
      return states[j];
    };
    // Random but reproducible moments.
    let seed = 20260101;
    const rand = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    let step = 0;
    let inFlight = 0;
    let rolledForward = 0;
    let killedOpening = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      const current = spawnChild(bundle);
      t.after(() => current.child.kill("SIGKILL"));
      const early = kill % 6 === 5;
      const run = await runAndKill(current, dir, step, rand() * (early ? 150 : 200), early);
      if (!run.ready) killedOpening++;
      const sd = await openStateDir({ dir, machine, config });
      const state = nodeState(sd.node);
      const candidates = [run.acked + 1, run.acked];
      const at = candidates.find((j) => isDeepStrictEqual(state, stateAt(j)));
      assert.ok(
        at !== undefined,
        `kill ${kill}: after ${run.acked} acknowledged steps the directory holds no state of ${candidates.join(" or ")} steps`,
      );
      assert.deepEqual(filesIn(dir), state.files, `kill ${kill}`);
      assert.deepEqual(temporaryFilesIn(dir), [], `kill ${kill}`);
      if (at > run.acked && !isDeepStrictEqual(stateAt(at), stateAt(run.acked))) inFlight++;
      if (sd.warnings.some((w) => /finished an interrupted write/.test(w))) rolledForward++;
      await sd.close();
      step = at;
    }
    const summary = `${step} steps in all, ${inFlight} kills with the step in flight durable, ${rolledForward} roll-forwards, ${killedOpening} kills while opening`;
    t.diagnostic(summary);
    assert.ok(step >= KILLS, summary);
  });
});
