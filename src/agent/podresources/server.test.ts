import assert from "node:assert/strict";
import { lstat, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { createServer, type Server as NetServer } from "node:net";
import { join } from "node:path";
import { describe, it, type TestContext } from "node:test";
import { status } from "@grpc/grpc-js";
import { BLOG_ML_POD } from "../../k8s/blog-pods.cases.js";
import { podFromYaml } from "../../node/test-support.js";
import { PodResourcesServerError } from "./errors.js";
import {
  blogDatabaseNode,
  canonical,
  fieldNumbers,
  PodResourcesTestClient,
  rawFields,
  scratchDir,
  scratchServer,
  subMessages,
} from "./podresources.test-support.js";
import { startPodResourcesServer } from "./server.js";
import { allocatableResources, getPodResources, listPodResources } from "./view.js";

/*
 * The server over a real unix socket with a @grpc/grpc-js client: the three calls, the kubelet's
 * error for an unknown pod, what is on the wire in each version, and the socket file's handling.
 */

function clientOf(t: TestContext, socketPath: string): PodResourcesTestClient {
  const client = new PodResourcesTestClient(socketPath);
  t.after(() => client.close());
  return client;
}

function listen(server: NetServer, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => resolve());
  });
}

function closeNet(server: NetServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A socket file at `path` that nobody listens on (what a crashed server leaves behind). */
async function staleSocketAt(dir: string, path: string): Promise<void> {
  const server = createServer();
  const bound = join(dir, "bound.sock");
  await listen(server, bound);
  await rename(bound, path);
  await closeNet(server);
}

describe("PodResources over the socket", () => {
  for (const version of ["1.36", "1.37"] as const) {
    it(`${version}: List, Get and GetAllocatableResources answer what the view builder builds`, async (t) => {
      const node = blogDatabaseNode(version);
      const server = await scratchServer(t, () => node, version);
      const client = clientOf(t, server.socketPath);
      const list = await client.call("List");
      assert.deepEqual(list, { ok: true, value: canonical(listPodResources(node, version)) });
      const get = await client.call("Get", {
        pod_namespace: "default",
        pod_name: "tightly-coupled-database",
      });
      const pod = getPodResources(node, version, "default", "tightly-coupled-database");
      assert.ok(pod);
      assert.deepEqual(get, { ok: true, value: canonical({ pod_resources: pod }) });
      const allocatable = await client.call("GetAllocatableResources");
      assert.deepEqual(allocatable, { ok: true, value: canonical(allocatableResources(node)) });
    });
  }

  it("Get of an unknown pod fails as the kubelet's does: UNKNOWN, `pod <name> in namespace <ns> not found`", async (t) => {
    const node = blogDatabaseNode("1.37");
    const server = await scratchServer(t, () => node, "1.37");
    const client = clientOf(t, server.socketPath);
    assert.deepEqual(await client.call("Get", { pod_namespace: "prod", pod_name: "db" }), {
      ok: false,
      error: { code: status.UNKNOWN, details: "pod db in namespace prod not found" },
    });
    assert.deepEqual(await client.call("Get", {}), {
      ok: false,
      error: { code: status.UNKNOWN, details: "pod  in namespace  not found" },
    });
  });

  it("reads the view at every request", async (t) => {
    const node = blogDatabaseNode("1.37");
    let reads = 0;
    const server = await scratchServer(
      t,
      () => {
        reads++;
        return node;
      },
      "1.37",
    );
    const client = clientOf(t, server.socketPath);
    const names = async () => {
      const r = await client.call("List");
      assert.equal(r.ok, true);
      return ((r as { value: { pod_resources: { name: string }[] } }).value.pod_resources ?? []).map(
        (p) => p.name,
      );
    };
    assert.deepEqual(await names(), ["tightly-coupled-database"]);
    assert.equal(node.admit(podFromYaml(BLOG_ML_POD)).admitted, true);
    assert.deepEqual(await names(), ["tightly-coupled-database", "ml-workload"]);
    node.remove(node.admittedPods()[0].uid);
    assert.deepEqual(await names(), ["ml-workload"]);
    assert.equal(reads, 3);
  });

  it("answers INTERNAL with the reason when the view fails", async (t) => {
    const server = await scratchServer(
      t,
      () => {
        throw new Error("engine not started");
      },
      "1.37",
    );
    const client = clientOf(t, server.socketPath);
    for (const method of ["List", "Get", "GetAllocatableResources"] as const)
      assert.deepEqual(await client.call(method, { pod_name: "x", pod_namespace: "y" }), {
        ok: false,
        error: { code: status.INTERNAL, details: "engine not started" },
      });
  });
});

describe("the wire format", () => {
  async function rawList(t: TestContext, version: "1.36" | "1.37") {
    const node = blogDatabaseNode(version);
    const server = await scratchServer(t, () => node, version);
    const raw = await clientOf(t, server.socketPath).raw("List");
    const pods = subMessages(raw, 1);
    assert.equal(pods.length, 1);
    return pods[0];
  }

  it("1.36: PodResources carries fields 1-3 only; the pod-level fields are absent, not empty", async (t) => {
    const pod = await rawList(t, "1.36");
    assert.deepEqual(fieldNumbers(pod), [1, 2, 3]);
  });

  it("1.37: PodResources carries fields 4 (packed CPU ids) and 5 (memory)", async (t) => {
    const pod = await rawList(t, "1.37");
    assert.deepEqual(fieldNumbers(pod), [1, 2, 3, 4, 5]);
    const cpuField = rawFields(pod).filter((f) => f.field === 4);
    assert.equal(cpuField.length, 1, "one packed run");
    assert.equal(cpuField[0].wireType, 2);
    // ids 1,2,3,4,17,18,19,20 are one byte each as varints
    assert.deepEqual([...cpuField[0].bytes!], [1, 2, 3, 4, 17, 18, 19, 20]);
    const [memory] = subMessages(pod, 5);
    assert.deepEqual(fieldNumbers(memory), [1, 2, 3]);
    const [topology] = subMessages(memory, 3);
    const [numaNode] = subMessages(topology, 1);
    assert.equal(numaNode.length, 0, "NUMA node 0 leaves ID unset, as Go's marshalling does");
  });

  it("1.37: shared containers carry only their name; the exclusive one its CPUs and memory", async (t) => {
    const pod = await rawList(t, "1.37");
    const containers = subMessages(pod, 3);
    assert.deepEqual(
      containers.map((c) => fieldNumbers(c)),
      [[1], [1], [1, 3, 4]],
    );
  });
});

describe("the socket file", () => {
  it("is mode 0600, alone in its directory, and removed by close", async (t) => {
    const node = blogDatabaseNode("1.37");
    const dir = await scratchDir(t);
    const socketPath = join(dir, "kubelet.sock");
    const server = await startPodResourcesServer({ socketPath, view: () => node, kubernetesVersion: "1.37" });
    t.after(() => server.close());
    const st = await lstat(socketPath);
    assert.equal(st.isSocket(), true);
    assert.equal(st.mode & 0o777, 0o600);
    assert.deepEqual(await readdir(dir), ["kubelet.sock"]);
    await server.close();
    await server.close();
    assert.deepEqual(await readdir(dir), []);
  });

  it("creates a missing directory for the socket", async (t) => {
    const dir = await scratchDir(t);
    const socketPath = join(dir, "pod-resources", "kubelet.sock");
    const node = blogDatabaseNode("1.37");
    const server = await startPodResourcesServer({ socketPath, view: () => node, kubernetesVersion: "1.37" });
    t.after(() => server.close());
    assert.equal((await clientOf(t, socketPath).call("List")).ok, true);
  });

  it("replaces a stale socket nobody listens on", async (t) => {
    const dir = await scratchDir(t);
    const socketPath = join(dir, "kubelet.sock");
    await staleSocketAt(dir, socketPath);
    assert.equal((await lstat(socketPath)).isSocket(), true);
    const node = blogDatabaseNode("1.37");
    const server = await startPodResourcesServer({ socketPath, view: () => node, kubernetesVersion: "1.37" });
    t.after(() => server.close());
    assert.equal((await clientOf(t, socketPath).call("List")).ok, true);
  });

  it("refuses a socket another server listens on, and leaves it working", async (t) => {
    const dir = await scratchDir(t);
    const socketPath = join(dir, "kubelet.sock");
    // The probe of the starting server hangs up at once; that reset is expected here.
    const other = createServer((c) => c.on("error", () => {}).end("still here"));
    await listen(other, socketPath);
    t.after(() => closeNet(other));
    const node = blogDatabaseNode("1.37");
    await assert.rejects(
      startPodResourcesServer({ socketPath, view: () => node, kubernetesVersion: "1.37" }),
      (err: Error) =>
        err instanceof PodResourcesServerError &&
        err.message === `${socketPath}: another server is listening on this socket`,
    );
    assert.deepEqual(await readdir(dir), ["kubelet.sock"]);
    const { connect } = await import("node:net");
    const reply = await new Promise<string>((resolve, reject) => {
      let text = "";
      connect({ path: socketPath })
        .on("data", (d) => {
          text += d;
        })
        .on("end", () => resolve(text))
        .on("error", reject);
    });
    assert.equal(reply, "still here");
  });

  it("refuses to replace a file that is not a socket, and leaves it as it was", async (t) => {
    const dir = await scratchDir(t);
    const socketPath = join(dir, "kubelet.sock");
    await writeFile(socketPath, "not a socket\n");
    const node = blogDatabaseNode("1.37");
    await assert.rejects(
      startPodResourcesServer({ socketPath, view: () => node, kubernetesVersion: "1.37" }),
      (err: Error) =>
        err instanceof PodResourcesServerError &&
        err.message === `${socketPath} exists and is not a socket; refusing to replace it`,
    );
    assert.equal(await readFile(socketPath, "utf8"), "not a socket\n");
    assert.deepEqual(await readdir(dir), ["kubelet.sock"]);
  });

  it("refuses a path too long for a unix socket address", async (t) => {
    const dir = await scratchDir(t);
    const socketPath = join(dir, `${"s".repeat(120)}.sock`);
    const node = blogDatabaseNode("1.37");
    await assert.rejects(
      startPodResourcesServer({ socketPath, view: () => node, kubernetesVersion: "1.37" }),
      (err: Error) => err instanceof PodResourcesServerError && /socket path too long/.test(err.message),
    );
    assert.deepEqual(await readdir(dir), []);
  });
});
