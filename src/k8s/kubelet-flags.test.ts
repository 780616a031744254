import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatGoDuration, goParseInt } from "./go-values.js";
import { kubeletArgsFromText, parseKubeletFlags } from "./index.js";

/** The kubelet's command line, pflag's parsing and component-base's value types. */

const words = (text: string, file = "f"): string[] => kubeletArgsFromText(text, file).map((a) => a.text);
/** As podpin's --kubelet-flags passes them: one line, no line numbers. */
const flags = (line: string) =>
  parseKubeletFlags(kubeletArgsFromText(line, "--kubelet-flags").map(({ text, file }) => ({ text, file })));
function error(line: string): string {
  try {
    flags(line);
  } catch (err) {
    return (err as Error).message;
  }
  return "(no error)";
}

describe("where the kubelet's flags live", () => {
  it("a flag line, with shell quoting and the binary in front", () => {
    assert.deepEqual(words(`/usr/bin/kubelet --a="x y" --b 'p q' --c=\\"z\\" \\\n  --d`), [
      "--a=x y",
      "--b",
      "p q",
      '--c="z"',
      "--d",
    ]);
  });

  it("kubeadm-flags.env: the ARGS variables, value quotes removed, words split", () => {
    const env = `# written by kubeadm\nKUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///run/containerd/containerd.sock --node-ip=10.0.0.5"\n`;
    assert.deepEqual(kubeletArgsFromText(env, "kubeadm-flags.env"), [
      {
        text: "--container-runtime-endpoint=unix:///run/containerd/containerd.sock",
        file: "kubeadm-flags.env",
        line: 2,
      },
      { text: "--node-ip=10.0.0.5", file: "kubeadm-flags.env", line: 2 },
    ]);
    assert.deepEqual(words("KUBELET_EXTRA_ARGS=--max-pods=250\nOTHER=--not-a-flag\n"), ["--max-pods=250"]);
  });

  it("a systemd drop-in: ExecStart with $VAR expanded from Environment=", () => {
    const unit = [
      "[Service]",
      'Environment="KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml"',
      'Environment="KUBELET_EXTRA_ARGS=--max-pods=64 --node-labels=tier=db" "UNUSED=1"',
      "EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env",
      "ExecStart=",
      "ExecStart=/usr/bin/kubelet $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS --v=2",
    ].join("\n");
    assert.deepEqual(words(unit), [
      "--config=/var/lib/kubelet/config.yaml",
      "--max-pods=64",
      "--node-labels=tier=db",
      "--v=2",
    ]);
    assert.deepEqual(words('[Service]\nEnvironment="KUBELET_EXTRA_ARGS=--max-pods=8"\n'), ["--max-pods=8"]);
  });

  it("refuses an unterminated quote, naming the line", () => {
    assert.throws(() => words("--a \\\n 'b", "x.conf"), { message: "x.conf:2: unterminated ' quote" });
  });
});

describe("pflag's parsing, as the kubelet does it", () => {
  it("reads every flag podpin models", () => {
    const f = flags(
      [
        "--config=/etc/kubernetes/kubelet.yaml --cpu-manager-policy static",
        "--cpu-manager-policy-options=full-pcpus-only=true --cpu-manager-policy-options distribute-cpus-across-numa=true",
        "--reserved-cpus=0,16 --kube-reserved=cpu=1,memory=2Gi --kube-reserved ephemeral-storage=1Gi",
        "--system-reserved=memory=1Gi '--eviction-hard=memory.available<100Mi,nodefs.available<10%'",
        "--reserved-memory '0:memory=3Gi;1:memory=100Mi' --reserved-memory 1:hugepages-1Gi=2Gi",
        "--memory-manager-policy=Static --topology-manager-policy=restricted --topology-manager-scope=pod",
        "--topology-manager-policy-options=prefer-closest-numa-nodes=true",
        "--feature-gates=PodLevelResourceManagers=true --feature-gates CPUManagerPolicyAlphaOptions=true",
        "--max_pods=200 --pods-per-core=10 --cpu-cfs-quota=false --cpu-cfs-quota-period=50ms",
        "--register-with-taints=dedicated=db:NoSchedule --hostname-override=db-1 --node-labels=a=1,b",
        "--kubeconfig=/etc/kubernetes/kubelet.conf -v 3 --fail-swap-on",
      ].join(" "),
    );
    assert.deepEqual(f.configFile?.path, "/etc/kubernetes/kubelet.yaml");
    assert.deepEqual(f.fields, {
      cpuManagerPolicy: "static",
      cpuManagerPolicyOptions: { "full-pcpus-only": "true", "distribute-cpus-across-numa": "true" },
      reservedSystemCPUs: "0,16",
      kubeReserved: { cpu: "1", memory: "2Gi", "ephemeral-storage": "1Gi" },
      systemReserved: { memory: "1Gi" },
      evictionHard: { "memory.available": "100Mi", "nodefs.available": "10%" },
      reservedMemory: [
        { numaNode: 0, limits: { memory: "3Gi" } },
        { numaNode: 1, limits: { memory: "100Mi" } },
        { numaNode: 1, limits: { "hugepages-1Gi": "2Gi" } },
      ],
      memoryManagerPolicy: "Static",
      topologyManagerPolicy: "restricted",
      topologyManagerScope: "pod",
      topologyManagerPolicyOptions: { "prefer-closest-numa-nodes": "true" },
      maxPods: 200,
      podsPerCore: 10,
      cpuCFSQuota: false,
      cpuCFSQuotaPeriod: "50ms",
      registerWithTaints: [{ key: "dedicated", value: "db", effect: "NoSchedule" }],
    });
    assert.deepEqual(f.featureGates, { PodLevelResourceManagers: true, CPUManagerPolicyAlphaOptions: true });
    assert.equal(f.nodeName, "db-1");
    assert.deepEqual(f.nodeLabels, { a: "1", b: "" });
    assert.deepEqual(f.ignored, ["--fail-swap-on", "--kubeconfig", "--v"]);
  });

  it("the last occurrence of a plain flag wins", () => {
    assert.equal(flags("--max-pods=10 --max-pods=20").fields.maxPods, 20);
  });

  it("gives the kubelet's parse errors", () => {
    const cases: [string, string][] = [
      [
        "--max-pods=x",
        '--kubelet-flags: failed to parse kubelet flag: invalid argument "x" for "--max-pods" flag: strconv.ParseInt: parsing "x": invalid syntax',
      ],
      [
        "--pods-per-core=99999999999",
        '--kubelet-flags: failed to parse kubelet flag: invalid argument "99999999999" for "--pods-per-core" flag: strconv.ParseInt: parsing "99999999999": value out of range',
      ],
      ["--foo", "--kubelet-flags: failed to parse kubelet flag: unknown flag: --foo"],
      [
        "--container-runtime=remote",
        "--kubelet-flags: failed to parse kubelet flag: unknown flag: --container-runtime (removed from the kubelet in 1.27)",
      ],
      ["--max-pods", "--kubelet-flags: failed to parse kubelet flag: flag needs an argument: --max-pods"],
      ["-x", "--kubelet-flags: failed to parse kubelet flag: unknown shorthand flag: 'x' in -x"],
      ["---max-pods=1", "--kubelet-flags: failed to parse kubelet flag: bad flag syntax: ---max-pods=1"],
      [
        "--cpu-cfs-quota=maybe",
        '--kubelet-flags: failed to parse kubelet flag: invalid argument "maybe" for "--cpu-cfs-quota" flag: strconv.ParseBool: parsing "maybe": invalid syntax',
      ],
      ["--cpu-cfs-quota false", "--kubelet-flags: unknown command false"],
      [
        "--cpu-cfs-quota-period=10",
        '--kubelet-flags: failed to parse kubelet flag: invalid argument "10" for "--cpu-cfs-quota-period" flag: time: missing unit in duration "10"',
      ],
      [
        "--kube-reserved=cpu",
        '--kubelet-flags: failed to parse kubelet flag: invalid argument "cpu" for "--kube-reserved" flag: malformed pair, expect string=string',
      ],
      [
        "--eviction-hard=memory.available=1Gi",
        '--kubelet-flags: failed to parse kubelet flag: invalid argument "memory.available=1Gi" for "--eviction-hard" flag: malformed pair, expect string<string',
      ],
      [
        "--feature-gates=PodLevelResources",
        '--kubelet-flags: failed to parse kubelet flag: invalid argument "PodLevelResources" for "--feature-gates" flag: malformed pair, expect string=bool',
      ],
      [
        "--reserved-memory=0=memory:1Gi",
        '--kubelet-flags: failed to parse kubelet flag: invalid argument "0=memory:1Gi" for "--reserved-memory" flag: failed to convert the NUMA node ID, exptected integer, got 0=memory',
      ],
      [
        "--reserved-memory=0:cpu=1",
        '--kubelet-flags: failed to parse kubelet flag: invalid argument "0:cpu=1" for "--reserved-memory" flag: memory type conversion error, unknown type: "cpu"',
      ],
      [
        "-v=high",
        '--kubelet-flags: failed to parse kubelet flag: invalid argument "high" for "-v, --v" flag: strconv.ParseUint: parsing "high": invalid syntax',
      ],
      [
        "--topology-manager-scope=Pod",
        '--kubelet-flags: --topology-manager-scope: invalid configuration: topologyManagerScope (--topology-manager-scope) "Pod" must be one of: "container", or "pod"',
      ],
      [
        "--memory-manager-policy=static",
        '--kubelet-flags: --memory-manager-policy: unknown policy: "static"',
      ],
      [
        "--help",
        "--kubelet-flags: --help: the kubelet prints its help and exits instead of starting; remove it",
      ],
    ];
    for (const [line, message] of cases) assert.equal(error(line), message, line);
  });
});

describe("Go values", () => {
  it("ParseInt with base 0, as pflag's Int32Var", () => {
    assert.deepEqual(goParseInt("0x10", 32), { ok: true, value: 16n });
    assert.deepEqual(goParseInt("010", 32), { ok: true, value: 8n });
    assert.deepEqual(goParseInt("1_000", 32), { ok: true, value: 1000n });
    assert.equal(goParseInt("1__0", 32).ok, false);
    assert.equal(goParseInt("2147483648", 32).ok, false);
    assert.deepEqual(goParseInt("-2147483648", 32), { ok: true, value: -2147483648n });
  });

  it("formats durations as time.Duration.String", () => {
    assert.equal(formatGoDuration(100_000_000n), "100ms");
    assert.equal(formatGoDuration(500_000n), "500µs");
    assert.equal(formatGoDuration(90_000_000_000n), "1m30s");
    assert.equal(formatGoDuration(1_500_000_000n), "1.5s");
    assert.equal(formatGoDuration(0n), "0s");
  });
});
