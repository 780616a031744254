import assert from "node:assert/strict";
import { test } from "node:test";
import { DEFAULT_FEATURE_GATES, type FeatureGates } from "../../k8s/index.js";
import { parseGoBool } from "./options.js";
import { podGuaranteedCPUs } from "./requests.js";
import { testPod } from "./test-pods.js";
import { validatePodScopeResources } from "./validate-pod-scope.js";

const gates: FeatureGates = {
  ...DEFAULT_FEATURE_GATES,
  PodLevelResources: true,
  PodLevelResourceManagers: true,
};

test("an exclusive standard init container larger than the pool left by earlier sidecars", () => {
  const pod = testPod({
    uid: "p",
    podCPU: "4",
    init: [
      { name: "side", cpu: "2", sidecar: true },
      { name: "init", cpu: "3" },
    ],
    apps: [{ name: "app", cpu: "1" }],
  });
  assert.equal(
    validatePodScopeResources(pod, gates),
    "pod rejected, largest exclusive init container requests 3 cpus, but only 2 available",
  );
});

test("leftover CPUs without shared containers are allowed (they are wasted)", () => {
  const pod = testPod({ uid: "p", podCPU: "4", apps: [{ name: "a", cpu: "1" }] });
  assert.equal(validatePodScopeResources(pod, gates), null);
});

test("a container without resources is shared; a fractional one too", () => {
  const pod = testPod({
    uid: "p",
    podCPU: "2",
    apps: [
      { name: "a", cpu: "2" },
      { name: "b", bare: true },
    ],
  });
  assert.match(validatePodScopeResources(pod, gates) ?? "", /leaving no cpus for shared containers/);
  const frac = testPod({
    uid: "p",
    podCPU: "3",
    apps: [
      { name: "a", cpu: "2" },
      { name: "b", cpu: "500m" },
    ],
  });
  assert.equal(validatePodScopeResources(frac, gates), null);
});

test("classic pod budget: sidecars add up, standard init containers see the sidecars before them", () => {
  const pod = testPod({
    uid: "p",
    init: [
      { name: "s1", cpu: "1", sidecar: true },
      { name: "i1", cpu: "4" },
      { name: "s2", cpu: "2", sidecar: true },
    ],
    apps: [
      { name: "a", cpu: "1" },
      { name: "b", cpu: "500m" },
    ],
  });
  assert.equal(podGuaranteedCPUs(pod, DEFAULT_FEATURE_GATES), 5);
});

test("Go ParseBool spellings", () => {
  for (const t of ["1", "t", "T", "true", "TRUE", "True"]) assert.equal(parseGoBool(t), true);
  for (const f of ["0", "f", "F", "false", "FALSE", "False"]) assert.equal(parseGoBool(f), false);
  assert.equal(parseGoBool("tRuE"), 'strconv.ParseBool: parsing "tRuE": invalid syntax');
});
