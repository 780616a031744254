/**
 * What a `simulate -o json` document carries for `explain --state`: the engine's settings and the
 * machine read back exactly as written, the mismatch messages for a `-m` or `-c` that differ, and
 * one-line errors for a damaged document.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CPUSet, Quantity } from "../core/index.js";
import { loadMachine, machineToDocument } from "../machine/index.js";
import { defaultNodeConfig, type NodeConfig } from "../node/index.js";
import { workedExampleConfig } from "../node/test-support.js";
import { nodeConfigDoc } from "../report/index.js";
import { isInputError } from "./errors.js";
import { configMismatch, machineFromDoc, machineMismatch, nodeConfigFromDoc } from "./state-inputs.js";

/** A document as it travels: JSON text and back. */
const travelled = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

describe("explain --state inputs", () => {
  const configs: [string, NodeConfig][] = [
    ["the kubelet's defaults", defaultNodeConfig()],
    ["the worked example, pod scope", workedExampleConfig("pod")],
    [
      "options, reserved CPUs, percentages, taints, node name and labels",
      workedExampleConfig("container", {
        kubernetesVersion: "1.36",
        cpuManagerPolicyOptions: { "full-pcpus-only": "true", "distribute-cpus-across-numa": "true" },
        reservedSystemCPUs: CPUSet.parse("0,16"),
        topologyManagerPolicyOptions: { "prefer-closest-numa-nodes": "true" },
        evictionHard: {
          "memory.available": { percentage: 5 },
          "nodefs.available": { quantity: Quantity.parse("1Gi") },
        },
        registerWithTaints: [
          { key: "dedicated", value: "db", effect: "NoSchedule" },
          { key: "x", effect: "NoExecute" },
        ],
        nodeName: "node-7",
        nodeLabels: { zone: "a" },
        cpuCFSQuotaPeriodUs: 50_000,
      }),
    ],
  ];
  for (const [what, config] of configs)
    it(`the node configuration reads back as written: ${what}`, () => {
      const back = nodeConfigFromDoc(travelled(nodeConfigDoc(config)), "state.json");
      assert.deepEqual(nodeConfigDoc(back), nodeConfigDoc(config));
      assert.equal(configMismatch(config, back, "kubelet.yaml"), null);
    });

  it("a configuration that differs is named by its first differing setting", () => {
    const message = configMismatch(
      workedExampleConfig("pod"),
      workedExampleConfig("container"),
      "examples/kubelet-pod-scope.yaml",
    );
    assert.equal(
      message,
      'the state was made with the kubelet configuration examples/kubelet-pod-scope.yaml, and the configuration given differs in topologyManagerScope ("pod" in the state, "container" given); drop -c and the kubelet options to use the state\'s',
    );
    assert.match(
      configMismatch(defaultNodeConfig(), workedExampleConfig("pod"), null) ?? "",
      /^the state was made with the kubelet's defaults, and the configuration given differs in featureGates\.PodLevelResourceManagers \(false in the state, true given\)/,
    );
  });

  for (const name of ["worked-example", "nvidia-dgx-h100", "intel-xeon-max-2s-snc4-hbm-flat"])
    it(`the machine reads back as written: ${name}`, () => {
      const m = loadMachine(name);
      const back = machineFromDoc(travelled(machineToDocument(m)), "state.json");
      assert.equal(back.name, m.name);
      assert.deepEqual(machineToDocument({ ...back, notes: m.notes }), machineToDocument(m));
      assert.equal(machineMismatch(m, back, name), null);
    });

  it("another machine is refused with both shapes named", () => {
    assert.equal(
      machineMismatch(
        loadMachine("worked-example"),
        loadMachine("intel-xeon-6230r-2s"),
        "intel-xeon-6230r-2s",
      ),
      'the state was made on machine "worked-example" (32 CPUs, 2 NUMA nodes), not on -m intel-xeon-6230r-2s (104 CPUs, 2 NUMA nodes); drop -m to use the state\'s machine',
    );
  });

  it("a damaged document is one line naming the file and the field", () => {
    const doc = travelled(nodeConfigDoc(workedExampleConfig("pod"))) as Record<string, unknown>;
    const bad = [
      [
        { ...doc, topologyManagerPolicy: "strict" },
        /^state\.json: kubelet\.nodeConfig\.topologyManagerPolicy: /,
      ],
      [
        { ...doc, kubeReserved: { cpu: "one" } },
        /^state\.json: kubelet\.nodeConfig\.kubeReserved\.cpu: expected a quantity such as "500Mi", got "one"$/,
      ],
      [{ ...doc, extra: true }, /^state\.json: kubelet\.nodeConfig: /],
      [
        { ...doc, reservedSystemCPUs: "0-" },
        /^state\.json: kubelet\.nodeConfig\.reservedSystemCPUs: expected a CPU list/,
      ],
    ] as const;
    for (const [data, message] of bad)
      assert.throws(
        () => nodeConfigFromDoc(data, "state.json"),
        (err: Error) => isInputError(err) && message.test(err.message) && !err.message.includes("\n"),
      );
    assert.throws(
      () => machineFromDoc({ name: "m", cpus: [{ id: 0 }] }, "state.json"),
      (err: Error) => isInputError(err) && err.message.startsWith("state.json: machine.definition"),
    );
  });
});
