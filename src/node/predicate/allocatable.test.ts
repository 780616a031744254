import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CPUSet, Quantity } from "../../core/index.js";
import { kubeletConfigFromObject } from "../../k8s/index.js";
import { nodeConfigFromKubelet } from "../config.js";
import { type CapacityFacts, nodeResources, podCapacity, reservationProblem } from "./allocatable.js";
import { percentageOfCapacity } from "./eviction.js";
import { amountsOf } from "./resources.js";

const Mi = 1n << 20n;
const Gi = 1n << 30n;

function facts(over: Partial<CapacityFacts> = {}): CapacityFacts {
  return {
    numCPUs: 64,
    memoryBytes: 64n * Gi,
    hugepages: {},
    ephemeralStorageBytes: null,
    devices: new Map(),
    extendedResources: {},
    ...over,
  };
}

/** The allocatable the predicate reads: integers (cpu in millicores). */
function allocatableOf(f: CapacityFacts, kubelet: Record<string, unknown>): Record<string, string> {
  const config = nodeConfigFromKubelet(kubeletConfigFromObject(kubelet, "test kubelet"));
  const a = amountsOf(nodeResources(f, config).allocatable);
  return Object.fromEntries([...a].map(([k, v]) => [k, String(v)]));
}

describe("node allocatable", () => {
  it("worked example predicate-oracle-000: reservations, eviction in float32, pods", () => {
    const got = allocatableOf(facts({ ephemeralStorageBytes: 1073754169678n }), {
      systemReserved: { cpu: "250m", memory: "256Mi" },
      kubeReserved: { cpu: "1" },
      evictionHard: { "memory.available": "200Mi", "nodefs.available": "10%" },
    });
    assert.deepEqual(got, {
      cpu: "62750",
      "ephemeral-storage": "966378751111",
      memory: "68241326080",
      pods: "110",
    });
  });

  it("a percentage is a 32-bit float: 10% of 1073754169678 is about 1600 more than the tenth", () => {
    assert.equal(percentageOfCapacity(10, 1073754169678n), 107375418567n);
    assert.ok(107375418567n - 1073754169678n / 10n > 1500n);
  });

  it("reservedSystemCPUs replaces systemReserved.cpu by its size and drops kubeReserved.cpu", () => {
    const got = allocatableOf(facts({ numCPUs: 8 }), {
      reservedSystemCPUs: "0,4",
      systemReserved: { cpu: "3" },
      kubeReserved: { cpu: "1", memory: "1Gi" },
      evictionHard: { "memory.available": "100Mi" },
    });
    assert.equal(got.cpu, "6000");
    assert.equal(got.memory, String(64n * Gi - Gi - 100n * Mi));
  });

  it("hugepage capacity leaves allocatable memory; devices count healthy ones; extended resources stay", () => {
    const got = allocatableOf(
      facts({
        numCPUs: 16,
        memoryBytes: 16n * Gi,
        hugepages: { "hugepages-2Mi": 256n * Mi },
        devices: new Map([["nvidia.com/gpu", { capacity: 8, allocatable: 6 }]]),
        extendedResources: { "example.com/foo": 3n },
      }),
      { systemReserved: { memory: "1Gi" }, evictionHard: { "memory.available": "10%" }, podsPerCore: 1 },
    );
    const eviction = percentageOfCapacity(10, 16n * Gi);
    assert.deepEqual(got, {
      cpu: "16000",
      "example.com/foo": "3",
      "hugepages-2Mi": String(256n * Mi),
      memory: String(16n * Gi - Gi - eviction - 256n * Mi),
      "nvidia.com/gpu": "6",
      pods: "16",
    });
  });

  it("the kubelet's default thresholds apply when evictionHard is absent; no disk means no ephemeral-storage", () => {
    const got = allocatableOf(facts(), {});
    assert.equal(got.memory, String(64n * Gi - 100n * Mi));
    assert.equal(got["ephemeral-storage"], undefined);
    const withDisk = allocatableOf(facts({ ephemeralStorageBytes: 100n * Gi }), {});
    assert.equal(withDisk["ephemeral-storage"], String(100n * Gi - percentageOfCapacity(10, 100n * Gi)));
  });

  it("0% and 100% thresholds reserve nothing", () => {
    const got = allocatableOf(facts({ ephemeralStorageBytes: 100n * Gi }), {
      evictionHard: { "memory.available": "0%", "nodefs.available": "100%" },
    });
    assert.equal(got.memory, String(64n * Gi));
    assert.equal(got["ephemeral-storage"], String(100n * Gi));
  });

  it("reads maxPods, podsPerCore and registerWithTaints from the KubeletConfiguration", () => {
    const config = nodeConfigFromKubelet(
      kubeletConfigFromObject(
        {
          maxPods: 30,
          podsPerCore: 2,
          registerWithTaints: [{ key: "dedicated", value: "gpu", effect: "NoExecute" }],
        },
        "test kubelet",
      ),
    );
    assert.deepEqual([config.maxPods, config.podsPerCore], [30, 2]);
    assert.deepEqual(config.registerWithTaints, [{ key: "dedicated", value: "gpu", effect: "NoExecute" }]);
    assert.throws(
      () => kubeletConfigFromObject({ maxPods: -1 }, "k"),
      /k: maxPods: must not be negative, got -1/,
    );
    assert.equal(allocatableOf(facts({ numCPUs: 4 }), { maxPods: 30, podsPerCore: 2 }).pods, "8");
  });

  it("pods: maxPods, capped by podsPerCore × CPUs", () => {
    assert.equal(podCapacity(4, 110, 0), 110);
    assert.equal(podCapacity(4, 110, 10), 40);
    assert.equal(podCapacity(64, 110, 10), 110);
  });

  it("a reservation larger than its capacity is refused (the kubelet would not start)", () => {
    const r = nodeResources(facts({ numCPUs: 2 }), {
      maxPods: 110,
      podsPerCore: 0,
      systemReserved: { cpu: Quantity.parse("2") },
      kubeReserved: { cpu: Quantity.parse("500m") },
      reservedSystemCPUs: null,
      evictionHard: {},
    });
    assert.equal(
      reservationProblem(r),
      "invalid Node Allocatable configuration: reservation of cpu (2500m) exceeds capacity (2)",
    );
    assert.equal(r.allocatable.cpu.milliValue(), 0n, "clamped at zero");
    const fits = nodeResources(facts({ numCPUs: 2 }), {
      maxPods: 110,
      podsPerCore: 0,
      systemReserved: {},
      kubeReserved: {},
      reservedSystemCPUs: CPUSet.parse("0-1"),
      evictionHard: {},
    });
    assert.equal(reservationProblem(fits), null, "a reservation equal to the capacity is allowed");
  });
});
