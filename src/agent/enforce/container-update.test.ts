import assert from "node:assert/strict";
import { test } from "node:test";
import { BLOG_DATABASE_POD, BLOG_ML_POD } from "../../k8s/blog-pods.cases.js";
import { Node } from "../../node/index.js";
import { containerOf, machineM, podFromYaml, workedExampleConfig } from "../../node/test-support.js";
import { containerUpdate, describeUpdate } from "./container-update.js";
import { hugePageSizeName, holdsValue, podCgroupFiles } from "./pod-cgroup-files.js";
import { burstableWebPod } from "./pods.test-support.js";

/*
 * What reaches the runtime and the pod cgroup for each assignment type, on machine M of the
 * pod-level worked examples (the engine's decisions there are checked by the node's own tests).
 */

test("pod scope (blog example 1): the pod-exclusive container loses its quota, the pod-shared ones keep theirs", () => {
  const node = new Node({ machine: machineM(), config: workedExampleConfig("pod") });
  const r = node.admit(podFromYaml(BLOG_DATABASE_POD));
  assert.equal(r.admitted, true);
  const database = containerOf(r, "database");
  assert.equal(database.assignmentType, "pod_exclusive");
  assert.deepEqual(containerUpdate(database), { cpuset_cpus: "1-3,17-19", cpuset_mems: "0", cpu_quota: -1 });
  for (const sidecar of ["metrics-exporter", "backup-agent"]) {
    const c = containerOf(r, sidecar);
    assert.equal(c.assignmentType, "pod_shared");
    assert.deepEqual(containerUpdate(c), { cpuset_cpus: "4,20", cpuset_mems: "0" });
  }
  // The pod cgroup keeps the pod-level quota: 8 CPUs cap the pod shared pool.
  assert.deepEqual(podCgroupFiles(r.podDecision!.cgroup, 1), [
    { controller: "cpu", file: "cpu.cfs_period_us", value: "100000" },
    { controller: "cpu", file: "cpu.cfs_quota_us", value: "800000" },
    { controller: "memory", file: "memory.limit_in_bytes", value: String(16n << 30n) },
  ]);
  assert.deepEqual(podCgroupFiles(r.podDecision!.cgroup, 2), [
    { controller: "cpu", file: "cpu.max", value: "800000 100000" },
    { controller: "memory", file: "memory.max", value: String(16n << 30n) },
  ]);
});

test("container scope (blog example 2): node exclusive without quota, the sidecar follows the default set", () => {
  const node = new Node({ machine: machineM(), config: workedExampleConfig("container") });
  const r = node.admit(podFromYaml(BLOG_ML_POD));
  assert.equal(r.admitted, true);
  const training = containerOf(r, "ml-training");
  assert.equal(training.assignmentType, "node_exclusive");
  assert.deepEqual(containerUpdate(training), { cpuset_cpus: "1-2,17", cpuset_mems: "0", cpu_quota: -1 });
  const sidecar = containerOf(r, "service-mesh-sidecar");
  assert.equal(sidecar.assignmentType, "node_shared");
  assert.deepEqual(containerUpdate(sidecar), { cpuset_cpus: "0,3-16,18-31" });
  // Every container with exclusive CPUs, none in a pod shared pool: the pod quota goes too.
  assert.deepEqual(podCgroupFiles(r.podDecision!.cgroup, 2), [
    { controller: "cpu", file: "cpu.max", value: "max 100000" },
    { controller: "memory", file: "memory.max", value: String(8n << 30n) },
  ]);
});

test("a pod-shared container with its own CPU limit: its quota is the kubelet's, not sent again", () => {
  const node = new Node({ machine: machineM(), config: workedExampleConfig("pod") });
  const r = node.admit(
    podFromYaml(`apiVersion: v1
kind: Pod
metadata: {name: limited, namespace: default}
spec:
  resources: {requests: {cpu: "4", memory: 4Gi}, limits: {cpu: "4", memory: 4Gi}}
  containers:
  - name: main
    image: app
    resources: {requests: {cpu: "2", memory: 2Gi}, limits: {cpu: "2", memory: 2Gi}}
  - name: helper
    image: helper
    resources: {requests: {cpu: 500m}, limits: {cpu: "1"}}
`),
  );
  assert.equal(r.admitted, true);
  const helper = containerOf(r, "helper");
  assert.equal(helper.assignmentType, "pod_shared");
  assert.equal(helper.cfsQuotaUs, 100_000);
  assert.deepEqual(containerUpdate(helper), { cpuset_cpus: "2,18", cpuset_mems: "0" });
  assert.deepEqual(containerUpdate(containerOf(r, "main")), {
    cpuset_cpus: "1,17",
    cpuset_mems: "0",
    cpu_quota: -1,
  });
});

test("a Burstable pod in the node shared pool: only its cpuset, the default set, is sent; the pod cgroup is left", () => {
  const node = new Node({ machine: machineM(), config: workedExampleConfig("pod") });
  const r = node.admit(burstableWebPod());
  const nginx = containerOf(r, "nginx");
  assert.deepEqual(containerUpdate(nginx), { cpuset_cpus: "0-31" });
  assert.equal(describeUpdate(containerUpdate(nginx)), "cpuset_cpus=0-31");
  assert.deepEqual(podCgroupFiles(r.podDecision!.cgroup, 1), []);
});

test("huge page limits land in hugetlb.<size>.limit_in_bytes (v1) or hugetlb.<size>.max (v2)", () => {
  assert.equal(hugePageSizeName("hugepages-2Mi"), "2MB");
  assert.equal(hugePageSizeName("hugepages-1Gi"), "1GB");
  assert.equal(hugePageSizeName("hugepages-64Ki"), "64KB");
  const cgroup = {
    cpuShares: 2,
    cpuQuotaUs: null,
    cpuPeriodUs: 100_000,
    memoryLimitBytes: null,
    hugepageLimitsBytes: { "hugepages-2Mi": 4n << 20n, "hugepages-1Gi": 1n << 30n },
    documentedCpuQuotaUs: null,
  };
  assert.deepEqual(podCgroupFiles(cgroup, 1), [
    { controller: "hugetlb", file: "hugetlb.1GB.limit_in_bytes", value: String(1n << 30n) },
    { controller: "hugetlb", file: "hugetlb.2MB.limit_in_bytes", value: String(4n << 20n) },
  ]);
  assert.deepEqual(
    podCgroupFiles(cgroup, 2).map((f) => f.file),
    ["hugetlb.1GB.max", "hugetlb.2MB.max"],
  );
});

test("a file holds its value as the kernel prints it back (memory in whole pages, cpu.max spacing)", () => {
  assert.equal(holdsValue("cpu.max", "max  100000\n", "max 100000"), true);
  assert.equal(holdsValue("cpu.max", "max 100000", "800000 100000"), false);
  assert.equal(holdsValue("memory.limit_in_bytes", "1048576", "1048577"), true);
  assert.equal(holdsValue("memory.limit_in_bytes", "1048576", "1052672"), false);
  assert.equal(holdsValue("cpu.cfs_quota_us", "100000", "100001"), false);
  assert.equal(holdsValue("memory.max", "max", "1048576"), false);
});

test("CPU Manager policy none: no cpuset is sent (the kubelet pins nothing then)", () => {
  const node = new Node({
    machine: machineM(),
    config: workedExampleConfig("container", {
      cpuManagerPolicy: "none",
      memoryManagerPolicy: "None",
      topologyManagerPolicy: "none",
    }),
  });
  const r = node.admit(podFromYaml(BLOG_ML_POD));
  const training = containerOf(r, "ml-training");
  assert.deepEqual(containerUpdate(training, node.cpuPolicy !== null), {});
});
