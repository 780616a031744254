import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { memoryLog } from "../../agent/log.js";
import { CPU_CHECKPOINT_FILE } from "../../checkpoint/index.js";
import type { KubernetesVersion } from "../../k8s/index.js";
import { DRIFT_METRIC, DRIFT_REASON, openKubeletShadow } from "./index.js";
import {
  dgx,
  FakeEventSink,
  FakeNodePods,
  GPU,
  kubeletRoot,
  runPods,
  shadowConfig,
  shadowPods,
  withMovedCPUs,
  withMovedMemory,
  withSwappedDevice,
} from "./shadow.test-support.js";

function setup(t: import("node:test").TestContext, version: KubernetesVersion) {
  const machine = dgx();
  const config = shadowConfig(version);
  const objects = shadowPods();
  const root = kubeletRoot(t, runPods(machine, config, objects));
  const pods = new FakeNodePods(objects);
  const events = new FakeEventSink();
  const log = memoryLog();
  const shadow = openKubeletShadow({ rootDir: root.dir, machine, config, pods, events, log });
  return { machine, config, root, pods, events, log, shadow };
}

/** "pod/container resource" for every drifting container of the last check. */
function drifting(shadow: ReturnType<typeof openKubeletShadow>): string[] {
  return shadow
    .lastDrift()
    .flatMap((p) => p.containers.map((c) => `${p.pod.name}/${c.container || "(pod)"} ${c.resource}`))
    .sort();
}

for (const version of ["1.36", "1.37"] as const) {
  describe(`shadow mode on the kubelet's ${version} checkpoints`, () => {
    test("checkpoints podpin wrote itself: every pinned pod checked, none drifts", (t) => {
      const { shadow, events, log } = setup(t, version);
      assert.deepEqual(
        shadow.lastDrift().map((p) => p.pod.name),
        ["classic", "pod-level", "trainer", "last"],
        "the BestEffort pod holds no state: nothing to compare",
      );
      assert.deepEqual(drifting(shadow), []);
      assert.deepEqual(shadow.reporter.drifting, { cpu: 0, memory: 0, devices: 0 });
      assert.deepEqual(events.events, []);
      assert.equal(log.lines.filter((l) => l.includes("drift")).length, 0, log.lines.join("\n"));
      const node = shadow.state.node;
      assert.deepEqual(
        node.admittedPods().map((p) => p.name),
        ["web", "classic", "pod-level", "trainer", "last"],
      );
    });

    test("hand-edited copies: drift exactly where edited, once per distinct drift, cleared when fixed", async (t) => {
      const { machine, root, shadow, events, log } = setup(t, version);
      let edited = withMovedCPUs(machine, root.states, "uid-last", "app");
      edited = withMovedMemory(edited, "uid-classic", "app");
      edited = withSwappedDevice(machine, edited, "uid-trainer", "train", GPU);
      root.write(edited);
      await shadow.refresh();
      assert.deepEqual(drifting(shadow), ["classic/app memory", "last/app cpu", "trainer/train devices"]);
      assert.deepEqual(shadow.reporter.drifting, { cpu: 1, memory: 1, devices: 1 });
      assert.match(shadow.reporter.metricsText(), new RegExp(`^${DRIFT_METRIC}\\{resource="cpu"\\} 1$`, "m"));
      assert.match(shadow.reporter.metricsText(), /^# HELP podpin_kubelet_decision_drift Containers/m);

      assert.deepEqual(
        events.events.map((e) => [e.involved.name, e.type, e.reason]),
        [
          ["classic", "Normal", DRIFT_REASON],
          ["trainer", "Normal", DRIFT_REASON],
          ["last", "Normal", DRIFT_REASON],
        ],
      );
      const last = events.events[2].message;
      assert.match(last, /^container app cpu: kubelet: cpus [\d,-]+, NUMA 1; podpin: cpus [\d,-]+, NUMA 0$/);
      assert.match(events.events[0].message, /kubelet: memory 4Gi, NUMA 1; podpin: memory 4Gi, NUMA 0/);
      assert.match(
        events.events[1].message,
        /kubelet: nvidia\.com\/gpu GPU-.* \(NUMA 0\); podpin: nvidia\.com\/gpu GPU-/,
      );
      assert.equal(log.lines.filter((l) => l.includes('msg="kubelet decision drift"')).length, 3);

      // Re-reading the same drift reports nothing new; the files untouched are not even re-parsed.
      root.write(edited);
      await shadow.refresh();
      assert.equal(events.events.length, 3);
      assert.equal(log.lines.filter((l) => l.includes('msg="kubelet decision drift"')).length, 3);

      root.write(root.states);
      await shadow.refresh();
      assert.deepEqual(drifting(shadow), []);
      assert.deepEqual(shadow.reporter.drifting, { cpu: 0, memory: 0, devices: 0 });
      assert.equal(log.lines.filter((l) => l.includes("drift cleared")).length, 3);

      // The same drift again after it cleared is news again.
      root.write(withMovedCPUs(machine, root.states, "uid-last", "app"));
      await shadow.refresh();
      assert.deepEqual(drifting(shadow), ["last/app cpu"]);
      assert.equal(events.events.length, 4);
    });

    test("a torn checkpoint keeps the last good truth, logged once, until it verifies again", async (t) => {
      const { machine, root, shadow, log } = setup(t, version);
      const before = shadow.state.node.defaultCpuSet().toString();
      const path = join(root.dir, CPU_CHECKPOINT_FILE);
      writeFileSync(path, '{"policyName":"static","defaultCpuSet":"0-3');
      await shadow.refresh();
      await shadow.refresh();
      assert.equal(shadow.state.node.defaultCpuSet().toString(), before);
      assert.deepEqual(drifting(shadow), []);
      assert.equal(
        log.lines.filter((l) => l.includes("keeping its last good state")).length,
        1,
        log.lines.join("\n"),
      );

      // A checksum that does not match (a half-applied edit) is the same: not the truth.
      const good = root.states;
      root.write(withMovedCPUs(machine, good, "uid-last", "app"));
      const valid = readFileSync(path, "utf8");
      // 1.37 verifies the data checksum (its top-level checksum is 0 and ignored); 1.36 the one checksum.
      const field = version === "1.37" ? "dataChecksum" : "checksum";
      const text = valid.replace(new RegExp(`"${field}":\\d+`), `"${field}":1`);
      assert.notEqual(text, valid);
      writeFileSync(path, text);
      await shadow.refresh();
      assert.equal(shadow.state.node.defaultCpuSet().toString(), before);
      assert.deepEqual(drifting(shadow), []);

      root.write(good);
      await shadow.refresh();
      assert.equal(log.lines.filter((l) => l.includes("checkpoint read again")).length, 1);
      assert.equal(shadow.state.node.defaultCpuSet().toString(), before);
    });
  });
}

test("pods the source does not know stay known by UID only, and are not checked", (t) => {
  const machine = dgx();
  const config = shadowConfig("1.37");
  const objects = shadowPods();
  const root = kubeletRoot(t, runPods(machine, config, objects));
  const pods = new FakeNodePods(objects.filter((o) => o.metadata.name !== "trainer"));
  const shadow = openKubeletShadow({ rootDir: root.dir, machine, config, pods });
  assert.deepEqual(
    shadow.lastDrift().map((p) => p.pod.name),
    ["classic", "pod-level", "last"],
  );
  assert.deepEqual(drifting(shadow), []);
  const trainer = shadow.state.node.pod("uid-trainer");
  assert.equal(trainer?.name, "uid uid-trainer");
  assert.equal(shadow.state.podObjects.has("uid-trainer"), false);
});

test("a kubelet state that does not start on the machine given is a one-line setup error", (t) => {
  const machine = dgx();
  const config = shadowConfig("1.37");
  const root = kubeletRoot(t, runPods(machine, config, shadowPods()));
  const other = shadowConfig("1.37");
  other.numReservedCPUs = 4;
  assert.throws(
    () => openKubeletShadow({ rootDir: root.dir, machine, config: other, pods: new FakeNodePods([]) }),
    (err: Error) =>
      err.name === "AgentSetupError" &&
      !err.message.includes("\n") &&
      err.message.includes("--kubelet-root-dir"),
  );
});
