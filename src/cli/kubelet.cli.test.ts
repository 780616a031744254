/**
 * The kubelet's command line, feature gates and start-up refusals as a user meets them: real
 * `podpin` processes, their exact stderr and exit code (2: the kubelet would not take the input).
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { AdmitStepDoc, SimulationDoc } from "../report/index.js";
import { CONTAINER_SCOPE_CONFIG, DATABASE_POD, ML_POD, POD_SCOPE_CONFIG } from "./cli.test-support.js";
import { podpin, type Run } from "./cli.process.test-support.js";

const DIR = mkdtempSync(join(tmpdir(), "podpin-kubelet-cli-"));
after(() => rmSync(DIR, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(DIR, name);
  writeFileSync(path, text);
  return path;
}

async function refused(args: string[], message: string): Promise<void> {
  const r = await podpin(args);
  assert.equal(r.stderr, `podpin: ${message}\n`);
  assert.equal(r.stdout, "");
  assert.equal(r.code, 2);
}

const steps = (r: Run): AdmitStepDoc[] => {
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as SimulationDoc).steps.filter((s): s is AdmitStepDoc => s.op === "admit");
};

/** The example configurations without the `PodLevelResources: true` line. */
const withoutPodLevelResources = (config: string): string =>
  file(
    `no-plr-${config.split("/").pop()}`,
    readFileSync(config, "utf8").replace(/^ {2}PodLevelResources: true\n/m, ""),
  );

const KUBELET = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n";

describe("podpin and the kubelet's inputs (child processes)", { timeout: 300_000, concurrency: 4 }, () => {
  it("PodLevelResources is on by default: the blog pods take the pod-level path exactly as with both gates named", async () => {
    for (const config of [POD_SCOPE_CONFIG, CONTAINER_SCOPE_CONFIG]) {
      const lean = withoutPodLevelResources(config);
      assert.doesNotMatch(readFileSync(lean, "utf8"), /PodLevelResources:/);
      const [named, unnamed] = await Promise.all(
        [config, lean].map((c) => podpin(["simulate", "-c", c, DATABASE_POD, ML_POD, "-o", "json"])),
      );
      const a = steps(named);
      const b = steps(unnamed);
      assert.deepEqual(b, a, config);
      if (config === POD_SCOPE_CONFIG)
        assert.ok(
          b.every((s) => s.path === "pod-level"),
          "pod-level path",
        );
      assert.deepEqual((JSON.parse(unnamed.stdout) as SimulationDoc).kubelet.featureGates, {
        PodLevelResources: true,
        PodLevelResourceManagers: true,
      });
    }
  });

  it("the kubelet's flags alone give the worked example's decisions", async () => {
    const flags =
      "--cpu-manager-policy=static --kube-reserved=cpu=1,memory=500Mi --system-reserved=cpu=1,memory=500Mi " +
      "'--eviction-hard=memory.available<100Mi' --memory-manager-policy=Static --reserved-memory=0:memory=1100Mi " +
      "--topology-manager-policy=single-numa-node --topology-manager-scope=pod --feature-gates=PodLevelResourceManagers=true";
    const [fromFile, fromFlags] = await Promise.all([
      podpin(["simulate", "-c", POD_SCOPE_CONFIG, DATABASE_POD, ML_POD, "-o", "json"]),
      podpin(["simulate", "--kubelet-flags", flags, DATABASE_POD, ML_POD, "-o", "json"]),
    ]);
    assert.deepEqual(steps(fromFlags), steps(fromFile));
    assert.equal(fromFlags.stderr, "", "no 'no --config' note: the kubelet was configured");
  });

  it("flags override the --config file (the kubelet's precedence), from a systemd drop-in", async () => {
    const dropIn = file(
      "10-kubeadm.conf",
      `[Service]\nEnvironment="KUBELET_CONFIG_ARGS=--config=${POD_SCOPE_CONFIG}"\nEnvironment="KUBELET_EXTRA_ARGS=--topology-manager-scope=container"\nExecStart=\nExecStart=/usr/bin/kubelet $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS\n`,
    );
    const r = await podpin(["explain", "--kubelet-flags-file", dropIn, ML_POD]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^ADMITTED {2}default\/ml-workload {2}\(topologyManagerPolicy single-numa-node, scope container/,
    );
  });

  it("a flag the kubelet cannot parse", () =>
    refused(
      ["simulate", "--kubelet-flags", "--max-pods=x", DATABASE_POD],
      '--kubelet-flags: failed to parse kubelet flag: invalid argument "x" for "--max-pods" flag: strconv.ParseInt: parsing "x": invalid syntax',
    ));

  it("a flag the kubelet does not have", () =>
    refused(
      ["simulate", "--kubelet-flags", "--cpu-manager-policy=static --foo", DATABASE_POD],
      "--kubelet-flags: failed to parse kubelet flag: unknown flag: --foo",
    ));

  it("a kubeadm-flags.env with a flag removed in 1.35", () => {
    const env = file(
      "kubeadm-flags.env",
      'KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --pod-infra-container-image=registry.k8s.io/pause:3.10"\n',
    );
    return refused(
      ["simulate", "-c", POD_SCOPE_CONFIG, "--kubelet-flags-file", env, DATABASE_POD],
      `${env}:1: failed to parse kubelet flag: unknown flag: --pod-infra-container-image (removed from the kubelet in 1.35)`,
    );
  });

  it("an unknown feature gate in the configuration", () => {
    const config = file(
      "unknown-gate.yaml",
      `${KUBELET}featureGates:\n  PodLevelResourceManagers: true\n  Foo: true\n`,
    );
    return refused(
      ["simulate", "-c", config, DATABASE_POD],
      `${config}:5: featureGates.Foo: unrecognized feature gate: Foo`,
    );
  });

  it("a locked gate set the other way (podpin's --feature-gates)", () =>
    refused(
      [
        "explain",
        "-c",
        POD_SCOPE_CONFIG,
        "--feature-gates",
        "DisableCPUQuotaWithExclusiveCPUs=false",
        ML_POD,
      ],
      "--feature-gates: cannot set feature gate DisableCPUQuotaWithExclusiveCPUs to false, feature is locked to true",
    ));

  it("the static CPU policy without a CPU reservation (simulate and explain)", async () => {
    const config = file("static.yaml", `${KUBELET}cpuManagerPolicy: static\n`);
    const message = `${config}: the kubelet would not start: [cpumanager] unable to determine reserved CPU resources for static policy`;
    await refused(["simulate", "-c", config, DATABASE_POD], message);
    await refused(["explain", "-c", config, DATABASE_POD], message);
  });

  it("reservedMemory that does not match Node Allocatable", () => {
    const config = file(
      "mm.yaml",
      `${KUBELET}memoryManagerPolicy: Static\nkubeReserved: {memory: 1Gi}\nreservedMemory:\n- numaNode: 0\n  limits: {memory: 1Gi}\n`,
    );
    return refused(
      ["simulate", "-c", config, DATABASE_POD],
      `${config}:5: reservedMemory: the total amount "1Gi" of type "memory" is not equal to the value "1124Mi" determined by Node Allocatable feature`,
    );
  });

  it("a reservation larger than the node's capacity", () =>
    refused(
      ["simulate", "--kubelet-flags", "--kube-reserved=cpu=40", DATABASE_POD],
      "--kubelet-flags: the kubelet would not start: invalid Node Allocatable configuration: reservation of cpu (40) exceeds capacity (32)",
    ));

  it("a machine whose hugepages exceed its memory", () => {
    const machine = file(
      "tiny.yaml",
      'name: tiny\nlayout: {sockets: 1, coresPerSocket: 2, threadsPerCore: 1}\nmemory:\n  "0": {memory: 4Gi, hugepages: {1Gi: 8}}\n',
    );
    return refused(
      ["simulate", "-m", machine, ML_POD],
      `${machine}:4:33: memory.0.hugepages: NUMA node 0: its hugepage pools (8Gi) exceed its memory (4Gi); a NUMA node's memory is its MemTotal, which includes its hugepages, so give the node's whole memory`,
    );
  });
});
