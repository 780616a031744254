import fc from "fast-check";
import { stringify } from "yaml";
import { CPUSetParseError, JSONParseError, QuantityParseError } from "../core/index.js";
import { InputError } from "./input-error.js";
import { kubeletArgsFromText } from "./kubelet-args-text.js";
import { parseKubeletConfig } from "./kubelet-config.js";
import { parseKubeletFlags } from "./kubelet-flags.js";
import { parsePods } from "./pod.js";
import { readPodInputs } from "./pod-inputs.js";
import { parseYamlStream } from "./yaml-source.js";

/**
 * The k8s module's text readers as fuzz targets: each `run` either returns or throws one of
 * `TYPED_INPUT_ERRORS`; anything else is a bug. `npm test` replays a thousand inputs per target
 * (src/k8s/fuzz.test.ts); `npm run fuzz` (scripts/fuzz.ts) runs each at 100,000.
 */
export interface FuzzTarget {
  readonly name: string;
  /** Reads `input` as the reader would read a file's text. */
  run(input: string): void;
  /** Inputs shaped for this reader: random bytes and structurally random YAML. */
  readonly arbitrary: fc.Arbitrary<string>;
}

/** The error classes a reader may throw on bad input (each prints as one line). */
export const TYPED_INPUT_ERRORS: readonly (abstract new (...args: never[]) => Error)[] = [
  InputError,
  QuantityParseError,
  CPUSetParseError,
  JSONParseError,
];

export function isTypedInputError(err: unknown): boolean {
  return TYPED_INPUT_ERRORS.some((cls) => err instanceof cls) && !(err as Error).message.includes("\n");
}

/** Random bytes, decoded as a reader decodes a file (UTF-8, invalid sequences replaced). */
export const byteText: fc.Arbitrary<string> = fc
  .uint8Array({ maxLength: 300 })
  .map((b) => Buffer.from(b).toString("utf8"));

/** Text made of YAML's own punctuation and a few words, where the parser's edge cases live. */
export const yamlishText: fc.Arbitrary<string> = fc
  .array(
    fc.constantFrom(
      "\n",
      "  ",
      "- ",
      ": ",
      "? ",
      "[",
      "]",
      "{",
      "}",
      ",",
      "&a ",
      "*a",
      "*b",
      "<<: ",
      "---\n",
      "'",
      '"',
      "#",
      "|\n",
      ">-\n",
      "!!str ",
      "!!binary ",
      "%YAML 1.1\n",
      "cpu",
      "memory",
      "name",
      "1.5",
      "1e3",
      "yes",
      "null",
      "~",
      "\t",
    ),
    { maxLength: 60 },
  )
  .map((parts) => parts.join(""));

const KEYS = [
  "apiVersion",
  "kind",
  "metadata",
  "name",
  "namespace",
  "uid",
  "labels",
  "annotations",
  "spec",
  "containers",
  "initContainers",
  "resources",
  "requests",
  "limits",
  "cpu",
  "memory",
  "hugepages-2Mi",
  "nvidia.com/gpu",
  "template",
  "replicas",
  "items",
  "constructor",
  "__proto__",
  "toString",
  "restartPolicy",
  "cpuManagerPolicy",
  "memoryManagerPolicy",
  "topologyManagerPolicy",
  "reservedSystemCPUs",
  "reservedMemory",
  "numaNode",
  "systemReserved",
  "kubeReserved",
  "featureGates",
];

const SCALARS: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    "v1",
    "Pod",
    "List",
    "Deployment",
    "apps/v1",
    "KubeletConfiguration",
    "kubelet.config.k8s.io/v1beta1",
    "static",
    "Static",
    "single-numa-node",
    "p",
    "c",
    "1",
    "500m",
    "1Gi",
    "0-3",
    "2x",
    "",
    "1e300",
    `1.${"0".repeat(40)}`,
  ),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 20 }),
);

/** Random mappings and lists over Kubernetes' field names, printed as YAML or JSON. */
export const structuredValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    SCALARS,
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 8 })), tie("value"), {
      maxKeys: 5,
    }),
  ),
})).value;

/** A pod whose fields are replaced at random: close enough to valid to reach deep validation. */
const podLike: fc.Arbitrary<unknown> = fc
  .record({
    name: fc.oneof(fc.constant("p"), fc.string({ maxLength: 300 }), fc.constant("a".repeat(254))),
    cpu: SCALARS,
    memory: SCALARS,
    resource: fc.constantFrom(...KEYS),
    extra: structuredValue,
    podLevel: fc.boolean(),
  })
  .map(({ name, cpu, memory, resource, extra, podLevel }) => {
    const resources = { requests: { cpu, memory, [resource]: extra }, limits: { cpu, memory } };
    return {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, labels: { app: name } },
      spec: {
        ...(podLevel ? { resources } : {}),
        containers: [{ name: "c", image: "x", resources }],
      },
    };
  });

/** Structured inputs as text, with a YAML hazard spliced in now and then. */
function asText(value: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  return fc
    .tuple(
      value,
      fc.constantFrom("yaml", "json"),
      fc.option(fc.constantFrom("*x", "<<: 1", "? [a]\n: b", "&x [*x]", "---", "a: 1\na: 2"), {
        nil: undefined,
      }),
      fc.nat(),
    )
    .map(([v, format, hazard, at]) => {
      const text = format === "json" ? (JSON.stringify(v) ?? "null") : stringify(v);
      if (hazard === undefined) return text;
      const lines = text.split("\n");
      lines.splice(at % (lines.length + 1), 0, hazard);
      return lines.join("\n");
    });
}

/** The arbitrary every YAML target shares: bytes, YAML punctuation, structured documents. */
export const yamlInput: fc.Arbitrary<string> = fc.oneof(
  byteText,
  yamlishText,
  asText(structuredValue),
  asText(podLike),
);

const flagsInput: fc.Arbitrary<string> = fc.oneof(
  byteText,
  fc
    .array(
      fc.constantFrom(
        "--cpu-manager-policy=static",
        "--reserved-cpus=0-1",
        "--kube-reserved=cpu=1",
        '"',
        "'",
        "\\",
        "KUBELET_KUBEADM_ARGS=",
        "[Service]\n",
        "Environment=",
        "ExecStart=/usr/bin/kubelet ",
        "--feature-gates=A=true",
        " ",
        "\n",
      ),
      { maxLength: 20 },
    )
    .map((p) => p.join("")),
);

export const FUZZ_TARGETS: readonly FuzzTarget[] = [
  { name: "yaml stream", run: (t) => void parseYamlStream(t, "input.yaml"), arbitrary: yamlInput },
  { name: "pods (library parsePods)", run: (t) => void parsePods(t, "pod.yaml"), arbitrary: yamlInput },
  {
    name: "pod inputs (pods, lists, workloads, validated)",
    run: (t) => void readPodInputs(t, "pod.yaml"),
    arbitrary: yamlInput,
  },
  {
    name: "kubelet configuration",
    run: (t) => void parseKubeletConfig(t, "kubelet.yaml"),
    arbitrary: yamlInput,
  },
  {
    name: "kubelet flags",
    run: (t) => void parseKubeletFlags(kubeletArgsFromText(t, "kubeadm-flags.env")),
    arbitrary: flagsInput,
  },
];
