import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { assertValidPod, parseFeatureGates, parseKubeletConfig, parsePods } from "./index.js";

/**
 * Bad inputs, each with the exact one-line message podpin gives: malformed manifests and
 * configurations (parse time) and pods the API server would refuse (validation).
 */
const pod = (spec: string, meta = "  name: db\n"): string =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n${meta}spec:\n${spec}`;
const ctr = (res: string, name = "app"): string =>
  `  containers:\n  - name: ${name}\n    image: busybox\n    resources:\n${res}`;
const kubelet = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n";

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  return "(no error)";
}

const podParseCases: [string, string, string][] = [
  [
    "malformed yaml",
    "apiVersion: v1\nkind: Pod\nmetadata: {name: db\nspec: {}\n",
    "pod.yaml:4: invalid YAML: Flow map in block collection must be sufficiently indented and end with a }",
  ],
  [
    "typo request",
    pod(ctr("      request:\n        cpu: 1\n")),
    'pod.yaml:10: spec.containers[0].resources.request: unknown field "request"; did you mean "requests"?',
  ],
  [
    "typo resource",
    pod("  containers:\n  - name: app\n    resource:\n      limits: {cpu: 1}\n"),
    'pod.yaml:8: spec.containers[0].resource: unknown field "resource"; did you mean "resources"?',
  ],
  [
    "bad quantity",
    pod(ctr("      limits:\n        cpu: two\n")),
    'pod.yaml:11: spec.containers[0].resources.limits.cpu: invalid quantity "two": no digits',
  ],
  [
    "quantity list",
    pod(ctr("      limits:\n        memory: [1Gi]\n")),
    "pod.yaml:11: spec.containers[0].resources.limits.memory: expected a quantity such as 500m, 2 or 16Gi",
  ],
  [
    "no name",
    pod("  containers:\n  - image: busybox\n"),
    "pod.yaml:7: spec.containers[0].name: required field is missing",
  ],
  [
    "kind",
    "apiVersion: v1\nkind: Deployment\nmetadata: {name: x}\nspec: {}\n",
    'pod.yaml:2: kind: expected one of "Pod", got "Deployment"',
  ],
  [
    "list item",
    "apiVersion: v1\nkind: List\nitems:\n- metadata: {name: a}\n  spec:\n    containers: [{name: c}]\n- metadata: {name: b}\n  spec:\n    containers:\n    - name: c\n      resources: {limits: {cpu: 1x}}\n",
    'pod.yaml:11: items[1].spec.containers[0].resources.limits.cpu: invalid quantity "1x": unknown suffix "x" (expected one of n u m k M G T P E Ki Mi Gi Ti Pi Ei or e<N>)',
  ],
  [
    "qos class",
    pod("  containers: [{name: c}]\n") + "status:\n  qosClass: Gold\n",
    'pod.yaml:8: status.qosClass: expected one of "Guaranteed", "Burstable", "BestEffort", got "Gold"',
  ],
  [
    "pod claims",
    pod("  containers: [{name: c}]\n  resources:\n    claims: [{name: gpu}]\n"),
    "pod.yaml:8: spec.resources.claims: claims cannot be set for Resources at pod-level",
  ],
  [
    "no name no uid",
    pod("  containers: [{name: c}]\n", "  namespace: x\n"),
    "pod.yaml:3: metadata.name: required field is missing (a pod needs a name or a uid)",
  ],
  [
    "initcontainer typo",
    pod("  initcontainers: []\n  containers: [{name: c}]\n"),
    'pod.yaml:6: spec.initcontainers: unknown field "initcontainers"; did you mean "initContainers"?',
  ],
  [
    "top typo",
    pod("  containers: [{name: c}]\n") + "stauts: {}\n",
    'pod.yaml:7: stauts: unknown field "stauts"; did you mean "status"?',
  ],
];

const podValidationCases: [string, string, string][] = [
  [
    "req > lim",
    pod(ctr("      requests: {cpu: 2}\n      limits: {cpu: 1}\n")),
    'pod.yaml: Pod "db" is invalid: spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1',
  ],
  [
    "pod below aggregate",
    pod(
      "  initContainers:\n  - name: side\n    restartPolicy: Always\n    resources: {requests: {cpu: 1, memory: 1Gi}}\n  containers:\n  - name: app\n    resources: {requests: {cpu: 2500m, memory: 2Gi}}\n  resources:\n    requests: {cpu: 3, memory: 4Gi}\n    limits: {cpu: 4, memory: 4Gi}\n",
    ),
    'pod.yaml: Pod "db" is invalid: spec.resources.requests[cpu]: Invalid value: "3": must be greater than or equal to aggregate container requests of 3500m',
  ],
  [
    "ctr limit above pod",
    pod(
      "  containers:\n  - name: app\n    resources: {limits: {cpu: 6, memory: 1Gi}}\n  resources:\n    limits: {cpu: 4, memory: 4Gi}\n",
    ),
    'pod.yaml: Pod "db" is invalid: [spec.resources.requests[cpu]: Invalid value: "4": must be greater than or equal to aggregate container requests of 6, spec.resources.containers[0][cpu].limits: Invalid value: "6": must be less than or equal to pod limits of 4]',
  ],
  [
    "hp no limit",
    pod(ctr("      requests: {memory: 1Gi, hugepages-2Mi: 4Mi}\n      limits: {memory: 1Gi}\n")),
    'pod.yaml: Pod "db" is invalid: spec.containers[0].resources.limits: Required value: Limit must be set for non overcommitable resources',
  ],
  [
    "hp neq",
    pod(
      ctr(
        "      requests: {memory: 1Gi, hugepages-2Mi: 4Mi}\n      limits: {memory: 1Gi, hugepages-2Mi: 8Mi}\n",
      ),
    ),
    'pod.yaml: Pod "db" is invalid: spec.containers[0].resources.requests: Invalid value: "4Mi": must be equal to hugepages-2Mi limit of 8Mi',
  ],
  [
    "hp not multiple",
    pod(ctr("      limits: {memory: 1Gi, hugepages-2Mi: 3Mi}\n")),
    'pod.yaml: Pod "db" is invalid: [spec.containers[0].resources.limits[hugepages-2Mi]: Invalid value: "3Mi": 3Mi is not positive integer multiple of hugepages-2Mi, spec.containers[0].resources.requests[hugepages-2Mi]: Invalid value: "3Mi": 3Mi is not positive integer multiple of hugepages-2Mi]',
  ],
  [
    "hp only",
    pod(ctr("      limits: {hugepages-1Gi: 2Gi}\n")),
    'pod.yaml: Pod "db" is invalid: spec.containers[0].resources: Forbidden: HugePages require cpu or memory',
  ],
  [
    "pod hp limit below agg",
    pod(
      "  containers:\n  - name: a\n    resources: {limits: {memory: 1Gi, hugepages-2Mi: 8Mi}}\n  - name: b\n    resources: {limits: {memory: 1Gi, hugepages-2Mi: 8Mi}}\n  resources:\n    limits: {cpu: 2, memory: 4Gi, hugepages-2Mi: 10Mi}\n",
    ),
    'pod.yaml: Pod "db" is invalid: [spec.resources.requests: Invalid value: "16Mi": must be equal to hugepages-2Mi limit of 10Mi, spec.resources.limits[hugepages-2Mi]: Invalid value: "10Mi": must be greater than or equal to aggregate container limits of 16Mi]',
  ],
  [
    "negative",
    pod(ctr("      limits: {cpu: -1}\n")),
    'pod.yaml: Pod "db" is invalid: [spec.containers[0].resources.limits[cpu]: Invalid value: "-1": must be greater than or equal to 0, spec.containers[0].resources.requests[cpu]: Invalid value: "-1": must be greater than or equal to 0]',
  ],
  [
    "cpus",
    pod(ctr("      requests: {cpus: 1}\n")),
    'pod.yaml: Pod "db" is invalid: [spec.containers[0].resources.requests[cpus]: Invalid value: "cpus": must be a standard resource type or fully qualified, spec.containers[0].resources.requests[cpus]: Invalid value: "cpus": must be a standard resource for containers]',
  ],
  [
    "pod ephemeral",
    pod(
      "  containers: [{name: c}]\n  resources:\n    limits: {cpu: 1, memory: 1Gi, ephemeral-storage: 1Gi}\n",
    ),
    'pod.yaml: Pod "db" is invalid: spec.resources.limits[ephemeral-storage]: Unsupported value: "ephemeral-storage": supported values: "cpu", "hugepages-", "memory"',
  ],
  [
    "windows",
    pod(
      "  os: {name: windows}\n  containers: [{name: c}]\n  resources:\n    limits: {cpu: 1, memory: 1Gi}\n",
    ),
    'pod.yaml: Pod "db" is invalid: spec.resources: Forbidden: may not be set for a windows pod',
  ],
  [
    "init never",
    pod("  initContainers: [{name: i, restartPolicy: Never}]\n  containers: [{name: c}]\n"),
    'pod.yaml: Pod "db" is invalid: spec.initContainers[0].restartPolicy: Unsupported value: "Never": supported values: "Always"',
  ],
  [
    "dup names",
    pod("  initContainers: [{name: c}]\n  containers: [{name: c}]\n"),
    'pod.yaml: Pod "db" is invalid: spec.initContainers[0].name: Duplicate value: "c"',
  ],
  [
    "no containers",
    pod("  containers: []\n"),
    'pod.yaml: Pod "db" is invalid: spec.containers: Required value',
  ],
  [
    "PL-10",
    pod("  containers: [{name: c}]\n  resources:\n    limits: {cpu: 2}\n") +
      "status: {qosClass: Guaranteed}\n",
    'pod.yaml: Pod "db" is invalid: spec.resources.requests.memory: Required value: a Guaranteed pod with pod-level resources must request memory: the Memory Manager divides the pod\'s memory budget among its containers (https://kubernetes.io/docs/concepts/resource-management/pod-level-resource-managers/)',
  ],
  [
    "os mac",
    pod("  os: {name: mac}\n  containers: [{name: c}]\n"),
    'pod.yaml: Pod "db" is invalid: spec.os.name: Unsupported value: "mac": supported values: "linux", "windows"',
  ],
];

const kubeletCases: [string, string, string][] = [
  [
    "typo field",
    kubelet + "cpuManagerPolcy: static\n",
    'kubelet.yaml:3: cpuManagerPolcy: unknown field "cpuManagerPolcy"; did you mean "cpuManagerPolicy"?',
  ],
  [
    "unknown field",
    kubelet + "frobnicate: true\n",
    'kubelet.yaml:3: frobnicate: unknown field "frobnicate"; not a KubeletConfiguration (v1beta1) field',
  ],
  [
    "policy Static",
    kubelet + "cpuManagerPolicy: Static\n",
    'kubelet.yaml:3: cpuManagerPolicy: expected one of "none", "static", got "Static"',
  ],
  [
    "tm policy",
    kubelet + "topologyManagerPolicy: single-numa\n",
    'kubelet.yaml:3: topologyManagerPolicy: expected one of "none", "best-effort", "restricted", "single-numa-node", got "single-numa"',
  ],
  [
    "opt value",
    kubelet +
      'cpuManagerPolicy: static\nkubeReserved: {cpu: 1}\ncpuManagerPolicyOptions:\n  full-pcpus-only: "yes"\n',
    'kubelet.yaml:6: cpuManagerPolicyOptions.full-pcpus-only: expected true or false (or 1, t, T, TRUE, True, 0, f, F, FALSE, False), got "yes"',
  ],
  [
    "opt name",
    kubelet + 'cpuManagerPolicy: static\ncpuManagerPolicyOptions:\n  full-pcpu-only: "true"\n',
    'kubelet.yaml:5: cpuManagerPolicyOptions.full-pcpu-only: unknown CPU Manager policy option "full-pcpu-only"; did you mean "full-pcpus-only"?',
  ],
  [
    "tm opt",
    kubelet +
      "topologyManagerPolicy: restricted\ntopologyManagerPolicyOptions:\n  max-allowable-numa-nodes: eight\n",
    'kubelet.yaml:5: topologyManagerPolicyOptions.max-allowable-numa-nodes: expected an integer, got "eight"',
  ],
  [
    "reserved cpus",
    kubelet + "reservedSystemCPUs: 0-a\n",
    'kubelet.yaml:3: reservedSystemCPUs: expected a CPU list such as "0-1,16-17", got "0-a"',
  ],
  [
    "mm2",
    kubelet +
      "memoryManagerPolicy: Static\nkubeReserved: {memory: 1Gi}\nevictionHard: {memory.available: 100Mi}\nreservedMemory:\n- numaNode: 0\n  limits: {memory: 1Gi}\n",
    'kubelet.yaml:6: reservedMemory: the total amount "1Gi" of type "memory" is not equal to the value "1124Mi" determined by Node Allocatable feature',
  ],
  [
    "mm2 hugepages (kubeReserved and systemReserved cannot hold hugepages)",
    kubelet +
      "memoryManagerPolicy: Static\nreservedMemory:\n- numaNode: 0\n  limits: {memory: 100Mi, hugepages-2Mi: 10Mi}\n",
    'kubelet.yaml:4: reservedMemory: the total amount "10Mi" of type "hugepages-2Mi" is not equal to the value "0" determined by Node Allocatable feature',
  ],
  [
    "version",
    kubelet + 'kubernetesVersion: "1.35"\n',
    'kubelet.yaml:3: kubernetesVersion: expected "1.36" or "1.37", got "1.35"',
  ],
  [
    "version num",
    kubelet + "kubernetesVersion: 1.30\n",
    'kubelet.yaml:3: kubernetesVersion: expected "1.36" or "1.37", got "1.30"',
  ],
  [
    "duration",
    kubelet + "cpuManagerReconcilePeriod: 10\n",
    "kubelet.yaml:3: cpuManagerReconcilePeriod: expected a string, got 10",
  ],
  [
    "duration2",
    kubelet + "cpuManagerReconcilePeriod: 10sec\n",
    'kubelet.yaml:3: cpuManagerReconcilePeriod: time: unknown unit "sec" in duration "10sec"; expected a duration such as 100ms, 10s or 1m30s',
  ],
  [
    "cfs gate",
    kubelet + "featureGates: {CustomCPUCFSQuotaPeriod: false}\ncpuCFSQuotaPeriod: 50ms\n",
    "kubelet.yaml:4: cpuCFSQuotaPeriod: invalid configuration: cpuCFSQuotaPeriod (--cpu-cfs-quota-period) 50ms requires feature gate CustomCPUCFSQuotaPeriod",
  ],
  [
    "cfs range (CustomCPUCFSQuotaPeriod is GA and on from 1.36)",
    kubelet + "cpuCFSQuotaPeriod: 500us\n",
    "kubelet.yaml:3: cpuCFSQuotaPeriod: invalid configuration: cpuCFSQuotaPeriod (--cpu-cfs-quota-period) 500µs must be between 1ms and 1sec, inclusive",
  ],
  [
    "kube hugepages",
    kubelet + "kubeReserved: {hugepages-2Mi: 2Mi}\n",
    'kubelet.yaml:3: kubeReserved.hugepages-2Mi: cannot reserve "hugepages-2Mi"; expected one of cpu, memory, ephemeral-storage, pid',
  ],
  [
    "gate typo",
    kubelet + "featureGates:\n  PodLevelResourceManager: true\n",
    "kubelet.yaml:4: featureGates.PodLevelResourceManager: unrecognized feature gate: PodLevelResourceManager (did you mean PodLevelResourceManagers?)",
  ],
  [
    "gate unknown",
    kubelet + "featureGates:\n  Foo: true\n",
    "kubelet.yaml:4: featureGates.Foo: unrecognized feature gate: Foo",
  ],
  [
    "gate removed",
    kubelet + "featureGates:\n  CPUManager: true\n  MemoryManager: true\n",
    "kubelet.yaml:4: featureGates.CPUManager: unrecognized feature gate: CPUManager (GA in 1.26, then removed from the kubelet: delete it)",
  ],
  [
    "gate locked",
    kubelet + "featureGates:\n  CPUManagerPolicyOptions: false\n",
    "kubelet.yaml:4: featureGates.CPUManagerPolicyOptions: cannot set feature gate CPUManagerPolicyOptions to false, feature is locked to true",
  ],
  [
    "gate locked in 1.37 only",
    kubelet + "featureGates:\n  DisableCPUQuotaWithExclusiveCPUs: false\n",
    "kubelet.yaml:4: featureGates.DisableCPUQuotaWithExclusiveCPUs: cannot set feature gate DisableCPUQuotaWithExclusiveCPUs to false, feature is locked to true",
  ],
  [
    "gate of the other version",
    kubelet + 'kubernetesVersion: "1.36"\nfeatureGates:\n  HugepageAwareEviction: true\n',
    "kubelet.yaml:5: featureGates.HugepageAwareEviction: unrecognized feature gate: HugepageAwareEviction (a Kubernetes 1.37 gate; this is a 1.36 kubelet)",
  ],
  [
    "two locked gates: the kubelet reports both",
    kubelet + "featureGates:\n  KubeletTracing: false\n  CPUManagerPolicyOptions: false\n",
    "kubelet.yaml:5: featureGates.CPUManagerPolicyOptions: [cannot set feature gate CPUManagerPolicyOptions to false, feature is locked to true, cannot set feature gate KubeletTracing to false, feature is locked to true]",
  ],
  [
    "gate nonbool",
    kubelet + 'featureGates:\n  PodLevelResources: "true"\n',
    'kubelet.yaml:4: featureGates.PodLevelResources: expected true or false, got "true"',
  ],
  [
    "rm dup",
    kubelet +
      "reservedMemory:\n- numaNode: 0\n  limits: {memory: 1Gi}\n- numaNode: 0\n  limits: {memory: 1Gi}\n",
    'kubelet.yaml:7: reservedMemory[1].limits.memory: the reserved memory has a duplicate value for NUMA node 0 and resource "memory"',
  ],
  [
    "rm type",
    kubelet + "reservedMemory:\n- numaNode: 0\n  limits: {cpu: 1}\n",
    'kubelet.yaml:5: reservedMemory[0].limits.cpu: the limit type "cpu" for NUMA node 0 is not supported, only [memory hugepages-<HugePageSize>] is accepted',
  ],
  [
    "rm node",
    kubelet + "reservedMemory:\n- numaNode: -1\n  limits: {memory: 1Gi}\n",
    "kubelet.yaml:4: reservedMemory[0].numaNode: expected a NUMA node id (an integer ≥ 0)",
  ],
  [
    "eviction",
    kubelet + "evictionHard: {memory.availble: 100Mi}\n",
    'kubelet.yaml:3: evictionHard["memory.availble"]: unsupported eviction signal "memory.availble"; did you mean "memory.available"?',
  ],
  [
    "apiVersion",
    "apiVersion: kubelet.config.k8s.io/v1\nkind: KubeletConfiguration\n",
    'kubelet.yaml:1: apiVersion: expected one of "kubelet.config.k8s.io/v1beta1", got "kubelet.config.k8s.io/v1"',
  ],
  [
    "two docs",
    kubelet + "---\n" + kubelet,
    "kubelet.yaml: expected one KubeletConfiguration document, found 2",
  ],
  [
    "scope",
    kubelet + "topologyManagerScope: Pod\n",
    'kubelet.yaml:3: topologyManagerScope: expected one of "container", "pod", got "Pod"',
  ],
];

const featureGateCases: [string, string][] = [
  ["PodLevelResources", "--feature-gates: malformed pair, expect string=bool"],
  [
    "PodLevelResources=maybe",
    '--feature-gates: invalid value of PodLevelResources: maybe, err: strconv.ParseBool: parsing "maybe": invalid syntax',
  ],
  [
    "PodLevelResourcesX=true",
    "--feature-gates: unrecognized feature gate: PodLevelResourcesX (did you mean PodLevelResources?)",
  ],
];

describe("bad pod manifests", () => {
  for (const [name, text, message] of podParseCases) {
    it(name, () =>
      assert.equal(
        messageOf(() => parsePods(text, "pod.yaml")),
        message,
      ),
    );
  }
});

describe("pods the API server refuses", () => {
  for (const [name, text, message] of podValidationCases) {
    it(name, () => {
      const pods = parsePods(text, "pod.yaml");
      assert.equal(
        messageOf(() => {
          for (const p of pods) assertValidPod(p, "pod.yaml");
        }),
        message,
      );
    });
  }
});

describe("bad kubelet configurations", () => {
  for (const [name, text, message] of kubeletCases) {
    it(name, () =>
      assert.equal(
        messageOf(() => parseKubeletConfig(text, "kubelet.yaml")),
        message,
      ),
    );
  }
});

describe("bad --feature-gates values", () => {
  for (const [text, message] of featureGateCases) {
    it(text, () =>
      assert.equal(
        messageOf(() => parseFeatureGates(text)),
        message,
      ),
    );
  }
});

it("has at least 30 bad inputs", () => {
  const total =
    podParseCases.length + podValidationCases.length + kubeletCases.length + featureGateCases.length;
  assert.ok(total >= 30, `${total} cases`);
});
