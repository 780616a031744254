import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { access, constants } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { describe, it, type TestContext } from "node:test";
import { promisify } from "node:util";
import { BLOG_DATABASE_POD } from "../../k8s/blog-pods.cases.js";
import { Node } from "../../node/index.js";
import { podFromYaml, workedExampleConfig } from "../../node/test-support.js";
import {
  canonical,
  GPU,
  machineWithDevices,
  scratchDir,
  scratchServer,
} from "./podresources.test-support.js";
import { allocatableResources, getPodResources, listPodResources } from "./view.js";

/*
 * An independent client: Python messages generated from proto/podresources/v1/api.proto by the
 * distribution's protoc, calls made with Debian's grpcio (test-clients/podresources/client.py).
 * Its canonical JSON must equal ours. Without the tools, scripts/ensure-python-grpc.sh installs
 * them; if that fails too, the test fails with the reason.
 */

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const PYTHON = "/usr/bin/python3";
const PROTOC = "/usr/bin/protoc";
const CLIENT = `${ROOT}test-clients/podresources/client.py`;

async function toolsReady(): Promise<string | null> {
  try {
    await access(PROTOC, constants.X_OK);
  } catch {
    return `${PROTOC} is missing`;
  }
  try {
    await run(PYTHON, ["-c", "import grpc, google.protobuf"], { timeout: 30_000 });
  } catch (err) {
    return `${PYTHON} cannot import grpc and google.protobuf: ${(err as Error).message.split("\n")[0]}`;
  }
  return null;
}

let ensured: Promise<void> | null = null;

/** Checks the tools once per run (and installs them once when missing). */
function ensureTools(): Promise<void> {
  ensured ??= ensureToolsNow();
  return ensured;
}

async function ensureToolsNow(): Promise<void> {
  if ((await toolsReady()) === null) return;
  let log = "";
  try {
    await run("bash", [`${ROOT}scripts/ensure-python-grpc.sh`], { timeout: 600_000 });
  } catch (err) {
    log = ((err as { stderr?: string }).stderr ?? (err as Error).message).trim();
  }
  const missing = await toolsReady();
  if (missing)
    assert.fail(
      `the Python gRPC tools are not available (${missing}) even after scripts/ensure-python-grpc.sh: ${log}`,
    );
}

/** The Python messages, generated into a scratch directory. */
async function generate(t: TestContext): Promise<string> {
  const out = await scratchDir(t);
  await run(PROTOC, [`-I${ROOT}proto`, `--python_out=${out}`, "podresources/v1/api.proto"], {
    timeout: 60_000,
  });
  return out;
}

/** Blog example 1 and a classic GPU pod on machine M with devices, pod scope. */
function nodeFor(version: "1.36" | "1.37"): Node {
  const node = new Node({
    machine: machineWithDevices(),
    config: workedExampleConfig("pod", { kubernetesVersion: version }),
  });
  const gpuPod = podFromYaml(`apiVersion: v1
kind: Pod
metadata: {name: trainer, namespace: ml, uid: trainer}
spec:
  containers:
  - name: train
    resources:
      requests: {cpu: "2", memory: 2Gi}
      limits: {cpu: "2", memory: 2Gi, ${GPU}: "1"}
`);
  for (const pod of [podFromYaml(BLOG_DATABASE_POD), gpuPod]) {
    const r = node.admit(pod);
    assert.equal(r.admitted, true, `${pod.name}: ${r.reason}: ${r.message}`);
  }
  return node;
}

describe("the Python client generated from the same proto", () => {
  for (const version of ["1.36", "1.37"] as const) {
    it(`${version}: List, GetAllocatableResources and Get decode to our answers`, async (t) => {
      await ensureTools();
      const generated = await generate(t);
      const node = nodeFor(version);
      const server = await scratchServer(t, () => node, version);
      const { stdout } = await run(
        PYTHON,
        [
          CLIENT,
          "--generated",
          generated,
          "--socket",
          server.socketPath,
          "--get",
          "default/tightly-coupled-database",
          "--get",
          "ml/trainer",
          "--get",
          "nowhere/nothing",
        ],
        { timeout: 60_000 },
      );
      const got = JSON.parse(stdout);
      assert.deepEqual(got.list, canonical(listPodResources(node, version)));
      assert.deepEqual(got.allocatable, canonical(allocatableResources(node)));
      const pod = (ns: string, name: string) =>
        canonical({ pod_resources: getPodResources(node, version, ns, name) });
      assert.deepEqual(got.get, [
        {
          pod_namespace: "default",
          pod_name: "tightly-coupled-database",
          response: pod("default", "tightly-coupled-database"),
        },
        { pod_namespace: "ml", pod_name: "trainer", response: pod("ml", "trainer") },
        {
          pod_namespace: "nowhere",
          pod_name: "nothing",
          error: { code: "UNKNOWN", details: "pod nothing in namespace nowhere not found" },
        },
      ]);
      // What the comparison covers: pod-level fields only in 1.37, devices with and without topology.
      const db = got.list.pod_resources.find((p: { name: string }) => p.name === "tightly-coupled-database");
      assert.equal("cpu_ids" in db, version === "1.37");
      assert.ok(got.allocatable.devices.some((d: object) => !("topology" in d)));
      assert.ok(
        got.list.pod_resources.some(
          (p: { containers: { devices?: unknown[] }[] }) => p.containers[0].devices,
        ),
      );
    });
  }
});
