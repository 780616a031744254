import assert from "node:assert/strict";
import { test } from "node:test";
import { Ajv } from "ajv";
import { Node } from "../../node/index.js";
import { machineM, workedExampleConfig } from "../../node/test-support.js";
import type { NodeResourceTopologyObject } from "../types.js";
import { readCrd, versionSchema } from "./crd-schema.test-support.js";
import { buildNodeResourceTopology } from "./index.js";
import { guaranteedPod, podLevelPod, presetNode } from "./nrt.test-support.js";

function validator() {
  const ajv = new Ajv({ allErrors: true, strict: true });
  return ajv.compile(versionSchema(readCrd(), "v1alpha2"));
}

let built: [string, NodeResourceTopologyObject][] | null = null;

/** Admits the pod and fails the test if the node refuses it: the samples must hold pods. */
function admit(node: Node, pod: ReturnType<typeof guaranteedPod>): void {
  const result = node.admit(pod);
  assert.equal(result.admitted, true, `${pod.name}: ${result.message}`);
}

function samples(): [string, NodeResourceTopologyObject][] {
  built ??= buildSamples();
  return built;
}

function buildSamples(): [string, NodeResourceTopologyObject][] {
  const out: [string, NodeResourceTopologyObject][] = [];
  const m = new Node({ machine: machineM(), config: workedExampleConfig("pod") });
  admit(m, podLevelPod("bubble", 6, "4Gi", 2));
  admit(m, guaranteedPod("db", 2, "1Gi"));
  out.push([
    "machine M with pod-level pods",
    buildNodeResourceTopology(m, { nodeName: "m", nodeUID: "uid-m" }),
  ]);
  const dgx = presetNode("nvidia-dgx-h100");
  admit(dgx, guaranteedPod("train", 16, "64Gi", 4));
  admit(dgx, podLevelPod("serve", 8, "8Gi", 4));
  out.push(["DGX H100 with GPUs and NICs", buildNodeResourceTopology(dgx, { nodeName: "dgx" })]);
  const gb = presetNode("nvidia-gb200-tray", {
    topologyManagerPolicy: "best-effort",
    topologyManagerPolicyOptions: { "max-allowable-numa-nodes": "34" },
  });
  admit(gb, guaranteedPod("gpu", 4, "4Gi", 1));
  out.push(["GB200 tray", buildNodeResourceTopology(gb, { nodeName: "gb200" })]);
  const sriov = presetNode("intel-xeon-6230r-2s-sriov", {
    cpuManagerPolicy: "none",
    topologyManagerPolicy: "best-effort",
  });
  admit(sriov, guaranteedPod("nfv", 4, "2Gi", 2, "intel.com/intel_sriov_netdevice"));
  out.push(["SR-IOV node, none CPU policy", buildNodeResourceTopology(sriov, { nodeName: "nfv" })]);
  return out;
}

test("the CRD keeps the upstream group, names, scope and versions", () => {
  const crd = readCrd();
  assert.equal(crd.apiVersion, "apiextensions.k8s.io/v1");
  assert.equal(crd.metadata.name, "noderesourcetopologies.topology.node.k8s.io");
  assert.equal(crd.spec.group, "topology.node.k8s.io");
  assert.equal(crd.spec.scope, "Cluster");
  assert.deepEqual(crd.spec.names.kind, "NodeResourceTopology");
  assert.deepEqual(
    crd.spec.versions.map((v) => [v.name, v.served, v.storage]),
    [
      ["v1alpha1", true, false],
      ["v1alpha2", true, true],
    ],
  );
});

test("objects built from several machines with pod-level pods and devices validate against v1alpha2", () => {
  const validate = validator();
  for (const [what, object] of samples()) {
    const plain = JSON.parse(JSON.stringify(object));
    assert.equal(validate(plain), true, `${what}: ${JSON.stringify(validate.errors)}`);
  }
});

test("objects the API server would refuse or prune fail validation", () => {
  const validate = validator();
  const [, good] = samples()[0];
  const broken: [string, (o: NodeResourceTopologyObject & Record<string, unknown>) => void][] = [
    ["attribute value is a number", (o) => void (o.attributes![0].value = 3)],
    ["zone without a type", (o) => void delete (o.zones[0] as { type?: string }).type],
    ["quantity that does not parse", (o) => void (o.zones[0].resources![0].available = "12 cpus")],
    [
      "resource without available",
      (o) => void delete (o.zones[0].resources![0] as { available?: string }).available,
    ],
    ["cost value as text", (o) => void ((o.zones[0].costs![0] as { value: unknown }).value = "10")],
    ["no zones", (o) => void delete (o as { zones?: unknown }).zones],
    ["a misspelt field", (o) => void (o.topologyPolicy = ["None"])],
  ];
  for (const [what, mutate] of broken) {
    const copy = structuredClone(good) as NodeResourceTopologyObject & Record<string, unknown>;
    mutate(copy);
    assert.equal(validate(JSON.parse(JSON.stringify(copy))), false, what);
  }
});
