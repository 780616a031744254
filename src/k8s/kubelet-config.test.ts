import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import {
  DEFAULT_FEATURE_GATES,
  kubeletConfigFromObject,
  parseFeatureGates,
  parseGoDuration,
  parseKubeletConfig,
  reservedMemoryMismatch,
} from "./index.js";

/** A node's configuration as found on disk, with many fields podpin does not use. */
const NODE_CONFIG = `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: 0.0.0.0
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
clusterDNS: [10.96.0.10]
clusterDomain: cluster.local
cgroupDriver: systemd
maxPods: 110
featureGates:
  PodLevelResources: true
  PodLevelResourceManagers: true
  KubeletTracing: true
cpuManagerPolicy: static
cpuManagerPolicyOptions:
  full-pcpus-only: "true"
cpuManagerReconcilePeriod: 5s
kubeReserved: {cpu: 1500m, memory: 1000Mi}
systemReserved: {cpu: 500m}
evictionHard:
  memory.available: 100Mi
  nodefs.available: 10%
memoryManagerPolicy: Static
reservedMemory:
- numaNode: 0
  limits: {memory: 600Mi}
- numaNode: 1
  limits: {memory: 500Mi}
topologyManagerPolicy: single-numa-node
topologyManagerScope: pod
topologyManagerPolicyOptions:
  prefer-closest-numa-nodes: true
  max-allowable-numa-nodes: 16
kubernetesVersion: "1.36"
`;

describe("KubeletConfiguration", () => {
  it("reads a real node configuration", () => {
    const cfg = parseKubeletConfig(NODE_CONFIG, "kubelet.yaml");
    assert.equal(cfg.kubernetesVersion, "1.36");
    assert.deepEqual(cfg.featureGates, {
      ...DEFAULT_FEATURE_GATES,
      PodLevelResources: true,
      PodLevelResourceManagers: true,
    });
    assert.deepEqual(cfg.otherFeatureGates, { KubeletTracing: true });
    assert.equal(cfg.cpuManagerPolicy, "static");
    assert.deepEqual(cfg.cpuManagerPolicyOptions, { "full-pcpus-only": "true" });
    assert.equal(cfg.cpuManagerReconcilePeriodMs, 5000);
    assert.equal(cfg.reservedSystemCPUs, null);
    assert.equal(cfg.numReservedCPUs, 2);
    assert.equal(cfg.memoryManagerPolicy, "Static");
    assert.deepEqual(
      [...cfg.reservedMemory].map(([node, m]) => [node, Object.fromEntries(m)]),
      [
        [0, { memory: 600n * 1024n * 1024n }],
        [1, { memory: 500n * 1024n * 1024n }],
      ],
    );
    assert.equal(cfg.topologyManagerPolicy, "single-numa-node");
    assert.equal(cfg.topologyManagerScope, "pod");
    assert.deepEqual(cfg.topologyManagerPolicyOptions, {
      "prefer-closest-numa-nodes": "true",
      "max-allowable-numa-nodes": "16",
    });
    assert.equal(cfg.cpuCFSQuota, true);
    assert.equal(cfg.cpuCFSQuotaPeriodUs, 100_000);
  });

  it("has the kubelet's defaults", () => {
    const cfg = parseKubeletConfig("{}", "empty.json");
    assert.equal(cfg.kubernetesVersion, "1.37");
    assert.deepEqual(cfg.featureGates, DEFAULT_FEATURE_GATES);
    assert.equal(cfg.cpuManagerPolicy, "none");
    assert.equal(cfg.memoryManagerPolicy, "None");
    assert.equal(cfg.topologyManagerPolicy, "none");
    assert.equal(cfg.topologyManagerScope, "container");
    assert.equal(cfg.cpuManagerReconcilePeriodMs, 10_000);
    assert.equal(cfg.numReservedCPUs, 0);
    assert.equal(cfg.cpuCFSQuotaPeriodUs, 100_000);
    const threshold = cfg.evictionHard["memory.available"];
    assert.ok("quantity" in threshold && threshold.quantity.toString() === "100Mi");
  });

  it("counts reservedSystemCPUs instead of the cpu reservations when set", () => {
    const cfg = parseKubeletConfig("reservedSystemCPUs: 0,16\nkubeReserved: {cpu: 7}\n", "k.yaml");
    assert.equal(cfg.reservedSystemCPUs?.toString(), "0,16");
    assert.equal(cfg.numReservedCPUs, 2);
  });

  it("rounds the cpu reservation up: ceil(kubeReserved.cpu + systemReserved.cpu)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 64_000 }), fc.integer({ min: 0, max: 64_000 }), (a, b) => {
        const cfg = parseKubeletConfig(
          `kubeReserved: {cpu: ${a}m}\nsystemReserved: {cpu: ${b}m}\n`,
          "k.yaml",
        );
        return cfg.numReservedCPUs === Math.ceil((a + b) / 1000);
      }),
      { numRuns: 50 },
    );
  });

  it("checks reservedMemory against Node Allocatable (MM-2), with default or merged eviction", () => {
    const ok =
      "memoryManagerPolicy: Static\nkubeReserved: {memory: 1000Mi}\nreservedMemory: [{numaNode: 0, limits: {memory: 1100Mi}}]\n";
    assert.equal(parseKubeletConfig(ok, "k.yaml").memoryManagerPolicy, "Static");
    const merged = `${ok}mergeDefaultEvictionSettings: true\nevictionHard: {nodefs.available: 5%}\n`;
    assert.equal(parseKubeletConfig(merged, "k.yaml").evictionHard["nodefs.available"] !== undefined, true);
    const replaced = `${ok}evictionHard: {nodefs.available: 5%}\n`;
    assert.throws(
      () => parseKubeletConfig(replaced, "k.yaml"),
      /the total amount "1100Mi" of type "memory" is not equal to the value "1000Mi" determined by Node Allocatable feature/,
    );
  });

  it("resolves a percentage memory.available against the node's capacity, in float32 as the kubelet does", () => {
    const cfg = parseKubeletConfig(
      "memoryManagerPolicy: None\nevictionHard: {memory.available: 10%}\nreservedMemory: [{numaNode: 0, limits: {memory: 1Gi}}]\n",
      "k.yaml",
    );
    assert.equal(reservedMemoryMismatch(cfg), null, "unknown capacity: left to start-up");
    // float32(10)/100 × 10Gi truncates to 1073741840, 16 bytes more than 1Gi: the kubelet refuses 1Gi.
    assert.equal(
      reservedMemoryMismatch(cfg, 10n * 1024n ** 3n),
      'the total amount "1Gi" of type "memory" is not equal to the value "1073741840" determined by Node Allocatable feature',
    );
    const exact = parseKubeletConfig(
      "evictionHard: {memory.available: 10%}\nreservedMemory: [{numaNode: 0, limits: {memory: 1073741840}}]\n",
      "k.yaml",
    );
    assert.equal(reservedMemoryMismatch(exact, 10n * 1024n ** 3n), null);
  });

  it("reads every kubelet object of the node admission vectors", () => {
    const dir =
      process.env.PODPIN_CONFORMANCE_DIR ??
      fileURLToPath(new URL("../../../shared/conformance", import.meta.url));
    const cases = JSON.parse(readFileSync(join(dir, "node/admit.json"), "utf8"));
    for (const c of cases as { name: string; kubelet: unknown }[]) {
      const cfg = kubeletConfigFromObject(c.kubelet, c.name);
      assert.ok(cfg.numReservedCPUs > 0, c.name);
    }
  });
});

describe("feature gates and durations", () => {
  it("parses --feature-gates over the defaults", () => {
    const { featureGates, otherFeatureGates } = parseFeatureGates(
      " PodLevelResources=true, PodLevelResourceManagers=1,DisableCPUQuotaWithExclusiveCPUs=False,KubeletTracing=t,",
      undefined,
      "--feature-gates",
      "1.36",
    );
    assert.equal(featureGates.PodLevelResources, true);
    assert.equal(featureGates.PodLevelResourceManagers, true);
    assert.equal(featureGates.DisableCPUQuotaWithExclusiveCPUs, false);
    assert.equal(featureGates.CPUManagerPolicyBetaOptions, true);
    assert.deepEqual(otherFeatureGates, { KubeletTracing: true });
  });

  it("parses Go durations", () => {
    assert.equal(parseGoDuration("100ms"), 100_000_000n);
    assert.equal(parseGoDuration("1m30s"), 90_000_000_000n);
    assert.equal(parseGoDuration("1.5h"), 5_400_000_000_000n);
    assert.equal(parseGoDuration("0"), 0n);
    assert.equal(parseGoDuration("250us"), 250_000n);
    assert.equal(parseGoDuration("10"), 'time: missing unit in duration "10"');
    assert.equal(parseGoDuration(""), 'time: invalid duration ""');
  });
});
