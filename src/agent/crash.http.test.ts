/**
 * Real crashes of the whole agent: a child process serves the HTTP API on a durable state
 * directory while the test sends it a burst of concurrent admissions and removals, and is
 * SIGKILLed at a random moment of the burst. After every kill the directory verifies, the next
 * agent starts on it, and it holds every admission the client saw acknowledged (and not
 * acknowledged as removed) with the same CPUs, memory blocks and devices, and no pod whose removal
 * or rejection was acknowledged. A request still in flight at the kill may have happened or not.
 *
 * The moments and the operations come from a seed (PODPIN_CRASH_SEED replays one); a failure
 * names it. Timing still varies from run to run, so a replay is likely, not certain, to hit the
 * same interleaving.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { bundleTestChild } from "./bundle-child.test-support.js";
import { seededRandom } from "../core/index.js";
import { call, json, type Target } from "./server/agent.test-support.js";
import { verifyStateDir } from "./state/index.js";
import { agentConfig, agentMachine, scratchDir, simplePodObject } from "./state/state.test-support.js";

const KILLS = 50;
const SEED = Number(process.env.PODPIN_CRASH_SEED ?? 20260214);
/** Requests the client keeps in flight during a burst. */
const CONCURRENCY = 4;
/** The kill comes this long (at most) after the burst starts. */
const MAX_KILL_DELAY_MS = 250;

const machine = agentMachine();
const config = agentConfig();

/** What an admission holds, as the admit answer and the pod list both show it. */
interface Holding {
  bubble: string | null;
  podSharedPool: string | null;
  podMemory: unknown;
  containers: { name: string; cpus: string; memory: unknown; devices: unknown }[];
}

interface HoldingDoc {
  bubble: string | null;
  podSharedPool: string | null;
  podMemory: unknown;
  containers: { name: string; cpus: string; nodeSharedPool: boolean; memory: unknown; devices: unknown }[];
}

function holdingOf(doc: HoldingDoc): Holding {
  return {
    bubble: doc.bubble,
    podSharedPool: doc.podSharedPool,
    podMemory: doc.podMemory,
    // The node shared pool changes with every admission; only exclusive CPUs belong to the pod.
    containers: doc.containers.map((c) => ({
      name: c.name,
      cpus: c.nodeSharedPool ? "node shared pool" : c.cpus,
      memory: c.memory,
      devices: c.devices,
    })),
  };
}

interface AgentChild {
  child: ChildProcess;
  out: () => string;
  stderr: () => string;
  loaded: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function spawnAgent(bundle: string, t: { after(fn: () => void): void }): AgentChild {
  const child = spawn(process.execPath, [bundle], { stdio: ["pipe", "pipe", "pipe"] });
  t.after(() => child.kill("SIGKILL"));
  let out = "";
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    stderr = (stderr + d).slice(-4000);
  });
  const loaded = new Promise<void>((resolve) => {
    child.stdout?.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      if (out.startsWith("loaded\n")) resolve();
    });
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code, signal) => resolve({ code, signal }));
  });
  return { child, out: () => out, stderr: () => stderr, loaded, exited };
}

/** Tells a loaded child its directory and waits until its agent serves; its warnings. */
async function openAgent(a: AgentChild, dir: string, socket: string): Promise<string[]> {
  await a.loaded;
  const ready = new Promise<string[]>((resolve) => {
    const check = () => {
      const m = /^ready (.*)$/m.exec(a.out());
      if (m) resolve(JSON.parse(m[1]) as string[]);
    };
    a.child.stdout?.on("data", check);
    check();
  });
  a.child.stdin?.write(`${JSON.stringify({ dir, socket })}\n`);
  const outcome = await Promise.race([
    ready,
    a.exited.then(
      (e) => new Error(`the agent did not start (code ${e.code}, signal ${e.signal}): ${a.stderr().trim()}`),
    ),
  ]);
  if (outcome instanceof Error) throw outcome;
  return outcome;
}

/** What the client knows after a burst. */
interface Knowledge {
  /** Pods the node must hold, with what they hold. */
  held: Map<string, Holding>;
  /** Pods whose removal was in flight at the kill: if still there, they hold the same. */
  removing: Set<string>;
  /** Pods whose admission was in flight at the kill. */
  admitting: Set<string>;
  /** Pods that must not be there: removal or rejection acknowledged (uids are never reused). */
  gone: Set<string>;
  counts: {
    admitted: number;
    rejected: number;
    removed: number;
    inFlight: number;
    /** In-flight admissions found held, and in-flight removals found done, after the restart. */
    inFlightDone: number;
  };
}

/**
 * Keeps `CONCURRENCY` requests in flight (admissions of new pods, removals of held ones) until the
 * agent stops answering; records every answer into `k`.
 */
async function burst(target: Target, k: Knowledge, rand: () => number, nextUID: () => string): Promise<void> {
  const busy = new Set<string>();
  let dead = false;
  const problems: string[] = [];
  const worker = async () => {
    while (!dead) {
      const idle = [...k.held.keys()].filter((u) => !busy.has(u));
      const removeBelow = idle.length === 0 ? 0 : idle.length < 6 ? 0.3 : 0.6;
      if (rand() < removeBelow) {
        const uid = idle[Math.floor(rand() * idle.length)];
        busy.add(uid);
        const answer = await call(target, "DELETE", `/v1/pods/${uid}`).catch(() => null);
        busy.delete(uid);
        if (answer === null) {
          dead = true;
          k.removing.add(uid);
          k.counts.inFlight++;
        } else if (answer.status === 200) {
          k.held.delete(uid);
          k.gone.add(uid);
          k.counts.removed++;
        } else problems.push(`DELETE ${uid}: ${answer.status} ${answer.body.slice(0, 200)}`);
        continue;
      }
      const uid = nextUID();
      const pod = simplePodObject(uid, {
        cpu: String(1 + Math.floor(rand() * 3)),
        containers: 1 + Math.floor(rand() * 2),
        gpus: rand() < 0.35 ? 1 : 0,
        podLevel: rand() < 0.5,
      });
      const body = JSON.stringify(pod);
      const answer = await call(target, "POST", "/v1/pods", { body, contentType: "application/json" }).catch(
        () => null,
      );
      if (answer === null) {
        dead = true;
        k.admitting.add(uid);
        k.counts.inFlight++;
      } else if (answer.status !== 200)
        problems.push(`POST ${uid}: ${answer.status} ${answer.body.slice(0, 200)}`);
      else {
        const doc = json<HoldingDoc & { admitted: boolean }>(answer);
        if (doc.admitted) {
          k.held.set(uid, holdingOf(doc));
          k.counts.admitted++;
        } else {
          k.gone.add(uid);
          k.counts.rejected++;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  assert.deepEqual(problems, [], "every request the agent answered before the kill was answered 200");
}

/** Checks what the restarted agent holds against what the client knows, then learns it. */
function checkAndLearn(listed: Map<string, Holding>, k: Knowledge): void {
  for (const [uid, holding] of k.held) {
    const now = listed.get(uid);
    if (k.removing.has(uid) && now === undefined) continue;
    assert.ok(now, `${uid}: its admission was acknowledged, but the restarted agent does not hold it`);
    assert.deepEqual(now, holding, `${uid}: the restarted agent holds other resources than it acknowledged`);
  }
  for (const uid of listed.keys()) {
    assert.ok(
      !k.gone.has(uid),
      `${uid}: its removal or rejection was acknowledged, but the restarted agent holds it`,
    );
    assert.ok(k.held.has(uid) || k.admitting.has(uid), `${uid}: held, but never sent`);
  }
  for (const uid of k.admitting) if (listed.has(uid)) k.counts.inFlightDone++;
  for (const uid of k.removing) if (!listed.has(uid)) k.counts.inFlightDone++;
  for (const uid of [...k.removing, ...k.admitting]) if (!listed.has(uid)) k.gone.add(uid);
  k.held = new Map(listed);
  k.removing.clear();
  k.admitting.clear();
}

test(`${KILLS} SIGKILLs during bursts of admissions and removals over HTTP: every restart verifies and holds every acknowledged admission`, async (t) => {
  const started = Date.now();
  const bundle = await bundleTestChild(t, join(import.meta.dirname, "crash-http-child.test-support.ts"));
  const dir = scratchDir(t, "state", true);
  const socketDir = mkdtempSync(join(tmpdir(), "podpin-crash-http-"));
  t.after(() => rmSync(socketDir, { recursive: true, force: true }));
  const socket = join(socketDir, "agent.sock");
  const target: Target = { socketPath: socket };
  const rand = seededRandom(SEED);
  let serial = 0;
  const k: Knowledge = {
    held: new Map(),
    removing: new Set(),
    admitting: new Set(),
    gone: new Set(),
    counts: { admitted: 0, rejected: 0, removed: 0, inFlight: 0, inFlightDone: 0 },
  };
  let rolledForward = 0;
  let kill = 0;
  let next = spawnAgent(bundle, t);
  try {
    for (; kill <= KILLS; kill++) {
      const current = next;
      const warnings = await openAgent(current, dir, socket);
      if (warnings.some((w) => /interrupted write/.test(w))) rolledForward++;
      const list = json<{ items: (HoldingDoc & { pod: { uid: string } })[] }>(
        await call(target, "GET", "/v1/pods"),
      );
      checkAndLearn(new Map(list.items.map((p) => [p.pod.uid, holdingOf(p)])), k);
      if (kill === KILLS) break;

      const delay = rand() * MAX_KILL_DELAY_MS;
      const timer = setTimeout(() => {
        current.child.kill("SIGKILL");
        // The next agent loads while this one's burst ends and its directory is checked.
        next = spawnAgent(bundle, t);
      }, delay);
      try {
        await burst(target, k, rand, () => `p-${serial++}`);
      } finally {
        // Failing before the kill: t.after kills the agent; no spare may start after the test.
        clearTimeout(timer);
      }
      const end = await current.exited;
      assert.equal(
        end.signal,
        "SIGKILL",
        `the agent stopped by itself (code ${end.code}): ${current.stderr().trim()}`,
      );

      const v = await verifyStateDir(dir, { config, version: config.kubernetesVersion, machine });
      const problems = v.files.flatMap((f) => f.problems.map((p) => `${f.file}: ${p}`));
      assert.deepEqual(problems, [], "the state directory verifies after the kill");
    }
  } catch (err) {
    throw new Error(
      `seed ${SEED} (PODPIN_CRASH_SEED=${SEED} replays it), kill ${kill}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  const c = k.counts;
  const summary = `${KILLS} kills in ${((Date.now() - started) / 1000).toFixed(1)} s: ${c.admitted} admissions, ${c.rejected} rejections, ${c.removed} removals acknowledged, ${c.inFlight} requests in flight at a kill (${c.inFlightDone} of them durable), ${rolledForward} roll-forwards, ${k.held.size} pods held at the end`;
  t.diagnostic(summary);
  assert.ok(c.admitted >= KILLS && c.removed >= KILLS / 2, `the bursts did too little: ${summary}`);
});
