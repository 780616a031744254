import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  extendedResourceNameProblem,
  isExtendedResourceName,
  isNativeResourceName,
} from "./resource-names.js";

describe("resource names (IsNativeResource, IsExtendedResourceName)", () => {
  test("device plugin names are extended; native names are not", () => {
    for (const name of [
      "nvidia.com/gpu",
      "amd.com/gpu",
      "intel.com/intel_sriov_netdevice",
      "example.com/Fpga.v2",
    ])
      assert.equal(extendedResourceNameProblem(name), null, name);
    for (const name of ["cpu", "memory", "hugepages-1Gi", "kubernetes.io/gpu", "x.kubernetes.io/gpu"]) {
      assert.ok(isNativeResourceName(name), name);
      assert.ok(!isExtendedResourceName(name), name);
    }
  });

  test("the reason names the rule", () => {
    assert.equal(extendedResourceNameProblem("gpu"), "a name without a domain prefix is a native resource");
    assert.equal(
      extendedResourceNameProblem("kubernetes.io/gpu"),
      "the kubernetes.io/ namespace is reserved for native resources",
    );
    assert.equal(
      extendedResourceNameProblem("requests.a.com/b"),
      'the "requests." prefix is reserved for quota',
    );
    assert.match(
      extendedResourceNameProblem("Example.com/gpu") ?? "",
      /^prefix part a lowercase RFC 1123 subdomain/,
    );
    assert.match(
      extendedResourceNameProblem("example.com/-gpu") ?? "",
      /^name part must consist of alphanumeric/,
    );
    assert.equal(
      extendedResourceNameProblem(`example.com/${"g".repeat(64)}`),
      "name part must be no more than 63 characters",
    );
    // The API server checks the quota form, "requests.<name>": the prefix loses 9 characters of its 253.
    const label = (n: number): string => "a".repeat(n);
    const prefix = [label(63), label(63), label(63), label(54)].join(".");
    assert.equal(prefix.length, 246);
    assert.notEqual(extendedResourceNameProblem(`${prefix}/gpu`), null);
    assert.equal(extendedResourceNameProblem(`${prefix.slice(2)}/gpu`), null);
  });
});
