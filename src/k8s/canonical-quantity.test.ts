import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Quantity } from "../core/index.js";
import { canonicalQuantity, canonicalQuantityText, memoryQuantityNote } from "./canonical-quantity.js";
import { readPodInputs } from "./pod-inputs.js";

/** What `kubectl apply` then `kubectl get -o yaml` shows for each spelling (apimachinery's String()). */
const CASES: [string, string][] = [
  ["1.5Gi", "1536Mi"],
  ["0.5", "500m"],
  ["1.5", "1500m"],
  ["1000m", "1"],
  ["2000m", "2"],
  ["1024", "1024"],
  ["1Ki", "1Ki"],
  ["1536Ki", "1536Ki"],
  ["2048Ki", "2Mi"],
  ["0.5Ki", "512"],
  ["0.1Ki", "102400m"],
  ["1.5G", "1500M"],
  ["1e3", "1e3"],
  ["2e2", "200"],
  ["12e-1", "1200e-3"],
  ["100Mi", "100Mi"],
  ["0.0000000001", "1n"],
  ["0", "0"],
  ["0Gi", "0"],
  ["1073741824", "1073741824"],
  ["16Gi", "16Gi"],
];

describe("canonical quantities (the API server's round trip)", () => {
  for (const [written, stored] of CASES) {
    it(`${written} is stored as ${stored}`, () => {
      assert.equal(canonicalQuantityText(Quantity.parse(written)), stored);
      assert.ok(canonicalQuantity(Quantity.parse(written)).equals(Quantity.parse(stored)));
    });
  }

  it("the canonical form of 1.5Gi is whole bytes for the Memory Manager; the written one is not", () => {
    assert.equal(Quantity.parse("1.5Gi").asInt64(), null);
    assert.equal(canonicalQuantity(Quantity.parse("1.5Gi")).asInt64(), 1610612736n);
    assert.equal(canonicalQuantity(Quantity.parse("0.5")).asInt64(), null, "half a byte stays fractional");
  });

  it("explain's note quotes the quantity as written and the form that would pin", () => {
    const [pod] = readPodInputs(
      "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    resources: {limits: {memory: 1.5Gi, cpu: 1}}\n",
      "p.yaml",
      { staticPod: true },
    );
    const memory = pod.pod.containers[0].resources?.requests.memory;
    assert.ok(memory);
    assert.equal(
      memoryQuantityNote("memory", memory),
      "memory request 1.5Gi is not a whole-byte quantity in the kubelet's integer form: the Memory Manager cannot pin it (a static pod keeps the quantity as written; write 1536Mi, the form the API server gives the kubelet)",
    );
    assert.equal(
      memoryQuantityNote("memory", Quantity.parse("500m")),
      "memory request 500m is not a whole number of bytes: the Memory Manager cannot pin it",
    );
  });
});
