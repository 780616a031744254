/**
 * `podpin simulate` and `podpin explain` as a user runs them on what they really have: workload
 * manifests, kubectl dumps, kubeadm configurations, API-server versus static-pod quantities. Real
 * child processes, their exact stdout lines, stderr line and exit code. The many input shapes are
 * pinned in `real-inputs.workloads.test.ts`; this file covers what only a process shows.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { AdmitStepDoc, SimulationDoc } from "../report/index.js";
import { CONTAINER_SCOPE_CONFIG } from "./cli.test-support.js";
import { podpin, type Run } from "./cli.process.test-support.js";

/** Bad input: exit 2, nothing on stdout, exactly `podpin: <message>` on stderr. */
function assertUsageError(r: Run, message: string): void {
  assert.equal(r.code, 2, `exit code 2, got ${r.code}; stderr: ${r.stderr}`);
  assert.equal(r.stdout, "");
  assert.equal(r.stderr, `podpin: ${message}\n`);
}

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        resources: {limits: {cpu: "2", memory: 1.5Gi}}
`;

const STATIC_POD = `apiVersion: v1
kind: Pod
metadata: {name: etcd, namespace: kube-system}
spec:
  containers:
  - name: etcd
    image: registry.k8s.io/etcd:3.5.16-0
    resources:
      requests: {cpu: "2", memory: 1.5Gi}
      limits: {cpu: "2", memory: 1.5Gi}
`;

const POD_DUMP = `apiVersion: v1
kind: List
metadata: {resourceVersion: ""}
items:
- apiVersion: v1
  kind: Pod
  metadata:
    name: api-6c9f8b7d54-q8x2z
    namespace: prod
    uid: 7a3e9c2d-1b4f-4e6a-9c8d-5f2a1e0b3c47
    resourceVersion: "48213301"
    creationTimestamp: "2025-11-03T09:13:00Z"
    managedFields:
    - {manager: kube-controller-manager, operation: Update, apiVersion: v1, time: "2025-11-03T09:13:00Z", fieldsType: FieldsV1, fieldsV1: {}}
  spec:
    containers:
    - name: api
      image: registry.example.com/api:1.18.2
      resources:
        limits: {cpu: "4", memory: 8Gi}
        requests: {cpu: "4", memory: 8Gi}
  status:
    phase: Running
    qosClass: Guaranteed
`;

const KUBEADM = `apiVersion: kubeadm.k8s.io/v1beta4
kind: InitConfiguration
nodeRegistration: {name: worker-numa}
---
apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
kubernetesVersion: v1.37.0
---
${`apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
cpuManagerPolicy: static
reservedSystemCPUs: "0,16"
memoryManagerPolicy: Static
kubeReserved: {memory: 1Gi}
evictionHard: {memory.available: 100Mi}
reservedMemory:
- numaNode: 0
  limits: {memory: 1124Mi}
topologyManagerPolicy: single-numa-node
`}---
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: ipvs
`;

describe("podpin on real inputs (child processes)", { timeout: 300_000, concurrency: 4 }, () => {
  let dir: string;
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  let deployment: string;
  let staticPod: string;
  let kubeadm: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "podpin-cli-workloads-"));
    deployment = file("web-deployment.yaml", DEPLOYMENT);
    staticPod = file("etcd.yaml", STATIC_POD);
    kubeadm = file("kubeadm.yaml", KUBEADM);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("simulate a Deployment: its replicas, named as the ReplicaSet controller names them", async () => {
    const r = await podpin(["simulate", "-c", CONTAINER_SCOPE_CONFIG, deployment]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    const headers = r.stdout.split("\n").filter((l) => /^(ADMITTED|REJECTED) /.test(l));
    assert.deepEqual(headers, [
      "ADMITTED  shop/web-65dcc74b9c-j24zk  (container scope)",
      "ADMITTED  shop/web-65dcc74b9c-f68f2  (container scope)",
    ]);
    // 1.5Gi came through the API server as 1536Mi, so the Memory Manager pins it.
    assert.match(r.stdout, /\n {2}nginx +app +node exclusive +1,17 +0 +0 +1536Mi @0 +max \(-1\)\n/);
    assert.match(r.stdout, /\n {2}nginx +app +node exclusive +2,18 +0 +0 +1536Mi @0 +max \(-1\)\n/);
  });

  it("simulate --replicas 3 -o json: three pods with the pod-template-hash in their names", async () => {
    const r = await podpin([
      "simulate",
      "-c",
      CONTAINER_SCOPE_CONFIG,
      deployment,
      "--replicas",
      "3",
      "-o",
      "json",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as SimulationDoc;
    const steps = doc.steps.filter((s): s is AdmitStepDoc => s.op === "admit");
    assert.deepEqual(
      steps.map((s) => `${s.pod.namespace}/${s.pod.name} ${s.admitted}`),
      ["shop/web-65dcc74b9c-j24zk true", "shop/web-65dcc74b9c-f68f2 true", "shop/web-65dcc74b9c-ch8g6 true"],
    );
  });

  it("explain a Deployment of two: the exact error, and --replicas 1 explains one", async () => {
    assertUsageError(
      await podpin(["explain", "-c", CONTAINER_SCOPE_CONFIG, deployment]),
      `${deployment}: expected exactly one pod to explain, found 2 (Deployment web (2 pods); --replicas 1 explains one pod of a workload)`,
    );
    const r = await podpin(["explain", "-c", CONTAINER_SCOPE_CONFIG, deployment, "--replicas", "1"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout.split("\n")[0],
      "ADMITTED  shop/web-65dcc74b9c-j24zk  (topologyManagerPolicy single-numa-node, scope container, path container, kubelet 1.37)",
    );
  });

  it("a kubectl get pods -o yaml dump (List, status, managedFields) keeps its names and uids", async () => {
    const r = await podpin([
      "simulate",
      "-c",
      CONTAINER_SCOPE_CONFIG,
      file("pods.yaml", POD_DUMP),
      "-o",
      "json",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const step = (JSON.parse(r.stdout) as SimulationDoc).steps[0] as AdmitStepDoc;
    assert.equal(
      `${step.pod.namespace}/${step.pod.name} ${step.pod.uid}`,
      "prod/api-6c9f8b7d54-q8x2z 7a3e9c2d-1b4f-4e6a-9c8d-5f2a1e0b3c47",
    );
    assert.equal(step.admitted, true);
  });

  it("a kind podpin does not read: the exact error with file, line and kind", async () => {
    const svc = file(
      "svc.yaml",
      `${DEPLOYMENT}---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n`,
    );
    assertUsageError(
      await podpin(["simulate", svc]),
      `${svc}:16: kind: podpin reads Pods and the workloads that create them (Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob), alone or in a List; got kind Service`,
    );
  });

  it("apiVersion v2 for a Pod: the API server's wording", async () => {
    const bad = file("v2.yaml", STATIC_POD.replace("apiVersion: v1", "apiVersion: v2"));
    assertUsageError(
      await podpin(["simulate", bad]),
      `${bad}:1: apiVersion: no matches for kind "Pod" in version "v2" (the API server serves Pod as v1)`,
    );
  });

  it("a pod name the API server refuses", async () => {
    const bad = file("name.yaml", STATIC_POD.replace("name: etcd,", "name: ETCD_main,"));
    assertUsageError(
      await podpin(["explain", bad]),
      `${bad}:3: Pod "ETCD_main" is invalid: metadata.name: Invalid value: "ETCD_main": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    );
  });

  it("--replicas that is not a count", async () => {
    assertUsageError(
      await podpin(["simulate", deployment, "--replicas", "two"]),
      '--replicas: expected a whole number of pods (0 or more), got "two"',
    );
  });

  it("-c with a kubeadm configuration reads its KubeletConfiguration", async () => {
    const r = await podpin(["simulate", "-c", kubeadm, staticPod]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^ADMITTED {2}kube-system\/etcd {2}\(container scope\)\n/);
    // The static CPU policy and reservedSystemCPUs of the KubeletConfiguration document apply.
    assert.match(r.stdout, /\n {2}etcd +app +node exclusive +1,17 +0 +0 +1536Mi @0 /);
    assert.match(r.stdout, /\nNODE {2}worked-example: default CPU set 0,2-16,18-31, reserved 0,16\n/);
  });

  it("-c with a kubeadm configuration that has no KubeletConfiguration", async () => {
    const noKubelet = file(
      "kubeadm-no-kubelet.yaml",
      KUBEADM.split("---\n")
        .filter((d) => !d.includes("kind: KubeletConfiguration"))
        .join("---\n"),
    );
    assertUsageError(
      await podpin(["simulate", "-c", noKubelet, staticPod]),
      `${noKubelet}: no KubeletConfiguration document: its documents are InitConfiguration, ClusterConfiguration, KubeProxyConfiguration; a kubeadm configuration passes the kubelet's settings in a document with apiVersion: kubelet.config.k8s.io/v1beta1 and kind: KubeletConfiguration`,
    );
  });

  it("explain 1.5Gi: pinned through the API server, the int64 failure and its note as a static pod", async () => {
    const api = await podpin(["explain", "-c", kubeadm, staticPod]);
    assert.equal(api.code, 0, api.stderr);
    assert.match(api.stdout, /^ADMITTED {2}kube-system\/etcd /);
    assert.doesNotMatch(api.stdout, /whole-byte/);
    const disk = await podpin(["explain", "-c", kubeadm, staticPod, "--static-pod"]);
    assert.equal(disk.code, 1, disk.stderr);
    const lines = disk.stdout.split("\n");
    assert.equal(
      lines[0],
      "REJECTED  kube-system/etcd  (topologyManagerPolicy single-numa-node, scope container, path container, kubelet 1.37)",
    );
    assert.ok(
      lines.includes(
        "  message: Pod was rejected: Allocate failed due to [memorymanager] failed to represent quantity as int64, which is unexpected",
      ),
      disk.stdout,
    );
    assert.ok(
      lines.includes(
        "  - memory request 1.5Gi is not a whole-byte quantity in the kubelet's integer form: the Memory Manager cannot pin it (a static pod keeps the quantity as written; write 1536Mi, the form the API server gives the kubelet)",
      ),
      disk.stdout,
    );
  });

  it("--static-pod with a workload: the exact error", async () => {
    assertUsageError(
      await podpin(["simulate", deployment, "--static-pod"]),
      `${deployment}:2: kind: a static pod manifest holds a Pod: the kubelet reads no Deployment from its manifest directory (read it without --static-pod, as the API server would)`,
    );
  });
});
