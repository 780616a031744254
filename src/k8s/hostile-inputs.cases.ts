/**
 * Every hostile input that once crashed, hung or was wrongly accepted by a k8s reader (issue 12),
 * replayed by hostile-inputs.test.ts. `expect` is the one-line error (a pattern), or "accepted".
 */

export type HostileReader = "pods" | "parsePods" | "kubelet" | "kubeletFlags";

export interface HostileCase {
  name: string;
  reader: HostileReader;
  text: string;
  /** The error message (matched against `file:line: ...`), or "accepted". */
  expect: RegExp | "accepted";
  /** Time bound for the read, in milliseconds. */
  maxMs?: number;
}

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: c
    image: x
`;

const podWith = (resources: string, podLevel = ""): string =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n${podLevel}  containers:\n  - name: c\n    image: x\n${resources}`;

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  selector:
    matchLabels: {app: d}
  template:
    metadata:
      labels: {app: d}
    spec:
      containers:
      - name: c
        image: x
`;

const KUBELET = `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
`;

/** A billion-laughs document: 9^5 strings from five lines. */
const ALIAS_BOMB = `a: &a ["x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: [*e,*e,*e,*e,*e,*e,*e,*e,*e]
`;

/** A 1.4 KB complex key nested 40 levels: 17 s and a 3.7 MB error message before. */
const NESTED_COMPLEX_KEY = `? ${"[{a: ".repeat(40)}x${"}]".repeat(40)}\n: v\n${"#".repeat(1000)}\n`;

const annotations = (n: number): string => {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(`    k${i}: "${"v".repeat(20)}"`);
  return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n${lines.join("\n")}\nspec:\n  containers:\n  - name: c\n    image: x\n`;
};

export const HOSTILE_CASES: readonly HostileCase[] = [
  // 1. YAML errors escaping toJS.
  {
    name: "unresolved alias in a pod",
    reader: "pods",
    text: `${POD}    command: *x\n`,
    expect: /^pod\.yaml:9: invalid YAML: unresolved alias \*x/,
  },
  {
    name: "merge key onto a scalar in a pod",
    reader: "pods",
    text: `${POD}    resources:\n      <<: x\n`,
    expect: /^pod\.yaml:10: invalid YAML: merge key << expects a mapping or an alias of one, got a scalar$/,
  },
  {
    name: "alias bomb in a pod",
    reader: "pods",
    text: ALIAS_BOMB,
    expect:
      /^pod\.yaml:1: invalid YAML: aliases expand to too much data \(more than 1000 alias resolutions\)$/,
    maxMs: 1000,
  },
  {
    name: "unresolved alias in a workload",
    reader: "pods",
    text: `${DEPLOYMENT}        command: *x\n`,
    expect: /^pod\.yaml:15: invalid YAML: unresolved alias \*x/,
  },
  {
    name: "merge key onto a scalar in a workload",
    reader: "pods",
    text: `${DEPLOYMENT}  <<: 3\n`,
    expect: /^pod\.yaml:15: invalid YAML: merge key << expects a mapping/,
  },
  {
    name: "alias bomb in a workload",
    reader: "pods",
    text: `${ALIAS_BOMB}${DEPLOYMENT}`,
    expect: /invalid YAML: aliases expand to too much data/,
    maxMs: 1000,
  },
  {
    name: "unresolved alias in a kubelet configuration",
    reader: "kubelet",
    text: `${KUBELET}cpuManagerPolicy: *x\n`,
    expect: /^kubelet\.yaml:3: invalid YAML: unresolved alias \*x/,
  },
  {
    name: "merge key onto a scalar in a kubelet configuration",
    reader: "kubelet",
    text: `${KUBELET}<<: x\n`,
    expect: /^kubelet\.yaml:3: invalid YAML: merge key << expects a mapping/,
  },
  {
    name: "alias bomb in a kubelet configuration",
    reader: "kubelet",
    text: `${KUBELET}${ALIAS_BOMB}`,
    expect: /^kubelet\.yaml:1: invalid YAML: aliases expand to too much data/,
    maxMs: 1000,
  },
  {
    name: "a merge key onto a mapping alias still works",
    reader: "pods",
    text: `${POD}    resources:\n      limits: &l {cpu: "1", memory: 1Gi}\n      requests:\n        <<: *l\n`,
    expect: "accepted",
  },
  // 2. Resource names that are properties of Object.prototype.
  ...["constructor", "toString", "hasOwnProperty"].flatMap((n): HostileCase[] => [
    {
      name: `container request named ${n}`,
      reader: "pods",
      text: podWith(`    resources:\n      requests:\n        ${n}: "1"\n`),
      expect: new RegExp(
        `Pod "p" is invalid: \\[spec\\.containers\\[0\\]\\.resources\\.requests\\[${n}\\]: Invalid value: "${n}": must be a standard resource type or fully qualified`,
      ),
    },
    {
      name: `container limit named ${n}`,
      reader: "pods",
      text: podWith(`    resources:\n      limits:\n        ${n}: "1"\n`),
      expect: new RegExp(
        `spec\\.containers\\[0\\]\\.resources\\.limits\\[${n}\\]: Invalid value: "${n}": must be a standard resource type or fully qualified`,
      ),
    },
    {
      name: `pod-level request named ${n}`,
      reader: "pods",
      text: podWith("", `  resources:\n    requests:\n      ${n}: "1"\n`),
      expect: new RegExp(
        `spec\\.resources\\.requests\\[${n}\\]: Invalid value: "${n}": must be a standard resource type or fully qualified`,
      ),
    },
    {
      name: `a request named ${n} beside a limit of another name`,
      reader: "pods",
      text: podWith(`    resources:\n      requests:\n        ${n}: "1"\n      limits:\n        cpu: "1"\n`),
      expect: /must be a standard resource type or fully qualified/,
    },
  ]),
  {
    name: "container request named __proto__ (not dropped)",
    reader: "pods",
    text: podWith(`    resources:\n      requests:\n        __proto__: "1"\n`),
    expect:
      /spec\.containers\[0\]\.resources\.requests\[__proto__\]: Invalid value: "__proto__": name part must consist of alphanumeric characters/,
  },
  {
    name: "pod-level limit named __proto__ (not dropped)",
    reader: "pods",
    text: podWith("", `  resources:\n    limits:\n      __proto__: "1"\n`),
    expect: /spec\.resources\.limits\[__proto__\]: Invalid value: "__proto__"/,
  },
  {
    name: "a fully qualified extended resource named constructor is valid",
    reader: "pods",
    text: podWith(`    resources:\n      limits:\n        example.com/constructor: "1"\n`),
    expect: "accepted",
  },
  {
    name: "a label key named __proto__ (not dropped)",
    reader: "pods",
    text: POD.replace("name: p", "name: p\n  labels:\n    __proto__: x"),
    expect: /metadata\.labels: Invalid value: "__proto__": name part must consist/,
  },
  ...["constructor", "__proto__", "toString"].flatMap((n): HostileCase[] => [
    {
      name: `kubelet systemReserved named ${n}`,
      reader: "kubelet",
      text: `${KUBELET}systemReserved:\n  ${n}: "1"\n`,
      expect: new RegExp(`^kubelet\\.yaml:4: systemReserved\\.${n}: cannot reserve "${n}"`),
    },
    {
      name: `kubelet feature gate named ${n}`,
      reader: "kubelet",
      text: `${KUBELET}featureGates:\n  ${n}: true\n`,
      expect: new RegExp(`^kubelet\\.yaml:4: featureGates\\.${n}: unrecognized feature gate: ${n}$`),
    },
    {
      name: `kubelet eviction signal named ${n}`,
      reader: "kubelet",
      text: `${KUBELET}evictionHard:\n  ${n}: "1"\n`,
      expect: new RegExp(`evictionHard\\.${n}: unsupported eviction signal "${n}"`),
    },
    {
      name: `kubelet reservedMemory limit named ${n}`,
      reader: "kubelet",
      text: `${KUBELET}reservedMemory:\n- numaNode: 0\n  limits:\n    ${n}: 1\n`,
      expect: new RegExp(`the limit type "${n}" for NUMA node 0 is not supported`),
    },
  ]),
  {
    name: "kind: constructor",
    reader: "pods",
    text: "apiVersion: v1\nkind: constructor\nmetadata:\n  name: p\n",
    expect:
      /^pod\.yaml:2: kind: podpin reads Pods and the workloads that create them .*got kind constructor$/,
  },
  {
    name: "priorityClassName: constructor is not a built-in priority class",
    reader: "pods",
    text: POD.replace("spec:\n", "spec:\n  priorityClassName: constructor\n"),
    expect: "accepted",
  },
  {
    name: "a CronJob schedule @constructor",
    reader: "pods",
    text: 'apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: cj\nspec:\n  schedule: "@constructor"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n          containers:\n          - name: c\n            image: x\n',
    expect: /spec\.schedule: Invalid value: "@constructor": unrecognized descriptor: @constructor$/,
  },
  {
    name: "a kubelet flag named --constructor",
    reader: "kubeletFlags",
    text: "--constructor=1 --cpu-manager-policy=static",
    expect: /^kubeadm-flags\.env:1: failed to parse kubelet flag: unknown flag: --constructor$/,
  },
  // 5. Complex keys and deep nesting.
  {
    name: "a complex (list) key",
    reader: "pods",
    text: "? [a, b]\n: c\n",
    expect: /^pod\.yaml:1: invalid YAML: mapping keys must be strings or numbers, got a list as a key$/,
  },
  {
    name: "a 1.4 KB nested complex key (quickly, with a short message)",
    reader: "parsePods",
    text: NESTED_COMPLEX_KEY,
    expect: /^pod\.yaml:1: invalid YAML: (mapping keys must be strings or numbers|nesting deeper than)/,
    maxMs: 200,
  },
  ...[1, 2, 3].map(
    (i): HostileCase => ({
      name: `deeply nested complex keys, call ${i} (no V8 RegExp abort)`,
      reader: "parsePods",
      text: `${"? ".repeat(5000)}x\n`,
      expect: /^pod\.yaml:1: invalid YAML: nesting deeper than 100 levels$/,
      maxMs: 500,
    }),
  ),
  ...[1, 2].map(
    (i): HostileCase => ({
      name: `5,000 nested flow lists, call ${i} (no V8 RegExp abort)`,
      reader: "parsePods",
      text: `a: ${"[".repeat(5000)}${"]".repeat(5000)}\n`,
      expect: /^pod\.yaml:1: invalid YAML: nesting deeper than 100 levels$/,
      maxMs: 500,
    }),
  ),
  {
    name: "3,000 indentation levels",
    reader: "pods",
    text: Array.from({ length: 3000 }, (_, i) => `${" ".repeat(i)}a:`).join("\n"),
    expect: /invalid YAML: nesting deeper than 100 levels$/,
    maxMs: 1000,
  },
  {
    name: "brackets inside quoted strings and block scalars are not nesting",
    reader: "pods",
    text: `${POD}    command: ["${"[".repeat(300)}", '${"{".repeat(300)}']\n    args:\n    - |\n      ${"[".repeat(300)}\n`,
    expect: "accepted",
  },
  // 6. Long mappings and many documents: linear duplicate-key check, bounded size.
  {
    name: "30,000 annotations (1 MB) read in linear time",
    reader: "parsePods",
    text: annotations(30_000),
    expect: "accepted",
    maxMs: 5000,
  },
  {
    name: "annotations over the API server's 256 KiB total",
    reader: "pods",
    text: annotations(12_000),
    expect: /metadata\.annotations: Too long: may not be more than 262144 bytes/,
    maxMs: 5000,
  },
  {
    name: "a duplicate key names both lines",
    reader: "pods",
    text: `${POD}metadata:\n  name: q\n`,
    expect: /^pod\.yaml:9: invalid YAML: duplicate key "metadata" \(first at line 3\)$/,
  },
  {
    name: "a duplicate key in a long mapping",
    reader: "parsePods",
    text: annotations(20_000).replace('    k19999: "', '    k7: "'),
    expect: /^pod\.yaml:20005: invalid YAML: duplicate key "k7" \(first at line 13\)$/,
    maxMs: 5000,
  },
  {
    name: "more than 10,000 documents",
    reader: "pods",
    text: "---\na: 1\n".repeat(10_001),
    expect: /^pod\.yaml:\d+: too many YAML documents: more than 10000$/,
    maxMs: 5000,
  },
  {
    name: "a text over 16 MiB",
    reader: "parsePods",
    text: `# ${"x".repeat(16 * 1024 * 1024)}\n`,
    expect: /^pod\.yaml: file too large: \d+ characters \(at most 16777216 bytes, 16 MiB\)$/,
    maxMs: 1000,
  },
  // 7. String lengths as the API server bounds them.
  {
    name: "a pod name of 254 characters",
    reader: "pods",
    text: POD.replace("name: p", `name: ${"a".repeat(254)}`),
    expect: /metadata\.name: Invalid value: "a+": must be no more than 253 characters/,
  },
  {
    name: "a pod name of 253 characters",
    reader: "pods",
    text: POD.replace("name: p", `name: ${"a".repeat(253)}`),
    expect: "accepted",
  },
  {
    name: "a namespace of 64 characters",
    reader: "pods",
    text: POD.replace("name: p", `name: p\n  namespace: ${"n".repeat(64)}`),
    expect: /metadata\.namespace: Invalid value: "n+": must be no more than 63 characters/,
  },
  {
    name: "a label value of 64 characters",
    reader: "pods",
    text: POD.replace("name: p", `name: p\n  labels:\n    app: ${"v".repeat(64)}`),
    expect: /metadata\.labels: Invalid value: "v+": must be no more than 63 characters/,
  },
  {
    name: "a label key with an invalid name",
    reader: "pods",
    text: POD.replace("name: p", "name: p\n  labels:\n    -bad: x"),
    expect: /metadata\.labels: Invalid value: "-bad": name part must consist of alphanumeric characters/,
  },
  {
    name: "a container name of 64 characters",
    reader: "pods",
    text: POD.replace("- name: c", `- name: ${"c".repeat(64)}`),
    expect: /spec\.containers\[0\]\.name: Invalid value: "c+": must be no more than 63 characters/,
  },
  {
    name: "a pod name of a million characters: the error quotes it, cut short",
    reader: "pods",
    text: POD.replace("name: p", `name: ${"a".repeat(1_000_000)}`),
    expect: /must be no more than 253 characters|more characters\)/,
    maxMs: 2000,
  },
  {
    name: "an error quoting a huge scalar stays short",
    reader: "pods",
    text: podWith(`    resources:\n      limits:\n        cpu: "${"9".repeat(100_000)}x"\n`),
    expect: /^pod\.yaml:11: /,
    maxMs: 1000,
  },
];
