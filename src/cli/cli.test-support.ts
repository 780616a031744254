/**
 * Inputs and expectations shared by the CLI tests: the blog pods of pod-level.md §7, the tutorial
 * pods of §7.3, broken inputs, and the decisions the worked examples promise for machine M.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CPUSet } from "../core/index.js";
import { EMPTY_SHARED_POOL_YAML } from "../node/test-support.js";
import type { AdmitStepDoc, BlockDoc, ContainerDoc } from "../report/index.js";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const EXAMPLES = join(ROOT, "examples");
export const POD_SCOPE_CONFIG = join(EXAMPLES, "kubelet-pod-scope.yaml");
export const CONTAINER_SCOPE_CONFIG = join(EXAMPLES, "kubelet-container-scope.yaml");
export const DATABASE_POD = join(EXAMPLES, "tightly-coupled-database.yaml");
export const ML_POD = join(EXAMPLES, "ml-workload.yaml");

export const GI = 1024 ** 3;

/** 18 CPUs: more than one NUMA node of machine M holds, so single-numa-node rejects it. */
const TOO_BIG = `apiVersion: v1
kind: Pod
metadata: {name: too-big, namespace: default, uid: uid-big}
spec:
  resources:
    requests: {cpu: "18", memory: 8Gi}
    limits: {cpu: "18", memory: 8Gi}
  containers:
    - name: app
      image: busybox
`;

const BAD_YAML = "apiVersion: v1\nkind: Pod\nmetadata: {name: broken\n";

const UNKNOWN_FIELD = `apiVersion: v1
kind: Pod
metadata: {name: typo, uid: uid-typo}
spec:
  containers:
    - name: app
      image: busybox
      resourcez: {}
`;

export const EMPTY_SHARED_POOL_MESSAGE =
  "Pod Scope pod with pod-level resources failed admission under pod-scope topology manager";

export interface Fixtures {
  dir: string;
  emptySharedPool: string;
  tooBig: string;
  badYaml: string;
  unknownField: string;
  /** The database pod under another name and uid, for admit/remove/admit sequences. */
  database2: string;
  /** admit the database, remove it, admit database2. */
  steps: string;
  /** A directory holding exactly the two blog pods. */
  blogDir: string;
}

/** Writes every fixture into a fresh temporary directory. */
export function writeFixtures(): Fixtures {
  const dir = mkdtempSync(join(tmpdir(), "podpin-cli-"));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const database2 = file(
    "database-2.yaml",
    readFileSync(DATABASE_POD, "utf8")
      .replace("uid: uid-db", "uid: uid-db-2")
      .replace("name: tightly-coupled-database", "name: database-2"),
  );
  const blog = join(dir, "blog");
  mkdirSync(blog);
  writeFileSync(join(blog, "1-database.yaml"), readFileSync(DATABASE_POD, "utf8"));
  writeFileSync(join(blog, "2-ml.yaml"), readFileSync(ML_POD, "utf8"));
  writeFileSync(join(blog, "README.txt"), "not a pod: ignored by the directory scan\n");
  return {
    dir,
    emptySharedPool: file("empty-shared-pool.yaml", EMPTY_SHARED_POOL_YAML),
    tooBig: file("too-big.yaml", TOO_BIG),
    badYaml: file("bad.yaml", BAD_YAML),
    unknownField: file("unknown-field.yaml", UNKNOWN_FIELD),
    database2,
    steps: file(
      "steps.yaml",
      `steps:\n  - admit: ${DATABASE_POD}\n  - remove: default/tightly-coupled-database\n  - admit: database-2.yaml\n`,
    ),
    blogDir: blog,
  };
}

/** CPU sets compare as sets, whatever list spelling either side uses. */
export function assertCPUs(actual: string | null | undefined, expected: string, what: string): void {
  assert.ok(typeof actual === "string", `${what}: expected a CPU list, got ${String(actual)}`);
  assert.ok(
    CPUSet.parse(actual).equals(CPUSet.parse(expected)),
    `${what}: expected CPUs ${expected}, got ${actual}`,
  );
}

export function container(step: AdmitStepDoc, name: string): ContainerDoc {
  const c = step.containers?.find((x) => x.name === name);
  assert.ok(c, `container ${name} in ${step.pod.name}`);
  return c;
}

export function block(numa: number[], gi: number, type = "memory"): BlockDoc {
  return { numaAffinity: numa, type, size: gi * GI };
}

/** pod-level.md §7.1: the database pod, pod scope, on an empty machine M. */
export function assertDatabaseDecision(step: AdmitStepDoc): void {
  assert.equal(step.admitted, true, `admitted (${step.reason}: ${step.message})`);
  assert.equal(step.path, "pod-level");
  assertCPUs(step.bubble, "1-4,17-20", "pod bubble");
  assertCPUs(step.podSharedPool, "4,20", "pod shared pool");
  assert.deepEqual(step.podMemory, [block([0], 16)]);
  assert.equal(step.podCgroup?.cpuQuotaUs, 800000);
  assert.equal(step.podCgroup?.cpuPeriodUs, 100000);
  assert.equal(step.podCgroup?.memoryLimitBytes, 16 * GI);
  const db = container(step, "database");
  assert.equal(db.assignmentType, "pod_exclusive");
  assertCPUs(db.cpus, "1-3,17-19", "database");
  assert.deepEqual(db.memory, [block([0], 12)]);
  assert.equal(db.cpusetMems, "0");
  assert.equal(db.cfsQuotaUs, -1);
  for (const name of ["metrics-exporter", "backup-agent"]) {
    const s = container(step, name);
    assert.equal(s.kind, "sidecar");
    assert.equal(s.assignmentType, "pod_shared");
    assert.equal(s.nodeSharedPool, false);
    assertCPUs(s.cpus, "4,20", name);
    assert.deepEqual(s.memory, [block([0], 4)]);
    assert.equal(s.cpusetMems, "0");
    assert.equal(s.cfsQuotaUs, null);
  }
}

/** pod-level.md §7.2: the ml-workload pod, container scope, on an empty machine M (kubelet 1.37). */
export function assertMLDecision(step: AdmitStepDoc): void {
  assert.equal(step.admitted, true, `admitted (${step.reason}: ${step.message})`);
  assert.equal(step.path, "container");
  assert.equal(step.bubble, null);
  assert.equal(step.podSharedPool, null);
  const train = container(step, "ml-training");
  assert.equal(train.assignmentType, "node_exclusive");
  assertCPUs(train.cpus, "1-2,17", "ml-training");
  assert.deepEqual(train.numaAffinity, [0]);
  assert.deepEqual(train.memory, [block([0], 6)]);
  assert.equal(train.cfsQuotaUs, -1);
  const sidecar = container(step, "service-mesh-sidecar");
  assert.equal(sidecar.assignmentType, "node_shared");
  assert.equal(sidecar.nodeSharedPool, true);
  assertCPUs(sidecar.cpus, "0,3-16,18-31", "service-mesh-sidecar follows the default set");
  assert.equal(sidecar.memory, null);
  assert.equal(sidecar.cpusetMems, null);
  // PL-1: the kubelet leaves the pod quota unlimited; the documentation describes 4 CPUs.
  assert.equal(step.podCgroup?.cpuQuotaUs, -1);
  assert.equal(step.podCgroup?.documentedCpuQuotaUs, 400000);
  assert.equal(step.podCgroup?.memoryLimitBytes, 8 * GI);
  assertCPUs(step.defaultCpuSet, "0,3-16,18-31", "default CPU set");
}

/** The 1.36 Memory Manager rejection of the ml-workload pod (pod-level.md §7.2 preamble). */
export const ML_1_36_MESSAGE =
  "Allocate failed due to [memorymanager] failed to get the default NUMA affinity, no NUMA nodes with enough memory is available, which is unexpected";
