import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fieldErrorString, parsePods, podFromObject, tolerationWarnings, validatePod } from "./index.js";

const POD = `
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web, kubernetes.io/os: linux}
  annotations: {kubernetes.io/config.source: file}
spec:
  nodeName: node-1
  nodeSelector: {zone: a}
  priorityClassName: system-node-critical
  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
          - matchExpressions: [{key: gpu-count, operator: Gt, values: ["2"]}]
      preferredDuringSchedulingIgnoredDuringExecution: []
  tolerations:
    - {key: dedicated, operator: Exists, effect: NoExecute, tolerationSeconds: 30}
  overhead: {cpu: 250m}
  securityContext: {runAsUser: 1000, supplementalGroupsPolicy: Strict}
  containers:
    - name: app
      ports: [{containerPort: 8080, hostPort: 80, protocol: UDP}]
`;

function errorsOf(spec: Record<string, unknown>): string[] {
  const pod = podFromObject({ metadata: { name: "p" }, spec: { containers: [{ name: "c" }], ...spec } }, "t");
  return validatePod(pod).map(fieldErrorString);
}

describe("pod fields the predicate handler reads", () => {
  it("parses labels, annotations, node selection, tolerations, priority, overhead, ports", () => {
    const [pod] = parsePods(POD, "web.yaml");
    assert.deepEqual(pod.labels, { app: "web", "kubernetes.io/os": "linux" });
    assert.equal(pod.annotations?.["kubernetes.io/config.source"], "file");
    assert.equal(pod.nodeName, "node-1");
    assert.deepEqual(pod.nodeSelector, { zone: "a" });
    assert.deepEqual(pod.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution, {
      nodeSelectorTerms: [{ matchExpressions: [{ key: "gpu-count", operator: "Gt", values: ["2"] }] }],
    });
    assert.deepEqual(pod.tolerations, [
      { key: "dedicated", operator: "Exists", effect: "NoExecute", tolerationSeconds: 30 },
    ]);
    assert.equal(pod.priority, 2000001000, "the API server resolves the built-in priority class");
    assert.equal(pod.overhead?.cpu.toString(), "250m");
    assert.equal(pod.supplementalGroupsPolicy, "Strict");
    assert.deepEqual(pod.containers[0].ports, [{ containerPort: 8080, hostPort: 80, protocol: "UDP" }]);
    assert.deepEqual(validatePod(pod), []);
  });

  it("refuses a near miss of a field name with a hint", () => {
    assert.throws(
      () => parsePods("metadata: {name: p}\nspec:\n  containers: [{name: c}]\n  tolerration: []\n", "p.yaml"),
      /p\.yaml:4: spec\.tolerration: unknown field "tolerration"; did you mean "tolerations"\?/,
    );
  });

  it("validates as the API server does, one line per error", () => {
    assert.deepEqual(
      errorsOf({ containers: [{ name: "c", ports: [{ containerPort: 0, protocol: "XTP" }] }] }),
      [
        "spec.containers[0].ports[0].containerPort: Invalid value: 0: must be between 1 and 65535, inclusive",
        'spec.containers[0].ports[0].protocol: Unsupported value: "XTP": supported values: "SCTP", "TCP", "UDP"',
      ],
    );
    assert.deepEqual(errorsOf({ tolerations: [{ key: "k", operator: "Maybe", effect: "Never" }] }), [
      'spec.tolerations[0].operator: Unsupported value: "Maybe": supported values: "Equal", "Exists"',
      'spec.tolerations[0].effect: Unsupported value: "Never": supported values: "NoExecute", "NoSchedule", "PreferNoSchedule"',
    ]);
    const term = (e: Record<string, unknown>) => ({
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [e] }] },
        },
      },
    });
    assert.deepEqual(errorsOf(term({ key: "zone", operator: "In" })), [
      "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    ]);
  });

  it("warns about the alpha Gt/Lt toleration operators instead of refusing them", () => {
    const pod = podFromObject(
      {
        metadata: { name: "p" },
        spec: { containers: [{ name: "c" }], tolerations: [{ key: "k", operator: "Gt", value: "3" }] },
      },
      "t",
    );
    assert.deepEqual(validatePod(pod), []);
    assert.equal(tolerationWarnings(pod).length, 1);
  });
});
