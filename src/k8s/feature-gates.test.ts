import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FEATURE_GATE_TABLE } from "./feature-gates-data.js";
import {
  DEFAULT_FEATURE_GATES,
  defaultFeatureGates,
  featureGateSpec,
  knownFeatureGates,
  parseFeatureGates,
} from "./index.js";

describe("feature gate data (kubelet 1.36 and 1.37)", () => {
  it("is well formed: three columns, one line per gate", () => {
    const names = new Set<string>();
    for (const line of FEATURE_GATE_TABLE.trim().split("\n")) {
      const cols = line.trim().split(/\s+/);
      assert.equal(cols.length, 3, line);
      assert.ok(!names.has(cols[0]), `${cols[0]} twice`);
      names.add(cols[0]);
      for (const code of cols.slice(1)) assert.match(code, /^(\.|[ABGDS][+-]!?)$/, line);
    }
    assert.ok(knownFeatureGates("1.36").length > 230);
    assert.ok(knownFeatureGates("1.37").length > knownFeatureGates("1.36").length);
  });

  it("the typed defaults are the kubelet's in both versions", () => {
    assert.deepEqual(defaultFeatureGates("1.36"), DEFAULT_FEATURE_GATES);
    assert.deepEqual(defaultFeatureGates("1.37"), DEFAULT_FEATURE_GATES);
    assert.equal(DEFAULT_FEATURE_GATES.PodLevelResources, true, "beta and on since 1.34");
    assert.equal(DEFAULT_FEATURE_GATES.PodLevelResourceManagers, false);
  });

  it("records the stages the resource managers care about", () => {
    assert.deepEqual(featureGateSpec("PodLevelResources", "1.36"), {
      stage: "Beta",
      default: true,
      locked: false,
    });
    assert.deepEqual(featureGateSpec("PodLevelResourceManagers", "1.36"), {
      stage: "Alpha",
      default: false,
      locked: false,
    });
    assert.deepEqual(featureGateSpec("PodLevelResourceManagers", "1.37"), {
      stage: "Beta",
      default: false,
      locked: false,
    });
    assert.deepEqual(featureGateSpec("CustomCPUCFSQuotaPeriod", "1.36"), {
      stage: "GA",
      default: true,
      locked: false,
    });
    assert.equal(featureGateSpec("DisableCPUQuotaWithExclusiveCPUs", "1.36")?.locked, false);
    assert.equal(featureGateSpec("DisableCPUQuotaWithExclusiveCPUs", "1.37")?.locked, true);
    assert.equal(featureGateSpec("TopologyManagerPolicyOptions", "1.36")?.locked, true);
    assert.equal(featureGateSpec("MemoryManager", "1.36"), undefined, "removed after GA");
    assert.equal(featureGateSpec("HugepageAwareEviction", "1.36"), undefined, "new in 1.37");
    assert.equal(featureGateSpec("HugepageAwareEviction", "1.37")?.default, true);
  });
});

describe("SetFromMap", () => {
  it("keeps known gates podpin does not model aside", () => {
    const s = parseFeatureGates("KubeletTracing=true,InPlacePodVerticalScalingExclusiveCPUs=true");
    assert.deepEqual(s.otherFeatureGates, {
      InPlacePodVerticalScalingExclusiveCPUs: true,
      KubeletTracing: true,
    });
    assert.deepEqual(s.featureGates, DEFAULT_FEATURE_GATES);
  });

  it("AllAlpha and AllBeta set the gates not named, per the version's stages", () => {
    const alpha36 = parseFeatureGates("AllAlpha=true", undefined, "--feature-gates", "1.36").featureGates;
    assert.equal(alpha36.PodLevelResourceManagers, true);
    assert.equal(alpha36.CPUManagerPolicyAlphaOptions, true);
    const alpha37 = parseFeatureGates("AllAlpha=true", undefined, "--feature-gates", "1.37").featureGates;
    assert.equal(alpha37.PodLevelResourceManagers, false, "beta in 1.37: AllAlpha leaves it");
    const beta = parseFeatureGates("AllBeta=false,PodLevelResources=true").featureGates;
    assert.equal(beta.PodLevelResources, true, "named explicitly: kept");
    assert.equal(beta.CPUManagerPolicyBetaOptions, false);
  });

  it("refuses with the kubelet's words", () => {
    const message = (text: string, version: "1.36" | "1.37" = "1.37") => {
      try {
        parseFeatureGates(text, undefined, "--feature-gates", version);
      } catch (err) {
        return (err as Error).message;
      }
      return "(no error)";
    };
    assert.equal(message("Foo=true"), "--feature-gates: unrecognized feature gate: Foo");
    assert.equal(
      message("SidecarContainers=false"),
      "--feature-gates: cannot set feature gate SidecarContainers to false, feature is locked to true",
    );
    assert.equal(message("DisableCPUQuotaWithExclusiveCPUs=false", "1.36"), "(no error)");
    assert.equal(message("SidecarContainers=true"), "(no error)", "a locked gate may be set to its default");
  });
});
