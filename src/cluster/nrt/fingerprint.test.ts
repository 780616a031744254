import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { podSetFingerprint } from "./fingerprint.js";
import { xxhash64String } from "./xxhash64.js";

test("xxhash64 matches the reference vectors of the xxHash specification", () => {
  // Published XXH64 values (xxHash's own sanity checks), short, 4/8-byte tails and > 32 bytes.
  assert.equal(xxhash64String("").toString(16), "ef46db3751d8e999");
  assert.equal(xxhash64String("a").toString(16), "d24ec4f1a98c6e5b");
  assert.equal(xxhash64String("abc").toString(16), "44bc2cf5ad770999");
  assert.equal(xxhash64String("Nobody inspects the spammish repetition").toString(16), "fbcea83c8a378bf1");
  assert.equal(xxhash64String("", 1n).toString(16), "d5afba1336a3be4b");
});

test("the pod-set fingerprint matches the podfingerprint library's compatibility vector", () => {
  // podfingerprint testdata/compat-tiny-3pods-1ns: its .txt pod list and .sign answer.
  const pods = ["jaeger-dpgjk", "nginx-rt684", "envoy-g9m22"].map((name) => ({
    namespace: "production",
    name,
  }));
  assert.equal(podSetFingerprint(pods), "pfp0v001607b76a0e9d3aeb4");
});

test("the fingerprint does not depend on the order of the pods, and tells sets apart", () => {
  const pod = fc.record({ namespace: fc.string({ maxLength: 12 }), name: fc.string({ maxLength: 40 }) });
  fc.assert(
    fc.property(
      fc.uniqueArray(pod, { selector: (p) => `${p.namespace}/${p.name}`, maxLength: 8 }),
      (pods) => {
        const reversed = [...pods].reverse();
        assert.equal(podSetFingerprint(reversed), podSetFingerprint(pods));
        if (pods.length > 0) assert.notEqual(podSetFingerprint(pods.slice(1)), podSetFingerprint(pods));
      },
    ),
    { numRuns: 200 },
  );
});
