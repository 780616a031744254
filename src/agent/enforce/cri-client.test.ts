import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { type sendUnaryData, Server, type ServerUnaryCall, ServerCredentials, status } from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { CriClient, socketPathOf } from "./cri-client.js";
import { CRI_LOADER_OPTIONS, CRI_PROTO_FILE, criServices } from "./cri-proto.js";
import { CriError, EnforceConfigError } from "./errors.js";

interface FieldDescriptor {
  name: string;
  number: number;
  type: string;
  typeName: string;
}

test("the proto carries the upstream field numbers of the messages enforcement sends", () => {
  const definition = loadSync(CRI_PROTO_FILE, CRI_LOADER_OPTIONS);
  // A map field's entry type is synthesised, not a message of the package.
  const typeOf = (f: FieldDescriptor) =>
    f.typeName === ""
      ? f.type.replace("TYPE_", "").toLowerCase()
      : definition[`runtime.v1.${f.typeName}`]
        ? f.typeName
        : "map";
  const fields = (name: string) => {
    const message = definition[`runtime.v1.${name}`] as { type: { field: FieldDescriptor[] } };
    return Object.fromEntries(message.type.field.map((f) => [f.name, `${f.number} ${typeOf(f)}`]));
  };
  assert.deepEqual(fields("LinuxContainerResources"), {
    cpu_period: "1 int64",
    cpu_quota: "2 int64",
    cpu_shares: "3 int64",
    memory_limit_in_bytes: "4 int64",
    oom_score_adj: "5 int64",
    cpuset_cpus: "6 string",
    cpuset_mems: "7 string",
    hugepage_limits: "8 HugepageLimit",
    unified: "9 map",
    memory_swap_limit_in_bytes: "10 int64",
  });
  assert.deepEqual(fields("UpdateContainerResourcesRequest"), {
    container_id: "1 string",
    linux: "2 LinuxContainerResources",
    windows: "3 WindowsContainerResources",
    annotations: "4 map",
  });
  assert.deepEqual(fields("ContainerFilter"), {
    id: "1 string",
    state: "2 ContainerStateValue",
    pod_sandbox_id: "3 string",
    label_selector: "4 map",
  });
  const methods = Object.keys(criServices().runtime);
  for (const m of [
    "Version",
    "RunPodSandbox",
    "StopPodSandbox",
    "RemovePodSandbox",
    "CreateContainer",
    "StartContainer",
    "StopContainer",
    "RemoveContainer",
    "ListContainers",
    "ContainerStatus",
    "UpdateContainerResources",
  ])
    assert.ok(methods.includes(m), m);
  assert.equal(
    criServices().runtime.UpdateContainerResources.path,
    "/runtime.v1.RuntimeService/UpdateContainerResources",
  );
});

test("endpoints: unix:// with an absolute path only", () => {
  assert.equal(socketPathOf("unix:///run/containerd/containerd.sock"), "/run/containerd/containerd.sock");
  for (const bad of [
    "/run/containerd/containerd.sock",
    "unix://run.sock",
    "npipe:////./pipe/x",
    "unix:///a\0b",
    "",
  ])
    assert.throws(() => socketPathOf(bad), EnforceConfigError);
  assert.throws(
    () => new CriClient("unix:///x.sock", { timeoutMs: 0 }),
    /^EnforceConfigError: CRI timeout: /,
  );
});

interface Received {
  update: unknown[];
  list: unknown[];
}

async function fakeRuntime(t: { after(fn: () => void | Promise<void>): void }) {
  const dir = mkdtempSync(join(tmpdir(), "podpin-cri-"));
  const socket = join(dir, "cri.sock");
  const received: Received = { update: [], list: [] };
  const server = new Server();
  type Call = ServerUnaryCall<Record<string, unknown>, unknown>;
  server.addService(criServices().runtime, {
    Version: (_: Call, cb: sendUnaryData<unknown>) =>
      cb(null, {
        version: "0.1.0",
        runtime_name: "fake",
        runtime_version: "1.0.0",
        runtime_api_version: "v1",
      }),
    ListContainers: (call: Call, cb: sendUnaryData<unknown>) => {
      received.list.push(call.request);
      cb(null, {
        containers: [
          {
            id: "abc",
            pod_sandbox_id: "s1",
            metadata: { name: "app", attempt: 2 },
            state: "CONTAINER_RUNNING",
            created_at: "1767225600000000000",
            labels: { "io.kubernetes.pod.uid": "u1", "io.kubernetes.container.name": "app" },
          },
        ],
      });
    },
    UpdateContainerResources: (call: Call, cb: sendUnaryData<unknown>) => {
      received.update.push(call.request);
      if (call.request.container_id === "missing")
        cb({ code: status.NOT_FOUND, details: 'container "missing" not found\nin namespace k8s.io' });
      else cb(null, {});
    },
    ContainerStatus: () => {
      // Never answers: the client's deadline has to.
    },
  });
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`unix://${socket}`, ServerCredentials.createInsecure(), (err) =>
      err ? reject(err) : resolve(),
    ),
  );
  t.after(async () => {
    server.forceShutdown();
    rmSync(dir, { recursive: true, force: true });
  });
  return { endpoint: `unix://${socket}`, received };
}

test("calls reach the runtime with the proto's field names; int64 -1 and maps survive the wire", async (t) => {
  const { endpoint, received } = await fakeRuntime(t);
  const cri = new CriClient(endpoint, { timeoutMs: 2000 });
  t.after(() => cri.close());
  assert.equal((await cri.version()).runtime_name, "fake");
  const list = await cri.listContainers({ label_selector: { "io.kubernetes.pod.uid": "u1" } });
  assert.equal(list[0].labels["io.kubernetes.container.name"], "app");
  assert.equal(list[0].created_at, "1767225600000000000");
  assert.equal(list[0].metadata?.attempt, 2);
  assert.deepEqual((received.list[0] as { filter: { label_selector: unknown } }).filter.label_selector, {
    "io.kubernetes.pod.uid": "u1",
  });
  await cri.updateContainerResources("abc", { cpuset_cpus: "1-3", cpuset_mems: "0", cpu_quota: -1 });
  const sent = received.update[0] as { container_id: string; linux: Record<string, unknown> };
  assert.equal(sent.container_id, "abc");
  assert.equal(sent.linux.cpuset_cpus, "1-3");
  assert.equal(sent.linux.cpuset_mems, "0");
  assert.equal(sent.linux.cpu_quota, "-1");
  assert.equal(sent.linux.cpu_period, "0", "an unset field reaches the runtime as 0: leave it as it is");
});

test("failures are one-line CriErrors naming the call, the endpoint and the status", async (t) => {
  const { endpoint } = await fakeRuntime(t);
  const cri = new CriClient(endpoint, { timeoutMs: 300 });
  t.after(() => cri.close());
  await assert.rejects(cri.updateContainerResources("missing", { cpuset_cpus: "1" }), (err: unknown) => {
    assert.ok(err instanceof CriError);
    assert.equal(err.code, "NOT_FOUND");
    assert.equal(
      err.message,
      `CRI UpdateContainerResources on ${endpoint}: NOT_FOUND: container "missing" not found; in namespace k8s.io`,
    );
    return true;
  });
  const started = Date.now();
  await assert.rejects(cri.containerStatus("abc"), (err: unknown) => {
    assert.ok(err instanceof CriError);
    assert.equal(err.code, "DEADLINE_EXCEEDED");
    assert.match(err.message, new RegExp(`^CRI ContainerStatus on ${endpoint}: DEADLINE_EXCEEDED: `));
    assert.ok(!err.message.includes("\n"));
    return true;
  });
  assert.ok(Date.now() - started < 3000);
});

test("no runtime at the socket: UNAVAILABLE at once, not a hang", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "podpin-cri-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const endpoint = `unix://${join(dir, "absent.sock")}`;
  const cri = new CriClient(endpoint, { timeoutMs: 5000 });
  t.after(() => cri.close());
  const started = Date.now();
  await assert.rejects(cri.listContainers(), (err: unknown) => {
    assert.ok(err instanceof CriError);
    assert.equal(err.code, "UNAVAILABLE");
    assert.match(err.message, new RegExp(`^CRI ListContainers on ${endpoint}: UNAVAILABLE: `));
    assert.ok(!err.message.includes("\n"));
    return true;
  });
  assert.ok(Date.now() - started < 4000);
});
