import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { CPUSet } from "../../core/index.js";
import { containersInOrder, type Pod } from "../../k8s/index.js";
import { kubeletFixture } from "../../machine/index.js";
import type { CPUState } from "./state.js";
import { StaticPolicy } from "./static-policy.js";
import { type TestContainer, testPod } from "./test-pods.js";
import { entriesToJSON, fixedAffinity } from "./testing.js";

const FIXTURES = [
  "topoSingleSocketHT",
  "topoDualSocketHT",
  "topoDualSocketNoHT",
  "topoTripleSocketHT",
  "topoDualSocketMultiNumaPerSocketHT",
  "fakeTopoMultiSocketDualSocketPerNumaHT",
  "topoUncoreSingleSocketMultiNuma",
  "topoUncoreSingleSocketSMT",
  "machineInfoHints12",
];

const OPTION_SETS: Record<string, string>[] = [
  {},
  { "full-pcpus-only": "true" },
  { "distribute-cpus-across-numa": "true" },
  { "distribute-cpus-across-cores": "true" },
  { "prefer-align-cpus-by-uncorecache": "true" },
  { "full-pcpus-only": "true", "prefer-align-cpus-by-uncorecache": "true" },
  { "strict-cpu-reservation": "true" },
];

const cpuValue = fc.constantFrom(undefined, undefined, "500m", "1", "1", "2", "3", "4");

const containerArb = (prefix: string, sidecars: boolean) =>
  fc
    .array(fc.record({ cpu: cpuValue, sidecar: sidecars ? fc.boolean() : fc.constant(false) }), {
      minLength: sidecars ? 0 : 1,
      maxLength: 3,
    })
    .map((cs) => cs.map((c, i): TestContainer => ({ name: `${prefix}${i}`, ...c })));

/** A pod without a name yet: classic, or pod-level with an integral budget. */
const podArb = fc.record({
  podCPU: fc.option(fc.integer({ min: 1, max: 8 }).map(String), { nil: undefined }),
  init: containerArb("i", true),
  apps: containerArb("a", false),
});

const scenarioArb = fc.record({
  fixture: fc.constantFrom(...FIXTURES),
  options: fc.constantFrom(...OPTION_SETS),
  reserved: fc.integer({ min: 0, max: 3 }),
  hint: fc.option(fc.integer({ min: 0, max: 15 }), { nil: null }),
  steps: fc.array(
    fc.oneof(
      { weight: 3, arbitrary: podArb.map((p) => ({ op: "admit" as const, pod: p })) },
      { weight: 1, arbitrary: fc.nat().map((n) => ({ op: "remove" as const, pick: n })) },
    ),
    { minLength: 1, maxLength: 12 },
  ),
});

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

function makePolicy(s: Scenario): StaticPolicy {
  const topology = kubeletFixture(s.fixture)!;
  const numa = topology.numaNodes();
  const hintNodes = s.hint === null ? null : numa.filter((_, i) => (s.hint! >> i) & 1);
  const policy = new StaticPolicy({
    topology,
    numReservedCPUs: s.reserved,
    options: s.options,
    gates: { PodLevelResources: true, PodLevelResourceManagers: true, CPUManagerPolicyAlphaOptions: true },
    affinity: fixedAffinity(hintNodes && hintNodes.length > 0 ? hintNodes : null),
  });
  assert.equal(policy.start(), null);
  return policy;
}

function usesBubble(pod: Pod): boolean {
  return pod.resources !== null;
}

/** Admits like the Topology Manager's pod scope, cleaning up after a failed container. */
function admit(policy: StaticPolicy, pod: Pod): boolean {
  if (usesBubble(pod)) return policy.allocatePod(pod) === null;
  for (const c of containersInOrder(pod)) {
    if (policy.allocate(pod, c) !== null) {
      removePod(policy, pod);
      return false;
    }
  }
  return true;
}

function removePod(policy: StaticPolicy, pod: Pod): void {
  for (const c of containersInOrder(pod)) policy.removeContainer(pod.uid, c.name);
}

/** The state as text, so that equal sets compare equal whatever their cached fields. */
function snapshot(state: CPUState): unknown {
  return {
    default: state.getDefaultCPUSet().toString(),
    entries: entriesToJSON(state),
    pods: [...state.getPodCPUAssignments()].map(([uid, set]) => [uid, set.toString()]).sort(),
  };
}

function held(state: CPUState, uid: string): CPUSet {
  return CPUSet.empty.union(state.getPodCPUSet(uid) ?? CPUSet.empty, ...state.podAssignments(uid).values());
}

function checkInvariants(policy: StaticPolicy, pods: Map<string, Pod>): void {
  const s = policy.state;
  const def = s.getDefaultCPUSet();
  const uids = [...new Set([...s.getCPUAssignments().keys(), ...s.getPodCPUAssignments().keys()])];
  let all = def;
  for (let i = 0; i < uids.length; i++) {
    const hi = held(s, uids[i]);
    assert.ok(!hi.intersects(def), `pod ${uids[i]} holds default CPUs`);
    for (let j = i + 1; j < uids.length; j++) {
      assert.ok(!hi.intersects(held(s, uids[j])), `pods ${uids[i]} and ${uids[j]} share CPUs`);
    }
    all = all.union(hi);
    const bubble = s.getPodCPUSet(uids[i]);
    const pod = pods.get(uids[i])!;
    if (bubble) {
      for (const cset of s.podAssignments(uids[i]).values()) assert.ok(cset.isSubsetOf(bubble));
    } else {
      // Containers running together (sidecars and apps) never share an exclusive CPU.
      const longRunning = containersInOrder(pod)
        .filter((c) => c.restartPolicy === "Always" || pod.containers.includes(c))
        .map((c) => s.getCPUSet(pod.uid, c.name))
        .filter((x): x is CPUSet => x !== undefined);
      for (let a = 0; a < longRunning.length; a++) {
        for (let b = a + 1; b < longRunning.length; b++)
          assert.ok(!longRunning[a].intersects(longRunning[b]));
      }
    }
  }
  const strict = policy.options.strictCPUReservation;
  const machine = strict ? policy.topology.all.difference(policy.reserved) : policy.topology.all;
  assert.equal(all.toString(), machine.toString(), "default + assignments + bubbles cover the machine");
  if (strict) assert.ok(!policy.reserved.intersects(def));
  else assert.ok(policy.reserved.isSubsetOf(def));
}

describe("static policy invariants over random admissions and removals", () => {
  test("no CPU is held twice; default, assignments, bubbles and reserved partition the machine", () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const policy = makePolicy(s);
        const live = new Map<string, Pod>();
        const seen = new Map<string, Pod>();
        s.steps.forEach((step, n) => {
          if (step.op === "admit") {
            const pod = testPod({ uid: `pod${n}`, ...step.pod });
            seen.set(pod.uid, pod);
            const before = snapshot(policy.state);
            if (admit(policy, pod)) live.set(pod.uid, pod);
            // A failed admission leaves nothing behind.
            else assert.deepEqual(snapshot(policy.state), before);
          } else if (live.size > 0) {
            const uid = [...live.keys()][step.pick % live.size];
            removePod(policy, live.get(uid)!);
            live.delete(uid);
          }
          checkInvariants(policy, seen);
        });
      }),
      { numRuns: 300 },
    );
  });

  test("admitting a pod and removing it restores the exact prior state", () => {
    fc.assert(
      fc.property(scenarioArb, podArb, (s, extra) => {
        const policy = makePolicy(s);
        s.steps.forEach((step, n) => {
          if (step.op === "admit") admit(policy, testPod({ uid: `pod${n}`, ...step.pod }));
        });
        const before = snapshot(policy.state);
        const pod = testPod({ uid: "extra", ...extra });
        admit(policy, pod);
        removePod(policy, pod);
        assert.deepEqual(snapshot(policy.state), before);
      }),
      { numRuns: 300 },
    );
  });

  test("re-admitting an admitted pod-level pod changes nothing", () => {
    fc.assert(
      fc.property(scenarioArb, podArb, (s, extra) => {
        fc.pre(extra.podCPU !== undefined);
        const policy = makePolicy(s);
        const pod = testPod({ uid: "again", ...extra });
        fc.pre(policy.allocatePod(pod) === null);
        const before = snapshot(policy.state);
        assert.equal(policy.allocatePod(pod), null);
        assert.deepEqual(snapshot(policy.state), before);
      }),
      { numRuns: 200 },
    );
  });
});
