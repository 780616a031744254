/**
 * Real-world kubelet inputs, each with the configuration podpin derives or the exact refusal:
 * kubeadm-flags.env lines in the shapes kubeadm writes, systemd units and drop-ins, flag lines,
 * KubeletConfiguration files with the feature gates of 1.36 and 1.37, and configurations the
 * kubelet refuses to start with.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { KubeletConfig } from "../k8s/index.js";
import { loadNodeInputs, type NodeInputOptions } from "./inputs.js";

const DIR = mkdtempSync(join(tmpdir(), "podpin-kubelet-"));
after(() => rmSync(DIR, { recursive: true, force: true }));

const KUBELET = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n";
const MiB = 1024n * 1024n;

interface Case {
  name: string;
  /** Files written to a fresh directory; `$DIR` in their text and in the options is that directory. */
  files?: Record<string, string>;
  opts: Partial<NodeInputOptions>;
  /** The exact one-line refusal (`$DIR` stands for the directory). */
  error?: string;
  check?: (k: KubeletConfig) => void;
}

const cases: Case[] = [
  {
    name: "kubeadm 1.36 kubeadm-flags.env: runtime endpoint and node IP only, ignored; defaults elsewhere",
    files: {
      "kubeadm-flags.env":
        'KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --node-ip=10.0.0.12"\n',
    },
    opts: { kubeletFlagsFile: "$DIR/kubeadm-flags.env" },
    check: (k) => {
      assert.deepEqual(k.ignoredFlags, ["--container-runtime-endpoint", "--node-ip"]);
      assert.equal(k.cpuManagerPolicy, "none");
      assert.equal(k.featureGates.PodLevelResources, true, "on by default");
      assert.equal(k.source, "$DIR/kubeadm-flags.env");
    },
  },
  {
    name: "kubeadm-flags.env kept from a 1.34 node: --pod-infra-container-image was removed in 1.35",
    files: {
      "kubeadm-flags.env":
        'KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --pod-infra-container-image=registry.k8s.io/pause:3.10"\n',
    },
    opts: { kubeletFlagsFile: "$DIR/kubeadm-flags.env" },
    error:
      "$DIR/kubeadm-flags.env:1: failed to parse kubelet flag: unknown flag: --pod-infra-container-image (removed from the kubelet in 1.35)",
  },
  {
    name: "dockershim-era kubeadm-flags.env: --network-plugin is the first unknown flag",
    files: {
      "kubeadm-flags.env":
        'KUBELET_KUBEADM_ARGS="--cgroup-driver=systemd --network-plugin=cni --pod-infra-container-image=k8s.gcr.io/pause:3.2"\n',
    },
    opts: { kubeletFlagsFile: "$DIR/kubeadm-flags.env" },
    error:
      "$DIR/kubeadm-flags.env:1: failed to parse kubelet flag: unknown flag: --network-plugin (removed from the kubelet in 1.24)",
  },
  {
    name: "/etc/default/kubelet: KUBELET_EXTRA_ARGS with node labels and max pods",
    files: {
      "kubelet.default":
        "KUBELET_EXTRA_ARGS=--node-labels=node-role.kubernetes.io/worker=,tier=gpu --max-pods=250\n",
    },
    opts: { kubeletFlagsFile: "$DIR/kubelet.default" },
    check: (k) => {
      assert.deepEqual(k.nodeLabels, { "node-role.kubernetes.io/worker": "", tier: "gpu" });
      assert.equal(k.maxPods, 250);
    },
  },
  {
    name: "kubeadm's 10-kubeadm.conf drop-in: ExecStart names --config, EXTRA_ARGS override it",
    files: {
      "config.yaml": `${KUBELET}cpuManagerPolicy: static\nkubeReserved: {cpu: "1"}\ntopologyManagerPolicy: none\nmaxPods: 110\n`,
      "10-kubeadm.conf": [
        "[Service]",
        'Environment="KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf"',
        'Environment="KUBELET_CONFIG_ARGS=--config=$DIR/config.yaml"',
        'Environment="KUBELET_EXTRA_ARGS=--topology-manager-policy=single-numa-node --max-pods=64"',
        "EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env",
        "EnvironmentFile=-/etc/default/kubelet",
        "ExecStart=",
        "ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS",
        "",
      ].join("\n"),
    },
    opts: { kubeletFlagsFile: "$DIR/10-kubeadm.conf" },
    check: (k) => {
      assert.equal(k.source, "$DIR/config.yaml");
      assert.equal(k.cpuManagerPolicy, "static", "from the file");
      assert.equal(k.numReservedCPUs, 1);
      assert.equal(k.topologyManagerPolicy, "single-numa-node", "the flag wins over the file");
      assert.equal(k.maxPods, 64);
      assert.deepEqual(k.ignoredFlags, ["--bootstrap-kubeconfig", "--kubeconfig"]);
    },
  },
  {
    name: "a tuning drop-in without ExecStart: the ARGS variables in order",
    files: {
      "20-cpu.conf":
        '[Service]\nEnvironment="KUBELET_EXTRA_ARGS=--cpu-manager-policy=static --reserved-cpus=0,16 --topology-manager-policy=best-effort"\n',
    },
    opts: { kubeletFlagsFile: "$DIR/20-cpu.conf" },
    check: (k) => {
      assert.equal(k.reservedSystemCPUs?.toString(), "0,16");
      assert.equal(k.numReservedCPUs, 2);
      assert.equal(k.topologyManagerPolicy, "best-effort");
    },
  },
  {
    name: "every modelled flag on one command line",
    opts: {
      kubeletFlags: [
        "/usr/local/bin/kubelet --cpu-manager-policy=static",
        "--cpu-manager-policy-options=full-pcpus-only=true --cpu-manager-policy-options=distribute-cpus-across-numa=true",
        "--reserved-cpus=0,16 --kube-reserved=cpu=1,memory=2Gi --system-reserved=memory=1Gi",
        "'--eviction-hard=memory.available<100Mi,nodefs.available<10%'",
        "--reserved-memory '0:memory=3Gi;1:memory=100Mi' --memory-manager-policy=Static",
        "--topology-manager-policy=restricted --topology-manager-scope=pod",
        "--topology-manager-policy-options=prefer-closest-numa-nodes=true",
        "--feature-gates=PodLevelResourceManagers=true,CPUManagerPolicyAlphaOptions=true",
        "--max-pods=200 --pods-per-core=10 --cpu-cfs-quota=false --cpu-cfs-quota-period=50ms",
      ].join(" "),
    },
    check: (k) => {
      assert.equal(k.cpuManagerPolicy, "static");
      assert.deepEqual(k.cpuManagerPolicyOptions, {
        "distribute-cpus-across-numa": "true",
        "full-pcpus-only": "true",
      });
      assert.equal(k.reservedSystemCPUs?.toString(), "0,16");
      assert.equal(k.kubeReserved.memory.toString(), "2Gi");
      assert.equal(k.systemReserved.memory.toString(), "1Gi");
      assert.deepEqual(Object.keys(k.evictionHard).sort(), ["memory.available", "nodefs.available"]);
      assert.deepEqual(
        [...k.reservedMemory].map(([n, m]) => [n, m.get("memory")]),
        [
          [0, 3n * 1024n * MiB],
          [1, 100n * MiB],
        ],
      );
      assert.equal(k.memoryManagerPolicy, "Static");
      assert.equal(k.topologyManagerPolicy, "restricted");
      assert.equal(k.topologyManagerScope, "pod");
      assert.deepEqual(k.topologyManagerPolicyOptions, { "prefer-closest-numa-nodes": "true" });
      assert.equal(k.featureGates.PodLevelResourceManagers, true);
      assert.equal(k.featureGates.CPUManagerPolicyAlphaOptions, true);
      assert.equal(k.maxPods, 200);
      assert.equal(k.podsPerCore, 10);
      assert.equal(k.cpuCFSQuota, false);
      assert.equal(k.cpuCFSQuotaPeriodUs, 50_000, "CustomCPUCFSQuotaPeriod is GA and on");
    },
  },
  {
    name: "the Memory Manager documentation's example flags start",
    opts: {
      kubeletFlags:
        "--kube-reserved=cpu=4,memory=4Gi --system-reserved cpu=1,memory=1Gi --memory-manager-policy=Static --reserved-memory '0:memory=3Gi;1:memory=2148Mi'",
    },
    check: (k) => {
      assert.equal(k.memoryManagerPolicy, "Static");
      assert.equal(k.numReservedCPUs, 5);
    },
  },
  {
    name: "the same, forgetting the 100Mi default eviction threshold: the kubelet refuses",
    opts: {
      kubeletFlags:
        "--kube-reserved=cpu=4,memory=4Gi --system-reserved cpu=1,memory=1Gi --memory-manager-policy=Static --reserved-memory '0:memory=3Gi;1:memory=2Gi'",
    },
    error:
      '--kubelet-flags: --reserved-memory: the total amount "5Gi" of type "memory" is not equal to the value "5220Mi" determined by Node Allocatable feature',
  },
  {
    name: "hugepages in reservedMemory (kubeReserved cannot hold them): the kubelet refuses",
    files: {
      "kubelet.yaml": `${KUBELET}memoryManagerPolicy: Static\nreservedMemory:\n- numaNode: 0\n  limits: {memory: 100Mi, hugepages-2Mi: 10Mi}\n`,
    },
    opts: { config: "$DIR/kubelet.yaml" },
    error:
      '$DIR/kubelet.yaml:4: reservedMemory: the total amount "10Mi" of type "hugepages-2Mi" is not equal to the value "0" determined by Node Allocatable feature',
  },
  {
    name: "a pre-1.26 configuration enabling the graduated manager gates",
    files: {
      "kubelet.yaml": `${KUBELET}featureGates:\n  CPUManager: true\n  MemoryManager: true\n  TopologyManager: true\n`,
    },
    opts: { config: "$DIR/kubelet.yaml" },
    error:
      "$DIR/kubelet.yaml:4: featureGates.CPUManager: unrecognized feature gate: CPUManager (GA in 1.26, then removed from the kubelet: delete it)",
  },
  {
    name: "1.37: DisableCPUQuotaWithExclusiveCPUs is locked to true",
    files: { "kubelet.yaml": `${KUBELET}featureGates:\n  DisableCPUQuotaWithExclusiveCPUs: false\n` },
    opts: { config: "$DIR/kubelet.yaml" },
    error:
      "$DIR/kubelet.yaml:4: featureGates.DisableCPUQuotaWithExclusiveCPUs: cannot set feature gate DisableCPUQuotaWithExclusiveCPUs to false, feature is locked to true",
  },
  {
    name: "1.36: the same gate is deprecated but can still be turned off",
    files: { "kubelet.yaml": `${KUBELET}featureGates:\n  DisableCPUQuotaWithExclusiveCPUs: false\n` },
    opts: { config: "$DIR/kubelet.yaml", kubernetesVersion: "1.36" },
    check: (k) => assert.equal(k.featureGates.DisableCPUQuotaWithExclusiveCPUs, false),
  },
  {
    name: "1.36 configuration naming only PodLevelResourceManagers: PodLevelResources is on by default",
    files: {
      "kubelet.yaml": `${KUBELET}kubernetesVersion: "1.36"\nfeatureGates:\n  PodLevelResourceManagers: true\n`,
    },
    opts: { config: "$DIR/kubelet.yaml" },
    check: (k) => {
      assert.equal(k.featureGates.PodLevelResources, true);
      assert.equal(k.featureGates.PodLevelResourceManagers, true);
    },
  },
  {
    name: "AllAlpha differs by version: PodLevelResourceManagers is alpha in 1.36, beta in 1.37",
    files: { "kubelet.yaml": `${KUBELET}featureGates:\n  AllAlpha: true\n` },
    opts: { config: "$DIR/kubelet.yaml", kubernetesVersion: "1.36" },
    check: (k) => {
      assert.equal(k.featureGates.PodLevelResourceManagers, true);
      assert.equal(k.featureGates.TopologyManagerPolicyAlphaOptions, true);
    },
  },
  {
    name: "flag gates merge one gate at a time over the file's, then podpin's --feature-gates",
    files: {
      "kubelet.yaml": `${KUBELET}featureGates:\n  PodLevelResourceManagers: true\n  KubeletTracing: true\n`,
    },
    opts: {
      config: "$DIR/kubelet.yaml",
      kubeletFlags: "--feature-gates=CPUManagerPolicyAlphaOptions=true",
      featureGates: "PodLevelResourceManagers=false",
    },
    check: (k) => {
      assert.equal(k.featureGates.CPUManagerPolicyAlphaOptions, true);
      assert.equal(k.featureGates.PodLevelResourceManagers, false);
      assert.deepEqual(k.otherFeatureGates, { KubeletTracing: true });
    },
  },
  {
    name: "a gate only 1.37 has, on a 1.36 kubelet",
    opts: { kubeletFlags: "--feature-gates=HugepageAwareEviction=true", kubernetesVersion: "1.36" },
    error:
      "--kubelet-flags: --feature-gates: unrecognized feature gate: HugepageAwareEviction (a Kubernetes 1.37 gate; this is a 1.36 kubelet)",
  },
  {
    name: "static CPU policy without any CPU reservation",
    opts: { kubeletFlags: "--cpu-manager-policy=static" },
    error:
      "--kubelet-flags: the kubelet would not start: [cpumanager] unable to determine reserved CPU resources for static policy",
  },
  {
    name: "reserved CPUs beyond the machine's",
    opts: { kubeletFlags: "--reserved-cpus=0-63" },
    error:
      "--kubelet-flags: the kubelet would not start: reserved-cpus: 0-63 is not a subset of online-cpus: 0-31",
  },
  {
    name: "a reservation larger than the node",
    opts: { kubeletFlags: "--system-reserved=memory=200Gi" },
    error:
      "--kubelet-flags: the kubelet would not start: invalid Node Allocatable configuration: reservation of memory (204900Mi) exceeds capacity (128Gi)",
  },
  {
    name: "reservedMemory on a NUMA node the machine does not have",
    opts: { kubeletFlags: "--memory-manager-policy=Static --reserved-memory=0:memory=50Mi;7:memory=50Mi" },
    error:
      "--kubelet-flags: the kubelet would not start: memory manager: the reserved memory configuration references a NUMA node 7 that does not exist on this machine",
  },
  {
    name: "an alpha CPU Manager option without CPUManagerPolicyAlphaOptions",
    opts: {
      kubeletFlags:
        "--cpu-manager-policy=static --kube-reserved=cpu=1 --cpu-manager-policy-options=align-by-socket=true",
    },
    error:
      '--kubelet-flags: the kubelet would not start: cpu manager: new static policy error: CPU Manager Policy Alpha-level Options not enabled, but option "align-by-socket" provided',
  },
  {
    name: "topology manager options cannot lose their gate (locked since 1.32)",
    opts: {
      kubeletFlags:
        "--topology-manager-policy=best-effort --topology-manager-policy-options=prefer-closest-numa-nodes=true --feature-gates=TopologyManagerPolicyOptions=false",
    },
    error:
      "--kubelet-flags: --feature-gates: cannot set feature gate TopologyManagerPolicyOptions to false, feature is locked to true",
  },
  {
    name: "--config named by the flags but not copied from the node",
    files: { "kubeadm-flags.env": 'KUBELET_CONFIG_ARGS="--config=/var/lib/kubelet/config.yaml"\n' },
    opts: { kubeletFlagsFile: "$DIR/kubeadm-flags.env" },
    error:
      "$DIR/kubeadm-flags.env:1: --config: cannot read /var/lib/kubelet/config.yaml: no such file; copy the node's file here and pass it with -c (it takes the place of --config)",
  },
];

const inDir = (text: string, dir: string): string => text.replaceAll("$DIR", dir);

describe("real kubelet inputs (flags, drop-ins, configurations, refusals)", () => {
  cases.forEach((c, i) => {
    it(c.name, () => {
      const dir = join(DIR, String(i));
      mkdirSync(dir, { recursive: true });
      for (const [name, text] of Object.entries(c.files ?? {}))
        writeFileSync(join(dir, name), inDir(text, dir));
      const opts = JSON.parse(inDir(JSON.stringify(c.opts), dir)) as Partial<NodeInputOptions>;
      const run = () => loadNodeInputs({ machine: "worked-example", ...opts });
      if (c.error !== undefined) {
        assert.throws(run, { message: inDir(c.error, dir) });
        return;
      }
      const { kubelet } = run();
      c.check?.({ ...kubelet, source: kubelet.source.replaceAll(dir, "$DIR") });
    });
  });
});
