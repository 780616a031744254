/**
 * The operation sequence of the SIGKILL test: step `i` is a function of `i` and the node's state
 * only, so the killed child, its successors and the test's reference node all apply the same
 * operations in the same order.
 */
import type { Node } from "../../node/index.js";
import { GPU, simplePodObject, type TestStep } from "./state.test-support.js";

/** A small deterministic hash of the step index into [0, 1). */
function random(i: number, salt: number): number {
  let x = Math.imul(i + 1, 0x9e3779b1) ^ Math.imul(salt + 1, 0x85ebca6b);
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return (x >>> 0) / 2 ** 32;
}

export function killStep(i: number, node: Node): TestStep {
  const pods = node.admittedPods().length;
  const r = random(i, 0);
  const admitBelow = pods < 6 ? 0.7 : 0.35;
  if (r < admitBelow)
    return {
      op: "admit",
      object: simplePodObject(`pod-${i}`, {
        cpu: String(1 + Math.floor(random(i, 1) * 3)),
        containers: 1 + Math.floor(random(i, 2) * 2),
        gpus: random(i, 3) < 0.3 ? 1 : 0,
        podLevel: random(i, 4) < 0.4,
      }),
    };
  const pick = Math.floor(random(i, 5) * 8);
  if (r < 0.8) return { op: "remove", pick };
  if (r < 0.9) return { op: "removeContainer", pick, container: Math.floor(random(i, 6) * 2) };
  const devices = node.deviceResources().get(GPU)?.devices ?? [];
  const flip = Math.floor(random(i, 7) * Math.max(1, devices.length));
  return {
    op: "updateDevices",
    resource: GPU,
    devices: devices.map((d, k) => ({ ...d, healthy: k === flip ? !d.healthy : d.healthy })),
  };
}
