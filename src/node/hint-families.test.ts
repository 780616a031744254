import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_FEATURE_GATES } from "../k8s/index.js";
import { presetMachine } from "../machine/index.js";
import { type HintMode, topologyHintSettings } from "../managers/topology/index.js";
import { defaultNodeConfig } from "./config.js";
import { Node } from "./node.js";
import { Mi, podFromYaml } from "./test-support.js";
import type { AdmissionResult, TopologyManagerPolicyName, TopologyManagerScopeName } from "./types.js";

/*
 * Hint families on machines where listing every mask is slow (16 NUMA nodes: the listed path is
 * still run, and must decide alike) or impossible (a GB200 tray: 34 NUMA nodes, where the
 * kubelet's own admission never finishes, kubernetes/kubernetes#135541).
 */

function pod(name: string, requests: Record<string, string>): ReturnType<typeof podFromYaml> {
  const list = Object.entries(requests)
    .map(([k, v]) => `${k}: "${v}"`)
    .join(", ");
  return podFromYaml(`apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: default, uid: ${name}}
spec:
  containers:
  - name: app
    image: app
    resources:
      requests: {${list}}
      limits: {${list}}
`);
}

function node(preset: string, policy: TopologyManagerPolicyName, scope: TopologyManagerScopeName): Node {
  const machine = presetMachine(preset);
  if (!machine) throw new Error(`no preset ${preset}`);
  return new Node({
    machine,
    config: defaultNodeConfig({
      featureGates: { ...DEFAULT_FEATURE_GATES },
      cpuManagerPolicy: "static",
      numReservedCPUs: 2,
      memoryManagerPolicy: "Static",
      reservedMemory: new Map([[0, new Map([["memory", 1100n * Mi]])]]),
      topologyManagerPolicy: policy,
      topologyManagerScope: scope,
      topologyManagerPolicyOptions: { "max-allowable-numa-nodes": "64" },
    }),
  });
}

function decide(
  mode: HintMode,
  preset: string,
  policy: TopologyManagerPolicyName,
  scope: TopologyManagerScopeName,
) {
  const saved = topologyHintSettings.hintMode;
  topologyHintSettings.hintMode = mode;
  try {
    const n = node(preset, policy, scope);
    const plain = (r: AdmissionResult) =>
      JSON.parse(
        JSON.stringify(
          { ...r, trace: { ...r.trace, merges: r.trace.merges.map(({ answers: _a, ...m }) => m) } },
          (_k, v) => (typeof v === "bigint" ? String(v) : v),
        ),
      );
    return [
      pod("one-node", { cpu: "8", memory: "8Gi" }),
      pod("three-nodes", { cpu: "40", memory: "40Gi" }),
      pod("cpu-wide", { cpu: "24", memory: "8Gi" }),
    ].map((p) => plain(n.admit(p)));
  } finally {
    topologyHintSettings.hintMode = saved;
  }
}

describe("hint families on large machines", () => {
  for (const policy of ["best-effort", "restricted"] as const)
    for (const scope of ["container", "pod"] as const)
      it(`16 NUMA nodes, ${policy}, ${scope} scope: families decide like the listed hints`, () => {
        assert.deepEqual(
          decide("implicit", "synthetic-16n", policy, scope),
          decide("explicit", "synthetic-16n", policy, scope),
        );
      });

  // A listing merge would never end here: the time limit turns that into a failure.
  it("a GB200 tray admits a GPU pod under best-effort: NUMA 0, not preferred (the GPUs sit on nodes of their own)", {
    timeout: 60_000,
  }, () => {
    const n = node("nvidia-gb200-tray", "best-effort", "container");
    const result = n.admit(pod("gpu", { cpu: "8", memory: "16Gi", "nvidia.com/gpu": "1" }));
    assert.equal(result.admitted, true, result.message ?? "");
    assert.deepEqual(
      result.trace.merges.map((m) => m.hint),
      [{ numaNodes: [0], preferred: false }],
    );
  });
});
