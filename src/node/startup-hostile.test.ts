/**
 * Hostile kubelet configurations (issue 12): a 416-byte reservedSystemCPUs that once took 2.4 GB
 * before V8 gave up now parses in bounded time and is refused with the kubelet's start-up words;
 * a reservedMemory NUMA node beyond the kubelet's int32 is refused as the field it is.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { InputError, parseKubeletConfig } from "../k8s/index.js";
import { presetMachine } from "../machine/index.js";
import { reservedCPUsRefusal } from "./startup.js";

const HEAD =
  "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\ncpuManagerPolicy: static\n";

describe("hostile kubelet configurations", () => {
  test("the 416-byte reservedSystemCPUs: parsed in bounded time, refused as outside the machine", () => {
    const text = `${HEAD}reservedSystemCPUs: "${Array.from({ length: 30 }, () => "0-4194303").join(",")}"\n`;
    assert.equal(text.length, 416);
    const t = performance.now();
    const cfg = parseKubeletConfig(text, "kubelet.yaml");
    const machine = presetMachine("worked-example");
    assert.ok(machine);
    const refusal = reservedCPUsRefusal(machine, cfg.reservedSystemCPUs);
    assert.equal(refusal, "reserved-cpus: 0-4194303 is not a subset of online-cpus: 0-31");
    assert.ok(performance.now() - t < 1000, `took ${(performance.now() - t).toFixed(0)} ms`);
  });

  test("reservedSystemCPUs beyond the CPU id cap: the field's error", () => {
    assert.throws(
      () => parseKubeletConfig(`${HEAD}reservedSystemCPUs: "0-4194305"\n`, "kubelet.yaml"),
      (err: unknown) =>
        err instanceof InputError &&
        err.message.includes("reservedSystemCPUs") &&
        err.message.includes('expected a CPU list such as "0-1,16-17"'),
    );
  });

  test("reservedMemory[].numaNode: 1e300 is beyond the kubelet's int32", () => {
    const text = `${HEAD.replace("cpuManagerPolicy: static\n", "")}reservedMemory:\n- numaNode: 1e300\n  limits: {memory: 1Gi}\n`;
    assert.throws(
      () => parseKubeletConfig(text, "kubelet.yaml"),
      (err: unknown) =>
        err instanceof InputError &&
        /^kubelet\.yaml:4: reservedMemory\[0\]\.numaNode: expected a NUMA node id \(an integer ≥ 0\), got 1e\+300: beyond the kubelet's int32$/.test(
          err.message,
        ),
    );
  });
});
