/**
 * Round trip, as a property over random operation sequences (the engine's own setup and pod
 * generators, with GPUs): an agent that commits every operation and restarts at random points
 * (close, reopen) holds, after every step, exactly the state of a node that never restarted:
 * the same checkpoint bytes (on disk too), pods (objects and parsed pods), device lists and
 * in-use sets, and it goes on deciding as that node does. Where the kubelet itself would refuse
 * to restart on that state, opening refuses with the start-up error.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { Node, NodeConfigError } from "../../node/index.js";
import {
  buildPod,
  machineOf,
  podArb,
  type PodShape,
  setupOf,
  setupParamsArb,
} from "../../node/fuzz-sequences.js";
import { Gi } from "../../node/test-support.js";
import { StateDirError } from "./errors.js";
import { openStateDir } from "./state-dir.js";
import {
  applyStep,
  filesIn,
  GPU,
  nodeState,
  podObject,
  restartRefusal,
  scratchDir,
  type TestStep,
  withGPUs,
} from "./state.test-support.js";
import type { OpenedStateDir } from "./types.js";

type Draw =
  | { op: "admit"; pod: PodShape; gpus: number }
  | { op: "remove"; pick: number }
  | { op: "removeContainer"; pick: number; container: number }
  | { op: "health"; device: number };

const drawArb: fc.Arbitrary<Draw> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant("admit" as const), pod: podArb, gpus: fc.nat(2) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("remove" as const), pick: fc.nat(7) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("removeContainer" as const),
      pick: fc.nat(7),
      container: fc.nat(4),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("health" as const), device: fc.nat(7) }) },
);

const runArb = fc.record({
  setup: setupParamsArb,
  gpusPerNode: fc.constantFrom(0, 1, 2),
  steps: fc.array(fc.record({ draw: drawArb, restart: fc.boolean() }), { minLength: 1, maxLength: 10 }),
});

/** The drawn step as the operation both nodes apply; null when it is nothing to apply. */
function stepOf(reference: Node, draw: Draw, i: number): TestStep | null {
  if (draw.op === "admit") {
    const pod = buildPod(`pod-${i}`, draw.pod);
    const gpus = reference.deviceResources().has(GPU) ? draw.gpus : 0;
    return pod ? { op: "admit", object: podObject(pod, gpus) } : null;
  }
  if (draw.op === "health") {
    const devices = reference.deviceResources().get(GPU)?.devices;
    if (!devices || devices.length === 0) return null;
    const k = draw.device % devices.length;
    return {
      op: "updateDevices",
      resource: GPU,
      devices: devices.map((d, j) => (j === k ? { ...d, healthy: !d.healthy } : { ...d })),
    };
  }
  return draw;
}

describe("state directory round trip", () => {
  test("random operations with random restarts keep the node exactly as if it never restarted", async (t) => {
    let restarts = 0;
    let refusedRestarts = 0;
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(runArb, async ({ setup: params, gpusPerNode, steps }) => {
        const setup = setupOf(params);
        const base = machineOf(setup.machine, BigInt(setup.memoryPerNodeGi) * Gi, setup.hugepagesPerNodeMi);
        const machine = gpusPerNode > 0 ? withGPUs(base, gpusPerNode) : base;
        const config = setup.config;
        let reference: Node;
        try {
          reference = new Node({ machine, config });
        } catch (err) {
          if (err instanceof NodeConfigError) return;
          throw err;
        }
        runs++;
        const dir = scratchDir(t, "state", true);
        let sd: OpenedStateDir = await openStateDir({ dir, machine, config, durable: false });
        const objects = new Map<string, unknown>();
        try {
          for (const [i, { draw, restart }] of steps.entries()) {
            const step = stepOf(reference, draw, i);
            if (step) {
              const expected = applyStep(reference, step);
              const op = applyStep(sd.node, step);
              assert.deepEqual(op, expected);
              if (op) await sd.commit(op);
              if (op?.kind === "admit") objects.set(op.podUID, op.pod);
            }
            assert.deepEqual(nodeState(sd.node), nodeState(reference), `step ${i}`);
            if (!restart) continue;
            await sd.close();
            const refusal = restartRefusal(reference);
            if (refusal !== null) {
              refusedRestarts++;
              await assert.rejects(openStateDir({ dir, machine, config, durable: false }), (err: unknown) => {
                assert.ok(err instanceof StateDirError && err.reason === "startup", String(err));
                assert.ok(err.message.startsWith(refusal), `${err.message}\nvs ${refusal}`);
                return true;
              });
              return;
            }
            restarts++;
            sd = await openStateDir({ dir, machine, config, durable: false });
            assert.deepEqual(sd.warnings, [], `restart after step ${i}`);
            const state = nodeState(sd.node);
            assert.deepEqual(state, nodeState(reference), `restart after step ${i}`);
            assert.deepEqual(filesIn(dir), state.files);
            assert.deepEqual(sd.node.admittedPods(), reference.admittedPods());
            assert.deepEqual(
              [...sd.podObjects],
              reference.admittedPods().map((p) => [p.uid, objects.get(p.uid)]),
            );
          }
        } finally {
          await sd.close();
        }
      }),
      { numRuns: 60 },
    );
    // The property must have exercised restarts on real state, not only trivial runs.
    assert.ok(runs >= 30, `${runs} runs`);
    assert.ok(restarts >= 60, `${restarts} restarts (${refusedRestarts} refused by the kubelet)`);
  });
});
