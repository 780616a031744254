import assert from "node:assert/strict";
import { test } from "node:test";
import { presetMachine } from "../../machine/index.js";
import { Node } from "../../node/index.js";
import { workedExampleConfig } from "../../node/test-support.js";
import { admitStepDoc, toJSONText } from "../../report/index.js";
import { podFromRequest } from "../pod-request.js";
import { call, cpuSet, guaranteedPod, json, startTestAgent } from "./agent.test-support.js";

const GPU = "nvidia.com/gpu";

/**
 * 1,000 pods for a DGX H100 (224 CPUs, 2 reserved; 8 GPUs): 600 want one exclusive CPU, 300 only
 * memory (Burstable, in the shared pool), 100 an exclusive CPU and a GPU. About 500 fit: CPUs (node
 * allocatable) and GPUs run out, so the order of arrival decides which pods get in.
 */
function workload(): string[] {
  return Array.from({ length: 1000 }, (_, i) => {
    const name = `p${String(i).padStart(4, "0")}`;
    if (i % 10 < 6) return guaranteedPod(name, "1", "1Gi");
    if (i % 10 < 9)
      return guaranteedPod(name, "1", "1Gi").replace(
        /resources: .*/,
        'resources: {requests: {memory: "64Mi"}, limits: {memory: "128Mi"}}',
      );
    return guaranteedPod(name, "1", "1Gi", { [GPU]: "1" });
  });
}

interface Decision {
  pod: { uid: string };
  admitted: boolean;
  containers:
    | { cpus: string; nodeSharedPool: boolean; devices: { resource: string; devices: { id: string }[] }[] }[]
    | null;
}

test("1,000 concurrent admissions decide exactly as a serial run in arrival order, nothing handed out twice", async (t) => {
  const machine = presetMachine("nvidia-dgx-h100");
  assert.ok(machine);
  const config = workedExampleConfig("container", { maxPods: 1100 });
  const { unix, state } = await startTestAgent(t, { machine, config });
  const pods = workload();

  const started = performance.now();
  const answers = await Promise.all(pods.map((body) => call(unix, "POST", "/v1/pods", { body })));
  const seconds = (performance.now() - started) / 1000;
  t.diagnostic(`1000 concurrent admissions answered in ${seconds.toFixed(1)} s`);
  for (const a of answers) assert.equal(a.status, 200, a.body);
  const byUid = new Map(answers.map((a) => json<Decision>(a)).map((d) => [d.pod.uid, d]));
  assert.equal(byUid.size, 1000);

  // The order the engine ran them in is the order they were committed.
  const order = state.ops.map((op) => (op.kind === "admit" ? op.podUID : `unexpected ${op.kind}`));
  assert.equal(order.length, 1000);
  assert.equal(new Set(order).size, 1000);

  const serial = new Node({ machine, config });
  const textByUid = new Map(pods.map((p) => [podFromRequest(p).pod.uid, p]));
  for (const uid of order) {
    const expected = JSON.parse(
      toJSONText(admitStepDoc(serial.admit(podFromRequest(textByUid.get(uid)!).pod))),
    );
    assert.deepEqual(
      byUid.get(uid),
      expected,
      `pod ${uid}: the concurrent answer differs from the serial run`,
    );
  }

  const admitted = [...byUid.values()].filter((d) => d.admitted);
  t.diagnostic(`${admitted.length} of 1000 admitted`);
  assert.ok(admitted.length > 400 && admitted.length < 600, `about 500 fit, ${admitted.length} did`);
  assert.ok(
    admitted.length < 1000 && admitted.some((d) => d.containers?.[0].devices.length),
    "GPUs were given",
  );

  // No exclusive CPU and no device is held twice, in the answers and in the live state.
  const live = json<{ items: Decision[] }>(await call(unix, "GET", "/v1/pods")).items;
  assert.equal(live.length, admitted.length);
  for (const source of [admitted, live]) {
    const cpuOwners = new Map<number, string>();
    const deviceOwners = new Map<string, string>();
    for (const d of source)
      for (const c of d.containers ?? []) {
        if (!c.nodeSharedPool)
          for (const cpu of cpuSet(c.cpus).toArray()) {
            assert.equal(
              cpuOwners.get(cpu),
              undefined,
              `CPU ${cpu} given to ${cpuOwners.get(cpu)} and ${d.pod.uid}`,
            );
            cpuOwners.set(cpu, d.pod.uid);
          }
        for (const r of c.devices)
          for (const dev of r.devices) {
            const key = `${r.resource}/${dev.id}`;
            assert.equal(deviceOwners.get(key), undefined, `${key} given twice`);
            deviceOwners.set(key, d.pod.uid);
          }
      }
    assert.equal(
      [...deviceOwners.keys()].filter((k) => k.startsWith(GPU)).length,
      8,
      "all 8 GPUs, once each",
    );
  }
});
