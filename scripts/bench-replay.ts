import { performance } from "node:perf_hooks";
import { seededRandom } from "../src/core/index.js";
import type { Pod } from "../src/k8s/index.js";
import { presetMachine } from "../src/machine/index.js";
import { Node } from "../src/node/index.js";
import { testPod, workedExampleConfig } from "../src/node/test-support.js";
import { atLeast, type BenchOptions, REPLAY_EVENTS_PER_SECOND_TARGET, type Target } from "./bench-targets.js";

/**
 * An admit/remove replay on the 8-NUMA, 512-CPU preset (best-effort, container scope, every
 * manager on): a seeded random mix of pod shapes, admitted and removed so that a few hundred stay
 * live. The pods are built before the clock starts; the figure is events per second of `admit` and
 * `remove` alone, rejections included.
 */

export interface ReplayRow {
  machine: string;
  policy: string;
  events: number;
  admits: number;
  rejected: number;
  removes: number;
  /** Live pods at the end, and the most at any time. */
  liveAtEnd: number;
  maxLive: number;
  seconds: number;
  eventsPerSecond: number;
  /** eventsPerSecond / the 20,000 events/s target. */
  vsTarget: number;
  target: Target;
}

const MACHINE = "synthetic-8n-512c";
const SEED = 0x5eed;
const LIVE_LOW = 200;
const LIVE_HIGH = 400;

/** One of five shapes: shared-pool, 1–4 exclusive CPUs, two exclusive containers, a pod-level budget. */
function podShape(uid: string, draw: () => number): Pod {
  const r = draw();
  if (r < 0.4)
    return testPod(uid, {
      containers: [{ name: "app", cpu: `${50 + Math.floor(draw() * 200)}m`, memory: "128Mi" }],
    });
  if (r < 0.7) {
    const cpus = [1, 2, 4][Math.floor(draw() * 3)];
    return testPod(uid, { containers: [{ name: "app", cpu: String(cpus), memory: `${256 * cpus}Mi` }] });
  }
  if (r < 0.85)
    return testPod(uid, {
      containers: [
        { name: "app", cpu: "2", memory: "512Mi" },
        { name: "proxy", cpu: "1", memory: "128Mi" },
      ],
    });
  return testPod(uid, {
    budget: { cpu: "4", memory: "1Gi" },
    init: [{ name: "sidecar", sidecar: true }],
    containers: [{ name: "app", cpu: "3", memory: "768Mi" }],
  });
}

type ReplayEvent = { admit: Pod } | { removeIndex: number };

/** The event list, drawn ahead so that building pods is not timed. */
function replayEvents(events: number): ReplayEvent[] {
  const draw = seededRandom(SEED);
  const out: ReplayEvent[] = [];
  let live = 0;
  for (let i = 0; i < events; i++) {
    const admit = live < LIVE_LOW || (live < LIVE_HIGH && draw() < 0.5);
    if (admit) {
      out.push({ admit: podShape(`r${i}`, draw) });
      live++;
    } else {
      out.push({ removeIndex: Math.floor(draw() * live) });
      live--;
    }
  }
  return out;
}

export function benchReplay(opts: BenchOptions): ReplayRow {
  const events = opts.quick ? 5000 : 100_000;
  const machine = presetMachine(MACHINE);
  if (!machine) throw new Error(`no preset ${MACHINE}`);
  const config = workedExampleConfig("container", {
    topologyManagerPolicy: "best-effort",
    maxPods: LIVE_HIGH + 10,
  });
  const list = replayEvents(events);
  // The same replay's first events on a node of its own, so that the JIT has settled.
  run(new Node({ machine, config }), list.slice(0, Math.min(5000, events)));
  const t0 = performance.now();
  const stats = run(new Node({ machine, config }), list);
  const seconds = (performance.now() - t0) / 1000;
  const eventsPerSecond = events / seconds;
  return {
    machine: MACHINE,
    policy: "best-effort, container scope",
    events,
    ...stats,
    seconds,
    eventsPerSecond,
    vsTarget: eventsPerSecond / REPLAY_EVENTS_PER_SECOND_TARGET,
    target: atLeast(eventsPerSecond, REPLAY_EVENTS_PER_SECOND_TARGET, " ev/s"),
  };
}

/**
 * Plays the events. The draws assumed every admission succeeds; a rejected pod is not live, so
 * a removal index past the live pods wraps round (the count of removals stays the draw's).
 */
function run(node: Node, list: readonly ReplayEvent[]) {
  const live: string[] = [];
  let admits = 0;
  let rejected = 0;
  let removes = 0;
  let maxLive = 0;
  for (const e of list) {
    if ("admit" in e) {
      admits++;
      if (node.admit(e.admit).admitted) live.push(e.admit.uid);
      else {
        rejected++;
        node.remove(e.admit.uid);
      }
      if (live.length > maxLive) maxLive = live.length;
    } else {
      removes++;
      if (live.length === 0) continue;
      const i = e.removeIndex % live.length;
      node.remove(live[i]);
      live[i] = live[live.length - 1];
      live.pop();
    }
  }
  return { admits, rejected, removes, liveAtEnd: live.length, maxLive };
}
