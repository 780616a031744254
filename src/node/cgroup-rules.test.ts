import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { CPUSet, type Quantity } from "../core/index.js";
import { BLOG_DATABASE_POD, BLOG_ML_POD } from "../k8s/blog-pods.cases.js";
import {
  aggregateContainerLimits,
  aggregateContainerRequests,
  containersInOrder,
  DEFAULT_FEATURE_GATES,
  type FeatureGates,
  isPodLevelResourcesSet,
  isSupportedPodLevelResource,
  type Pod,
  parsePods,
  podFromObject,
  podQOS,
  type ResourceList,
  withAdmissionMemo,
} from "../k8s/index.js";
import {
  type CFSSettings,
  type CPUStateOf,
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
import type { PodCgroup } from "./types.js";

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

/*
 * The pod cgroup against its plain reading: every list built in full (the limits aggregate with
 * its contribution hook, pod-level values, overhead), on random pods, gates and CPU assignments.
 */
function referenceTotals(pod: Pod, gates: FeatureGates) {
  const podLevel = gates.PodLevelResources ? pod.resources : null;
  let cpuDeclared = true;
  let memoryDeclared = true;
  const limits = aggregateContainerLimits(pod, (list) => {
    if (!list.cpu || list.cpu.isZero()) cpuDeclared = false;
    if (!list.memory || list.memory.isZero()) memoryDeclared = false;
  });
  if (podLevel && isPodLevelResourcesSet(pod)) {
    if (podLevel.limits.cpu && !podLevel.limits.cpu.isZero()) cpuDeclared = true;
    if (podLevel.limits.memory && !podLevel.limits.memory.isZero()) memoryDeclared = true;
  }
  const withPodLevel = (list: ResourceList, level: ResourceList | undefined): ResourceList => {
    const out = { ...list };
    for (const [name, q] of Object.entries(level ?? {})) if (isSupportedPodLevelResource(name)) out[name] = q;
    return out;
  };
  const withOverhead = (list: ResourceList, addMissing: boolean): ResourceList => {
    const out = { ...list };
    for (const [name, q] of Object.entries(pod.overhead ?? {})) {
      const have = Object.hasOwn(out, name) ? out[name] : undefined;
      if (have) out[name] = have.add(q);
      else if (addMissing) out[name] = q;
    }
    return out;
  };
  return {
    requests: withOverhead(withPodLevel(aggregateContainerRequests(pod), podLevel?.requests), true),
    limits: withOverhead(withPodLevel(limits, podLevel?.limits), false),
    cpuDeclared,
    memoryDeclared,
  };
}

function referenceCgroup(pod: Pod, stateOf: CPUStateOf, cfs: CFSSettings, gates: FeatureGates): PodCgroup {
  const qos = podQOS(pod, gates);
  const t = referenceTotals(pod, gates);
  const milli = (q: Quantity | undefined) => (q ? q.milliValue() : 0n);
  const quotaWith = (enforce: boolean): number | null => {
    if (qos === "BestEffort" || (qos === "Burstable" && !t.cpuDeclared)) return null;
    if (!enforce) return -1;
    const quota = milliCPUToQuota(milli(t.limits.cpu), cfs.cpuCFSQuotaPeriodUs);
    return quota === 0 ? null : quota;
  };
  const all = containersInOrder(pod);
  let exclusive = false;
  if (gates.DisableCPUQuotaWithExclusiveCPUs) {
    const pooled =
      gates.PodLevelResourceManagers &&
      isPodLevelResourcesSet(pod) &&
      all.some((c) => stateOf(c).isolation === "pod");
    exclusive = !pooled && all.some((c) => containerHasExclusiveCPUs(stateOf(c)));
  }
  const cpuQuotaUs = quotaWith(cfs.cpuCFSQuota && !exclusive);
  const documented = quotaWith(cfs.cpuCFSQuota);
  const memory = t.limits.memory ? t.limits.memory.value() : 0n;
  const hugepages: Record<string, bigint> = {};
  for (const [name, q] of Object.entries(t.requests))
    if (name.startsWith("hugepages-")) hugepages[name] = q.value();
  return {
    cpuShares: qos === "BestEffort" ? 2 : milliCPUToShares(milli(t.requests.cpu)),
    cpuQuotaUs,
    cpuPeriodUs: cfs.cpuCFSQuotaPeriodUs,
    memoryLimitBytes:
      qos === "Guaranteed" || (qos === "Burstable" && t.memoryDeclared) ? memory || null : null,
    hugepageLimitsBytes: hugepages,
    documentedCpuQuotaUs: documented === cpuQuotaUs ? null : documented,
  };
}

describe("pod cgroup against its plain reading", () => {
  const list = fc.record(
    {
      cpu: fc.constantFrom("0", "250m", "1", "2", "1500m"),
      memory: fc.constantFrom("0", "64Mi", "1Gi"),
      "hugepages-2Mi": fc.constantFrom("0", "2Mi", "4Mi"),
      "hugepages-1Gi": fc.constantFrom("1Gi"),
    },
    { requiredKeys: [] },
  );
  const resources = fc.option(fc.record({ requests: list, limits: list }), { nil: undefined });
  const podArb = fc.record({
    apps: fc.array(resources, { minLength: 1, maxLength: 3 }),
    inits: fc.array(fc.record({ resources, sidecar: fc.boolean() }), { maxLength: 3 }),
    podLevel: resources,
    overhead: fc.option(list, { nil: undefined }),
    assigned: fc.array(fc.constantFrom("", "1", "2-3"), { minLength: 6, maxLength: 6 }),
    gates: fc.record({
      PodLevelResources: fc.boolean(),
      PodLevelResourceManagers: fc.boolean(),
      DisableCPUQuotaWithExclusiveCPUs: fc.boolean(),
    }),
    cfs: fc.record({ cpuCFSQuota: fc.boolean(), cpuCFSQuotaPeriodUs: fc.constantFrom(100_000, 50_000) }),
    memo: fc.boolean(),
  });
  it("gives the same settings", () => {
    fc.assert(
      fc.property(podArb, (p) => {
        const pod = podFromObject(
          {
            metadata: { name: "p", uid: "u" },
            spec: {
              containers: p.apps.map((r, i) => ({ name: `a${i}`, ...(r ? { resources: r } : {}) })),
              initContainers: p.inits.map(({ resources: r, sidecar }, i) => ({
                name: `i${i}`,
                ...(r ? { resources: r } : {}),
                ...(sidecar ? { restartPolicy: "Always" } : {}),
              })),
              ...(p.podLevel ? { resources: p.podLevel } : {}),
              ...(p.overhead ? { overhead: p.overhead } : {}),
            },
          },
          "test",
        );
        const gates: FeatureGates = { ...DEFAULT_FEATURE_GATES, ...p.gates };
        const assignments = new Map(
          containersInOrder(pod).map((c, i): [string, CPUSet] => [c.name, CPUSet.parse(p.assigned[i])]),
        );
        const stateOf = cpuStatesFromAssignments(pod, assignments, gates);
        const got = () => podCgroupSettings(pod, stateOf, p.cfs, gates);
        const cg = p.memo ? withAdmissionMemo(got) : got();
        const expected = referenceCgroup(pod, stateOf, p.cfs, gates);
        assert.deepEqual(cg, expected);
        assert.deepEqual(Object.keys(cg.hugepageLimitsBytes), Object.keys(expected.hugepageLimitsBytes));
      }),
      { numRuns: 1000 },
    );
  });
});
