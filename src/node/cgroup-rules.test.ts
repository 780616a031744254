import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { CPUSet } from "../core/index.js";
import { BLOG_DATABASE_POD, BLOG_ML_POD } from "../k8s/blog-pods.cases.js";
import {
  DEFAULT_FEATURE_GATES,
  type FeatureGates,
  type Pod,
  parsePods,
  podFromObject,
} from "../k8s/index.js";
import {
  type CFSSettings,
  containerCpuQuota,
  containerHasExclusiveCPUs,
  cpuStatesFromAssignments,
  DEFAULT_CFS_SETTINGS,
  milliCPUToQuota,
  milliCPUToQuotaExact,
  milliCPUToShares,
  milliCPUToSharesExact,
  podCgroupSettings,
  podHasExclusiveCPUs,
  resourceIsolationLevel,
} from "./cgroup-rules.js";

const ON: FeatureGates = {
  ...DEFAULT_FEATURE_GATES,
  PodLevelResources: true,
  PodLevelResourceManagers: true,
};
/** Both pod-level gates off, named: PodLevelResources is on by default since 1.34. */
const OFF: FeatureGates = {
  ...DEFAULT_FEATURE_GATES,
  PodLevelResources: false,
  PodLevelResourceManagers: false,
};
const GiB = 1024n ** 3n;

const one = (text: string): Pod => parsePods(text, "pod.yaml")[0];
const sets = (entries: Record<string, string>): Map<string, CPUSet> =>
  new Map(Object.entries(entries).map(([k, v]) => [k, CPUSet.parse(v)]));

describe("blog example 1, pod scope (pod-level.md §7.1 step 6)", () => {
  const pod = one(BLOG_DATABASE_POD);
  const stateOf = cpuStatesFromAssignments(
    pod,
    sets({ "metrics-exporter": "4,20", "backup-agent": "4,20", database: "1-3,17-19" }),
    ON,
  );
  const [exporter] = pod.initContainers;
  const [database] = pod.containers;

  it("isolation levels: database exclusive, sidecars in the pod shared pool", () => {
    assert.equal(stateOf(database).isolation, "container");
    assert.equal(stateOf(exporter).isolation, "pod");
    assert.equal(containerHasExclusiveCPUs(stateOf(database)), true);
    assert.equal(containerHasExclusiveCPUs(stateOf(exporter)), false);
    assert.equal(podHasExclusiveCPUs(pod, stateOf, ON), false);
  });

  it("container quotas: -1 for the database, none for the sidecars", () => {
    assert.equal(containerCpuQuota(database, stateOf(database), DEFAULT_CFS_SETTINGS, ON), -1);
    assert.equal(containerCpuQuota(exporter, stateOf(exporter), DEFAULT_CFS_SETTINGS, ON), null);
    const noDisable = { ...ON, DisableCPUQuotaWithExclusiveCPUs: false };
    assert.equal(containerCpuQuota(database, stateOf(database), DEFAULT_CFS_SETTINGS, noDisable), 600_000);
  });

  it("pod cgroup: 8 CPUs of quota per 100000 µs, 16Gi", () => {
    assert.deepEqual(podCgroupSettings(pod, stateOf, DEFAULT_CFS_SETTINGS, ON), {
      cpuShares: 8192,
      cpuQuotaUs: 800_000,
      cpuPeriodUs: 100_000,
      memoryLimitBytes: 16n * GiB,
      hugepageLimitsBytes: {},
      documentedCpuQuotaUs: null,
    });
  });
});

describe("blog example 2, container scope (pod-level.md §7.2 step 3)", () => {
  const pod = one(BLOG_ML_POD);
  const stateOf = cpuStatesFromAssignments(pod, sets({ "ml-training": "1-2,17" }), ON);

  it("the sidecar has no assignment (host), ml-training is exclusive", () => {
    assert.equal(stateOf(pod.initContainers[0]).isolation, "host");
    assert.equal(stateOf(pod.containers[0]).isolation, "container");
    assert.equal(podHasExclusiveCPUs(pod, stateOf, ON), true);
  });

  it("pod quota -1 (kubelet, PL-1) beside the documentation's 4 CPUs", () => {
    const cg = podCgroupSettings(pod, stateOf, DEFAULT_CFS_SETTINGS, ON);
    assert.equal(cg.cpuQuotaUs, -1);
    assert.equal(cg.documentedCpuQuotaUs, 400_000);
    assert.equal(cg.memoryLimitBytes, 8n * GiB);
  });

  it("cpuCFSQuota off: no container quota, pod quota unlimited", () => {
    const cfs: CFSSettings = { cpuCFSQuota: false, cpuCFSQuotaPeriodUs: 100_000 };
    assert.equal(containerCpuQuota(pod.containers[0], stateOf(pod.containers[0]), cfs, ON), null);
    assert.equal(podCgroupSettings(pod, stateOf, cfs, ON).cpuQuotaUs, -1);
  });
});

describe("isolation level (pod-level.md §4.1)", () => {
  const g = (cpu: string) => ({ requests: { cpu, memory: "1Gi" }, limits: { cpu, memory: "1Gi" } });
  const pod = podFromObject(
    {
      metadata: { name: "p" },
      spec: {
        containers: [
          { name: "whole", resources: g("2") },
          { name: "fraction", resources: g("1500m") },
          { name: "none" },
        ],
        resources: { requests: { cpu: "4", memory: "4Gi" }, limits: { cpu: "4", memory: "4Gi" } },
      },
    },
    "test",
  );
  const [whole, fraction, none] = pod.containers;

  it("host without an assignment, whatever the container", () => {
    for (const c of pod.containers) assert.equal(resourceIsolationLevel(pod, c, false, ON), "host");
  });

  it("pod for containers that do not qualify for exclusive CPUs, with the gate", () => {
    assert.equal(resourceIsolationLevel(pod, whole, true, ON), "container");
    assert.equal(resourceIsolationLevel(pod, fraction, true, ON), "pod");
    assert.equal(resourceIsolationLevel(pod, none, true, ON), "pod");
    assert.equal(resourceIsolationLevel(pod, none, true, OFF), "container");
  });
});

describe("pod cgroup without pod-level resources", () => {
  it("aggregates containers (sidecar formula) and follows the QoS class", () => {
    const burstable = podFromObject(
      {
        metadata: { name: "b" },
        spec: {
          initContainers: [{ name: "s", restartPolicy: "Always", resources: { requests: { cpu: "500m" } } }],
          containers: [{ name: "a", resources: { requests: { cpu: "1" }, limits: { memory: "1Gi" } } }],
        },
      },
      "test",
    );
    const none = cpuStatesFromAssignments(burstable, new Map(), ON);
    assert.deepEqual(podCgroupSettings(burstable, none, DEFAULT_CFS_SETTINGS, ON), {
      cpuShares: 1536,
      cpuQuotaUs: null,
      cpuPeriodUs: 100_000,
      memoryLimitBytes: null,
      hugepageLimitsBytes: {},
      documentedCpuQuotaUs: null,
    });
    const bestEffort = podFromObject(
      { metadata: { name: "e" }, spec: { containers: [{ name: "a" }] } },
      "test",
    );
    const cg = podCgroupSettings(bestEffort, none, DEFAULT_CFS_SETTINGS, ON);
    assert.equal(cg.cpuShares, 2);
    assert.equal(cg.cpuQuotaUs, null);
  });

  it("hugepage limits come from requests", () => {
    const p = podFromObject(
      {
        metadata: { name: "h" },
        spec: {
          containers: [
            { name: "a", resources: { limits: { cpu: "1", memory: "1Gi", "hugepages-2Mi": "4Mi" } } },
          ],
        },
      },
      "test",
    );
    const cg = podCgroupSettings(p, cpuStatesFromAssignments(p, new Map(), OFF), DEFAULT_CFS_SETTINGS, OFF);
    assert.deepEqual(cg.hugepageLimitsBytes, { "hugepages-2Mi": 4n * 1024n * 1024n });
    assert.equal(cg.cpuQuotaUs, 100_000);
  });
});

describe("CFS arithmetic", () => {
  it("milliCPUToQuota: none for 0, at least 1000 µs, proportional to the period", () => {
    assert.equal(milliCPUToQuota(0, 100_000), 0);
    assert.equal(milliCPUToQuota(1, 100_000), 1000);
    assert.equal(milliCPUToQuota(1500, 100_000), 150_000);
    assert.equal(milliCPUToQuota(8000n, 50_000), 400_000);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 1000, max: 1_000_000 }),
        (m, period) => {
          const q = milliCPUToQuota(m, period);
          return q >= 1000 && q >= Math.floor((m * period) / 1000) && q <= milliCPUToQuota(m + 1, period);
        },
      ),
    );
  });

  it("the double arithmetic equals the bigint arithmetic, at the edges of exactness too", () => {
    const edge = BigInt(Number.MAX_SAFE_INTEGER);
    const milli = fc.oneof(
      fc.bigInt({ min: -(edge * 4n), max: edge * 4n }),
      fc.bigInt({ min: -5000n, max: 5000n }),
      fc.bigInt({ min: edge / 100_000n - 5n, max: edge / 100_000n + 5n }),
      fc.integer({ min: -1_000_000, max: 1_000_000 }),
    );
    const period = fc.oneof(
      fc.integer({ min: -1000, max: 1_000_000 }),
      fc.constantFrom(0, 1000, 100_000, Number.MAX_SAFE_INTEGER, 2 ** 60),
    );
    fc.assert(
      fc.property(milli, period, (m, p) => {
        assert.equal(milliCPUToQuota(m, p), milliCPUToQuotaExact(m, p));
        assert.equal(milliCPUToShares(m), milliCPUToSharesExact(m));
      }),
      { numRuns: 3000 },
    );
    assert.throws(() => milliCPUToQuota(1.5, 100_000), RangeError);
    assert.throws(() => milliCPUToQuota(1000, 0.5), RangeError);
  });

  it("milliCPUToShares: clamped to [2, 262144]", () => {
    assert.equal(milliCPUToShares(0), 2);
    assert.equal(milliCPUToShares(1), 2);
    assert.equal(milliCPUToShares(1000), 1024);
    assert.equal(milliCPUToShares(10_000_000), 262_144);
  });
});

describe("pod overhead (a RuntimeClass's .spec.overhead) in the pod cgroup", () => {
  it("is added to the requests behind cpu.shares and to the limits that are set", () => {
    const pod = one(`apiVersion: v1
kind: Pod
metadata: {name: kata, uid: kata}
spec:
  overhead: {cpu: 250m, memory: 160Mi}
  containers:
  - name: app
    resources:
      requests: {cpu: "2", memory: 1Gi}
      limits: {cpu: "2", memory: 1Gi}
`);
    const stateOf = cpuStatesFromAssignments(pod, sets({}), ON);
    const cg = podCgroupSettings(pod, stateOf, DEFAULT_CFS_SETTINGS, ON);
    assert.equal(cg.cpuShares, Math.floor((2250 * 1024) / 1000));
    assert.equal(cg.memoryLimitBytes, GiB + 160n * 1024n * 1024n);
    assert.equal(cg.cpuQuotaUs, 225_000);
  });
});
