import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { loadMachine } from "../machine/index.js";
import { enforcementAddOn } from "./add-ons.js";
import { type ContainerdHarness, cpusAllowed, startContainerd } from "./enforce/containerd.test-support.js";
import { eventually, harnessEnforcement, reservedCPUConfig } from "./enforce/containerd-node.test-support.js";
import { memoryLog } from "./log.js";
import { call, json, startTestAgent } from "./server/agent.test-support.js";

/*
 * The whole path with a real runtime: pods admitted through the agent's HTTP API, their containers
 * created by a private containerd as a kubelet would create them, and the agent's enforcement
 * (`--enforce`) moving them onto the CPUs the engine decided, on this machine's real CPUs
 * (CPU 0 reserved, CPU 1 for exclusive use).
 */

let h: ContainerdHarness;

before(async () => {
  h = await startContainerd();
});

after(async () => {
  await h?.cleanup();
});

function guaranteed(name: string, uid: string): string {
  return `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: default, uid: ${uid}}
spec:
  containers:
    - name: app
      image: busybox
      resources: {requests: {cpu: "1", memory: 64Mi}, limits: {cpu: "1", memory: 64Mi}}
`;
}

const SHARED = `apiVersion: v1
kind: Pod
metadata: {name: shared, namespace: default, uid: 7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e01}
spec:
  containers:
    - name: app
      image: busybox
      resources: {requests: {memory: 32Mi}}
`;

const AGENT_LOG = { logName: "agent log", timeoutMs: 10_000 };

test("--enforce: pods admitted over HTTP get their CPUs on real containers, and give them back", {
  timeout: 90_000,
}, async (t) => {
  const log = memoryLog();
  const { unix, log: agentLog } = await startTestAgent(t, {
    machine: loadMachine("this"),
    config: reservedCPUConfig(),
    addOns: [enforcementAddOn(harnessEnforcement(h, log))],
  });
  const lines = () => [...agentLog.lines, ...log.lines];

  const shared = await call(unix, "POST", "/v1/pods", { body: SHARED });
  assert.equal(json<{ admitted: boolean }>(shared).admitted, true, shared.body);
  const sharedSandbox = await h.createPodSandbox({
    uid: "7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e01",
    name: "shared",
    qos: "Burstable",
  });
  const sharedCtr = await h.createContainer(sharedSandbox, { name: "app", resources: { cpu_shares: 2 } });
  await eventually(
    "the shared container on the whole shared pool",
    async () => (await cpusAllowed(sharedCtr.pid)) === "0-1",
    lines(),
    AGENT_LOG,
  );

  const uid = "7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e02";
  const admitted = json<{ admitted: boolean; containers: { cpus: string }[] }>(
    await call(unix, "POST", "/v1/pods", { body: guaranteed("exclusive", uid) }),
  );
  assert.equal(admitted.admitted, true);
  assert.equal(admitted.containers[0].cpus, "1");
  const sandbox = await h.createPodSandbox({ uid, name: "exclusive", qos: "Guaranteed" });
  const ctr = await h.createContainer(sandbox, {
    name: "app",
    resources: {
      cpu_period: 100_000,
      cpu_quota: 100_000,
      cpu_shares: 1024,
      memory_limit_in_bytes: 64 * 2 ** 20,
    },
  });
  await eventually(
    "the exclusive container on CPU 1, the shared one off it",
    async () => (await cpusAllowed(ctr.pid)) === "1" && (await cpusAllowed(sharedCtr.pid)) === "0",
    lines(),
    AGENT_LOG,
  );

  assert.equal((await call(unix, "DELETE", `/v1/pods/${uid}`)).status, 200);
  await h.removePodSandbox(sandbox);
  await eventually(
    "CPU 1 back in the shared pool",
    async () => (await cpusAllowed(sharedCtr.pid)) === "0-1",
    lines(),
    AGENT_LOG,
  );
  assert.ok(
    lines().some((l) => /msg="set container" pod=default\/exclusive container=app .*cpuset_cpus=1/.test(l)),
    lines().join("\n"),
  );
  await h.removePodSandbox(sharedSandbox);
});
