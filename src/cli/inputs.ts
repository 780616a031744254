import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parse as parseYAML } from "yaml";
import {
  assertValidPod,
  type KubeletConfig,
  type KubernetesVersion,
  loadKubeletConfigFromFile,
  parseFeatureGates,
  parseKubeletConfig,
  parsePods,
  type Pod,
} from "../k8s/index.js";
import { loadMachine, type Machine } from "../machine/index.js";
import { type NodeConfig, nodeConfigFromKubelet } from "../node/index.js";
import { UsageError } from "./errors.js";

/** Options every command that builds a node shares. */
export interface NodeInputOptions {
  config?: string;
  machine: string;
  kubernetesVersion?: string;
  featureGates?: string;
}

export const DEFAULT_MACHINE = "worked-example";

/** A KubeletConfiguration with the kubelet's defaults (every manager off), for when none is given. */
const EMPTY_KUBELET_CONFIG = "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n";

function readStdin(): string {
  try {
    return readFileSync(0, "utf8");
  } catch {
    throw new UsageError("-: cannot read pods from standard input");
  }
}

/** The kubelet configuration after `--kubernetes-version` and `--feature-gates` overrides. */
export function loadKubeletConfig(opts: NodeInputOptions): KubeletConfig {
  const k = opts.config
    ? loadKubeletConfigFromFile(opts.config)
    : parseKubeletConfig(EMPTY_KUBELET_CONFIG, "<defaults>");
  if (opts.kubernetesVersion !== undefined) {
    if (opts.kubernetesVersion !== "1.36" && opts.kubernetesVersion !== "1.37")
      throw new UsageError(
        `--kubernetes-version: unsupported version ${JSON.stringify(opts.kubernetesVersion)}: expected "1.36" or "1.37"`,
      );
    k.kubernetesVersion = opts.kubernetesVersion as KubernetesVersion;
  }
  if (opts.featureGates) k.featureGates = parseFeatureGates(opts.featureGates, k.featureGates).featureGates;
  return k;
}

export function loadNodeInputs(opts: NodeInputOptions): {
  machine: Machine;
  kubelet: KubeletConfig;
  config: NodeConfig;
} {
  const kubelet = loadKubeletConfig(opts);
  const machine = loadMachine(opts.machine);
  return { machine, kubelet, config: nodeConfigFromKubelet(kubelet) };
}

function podFilesIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /\.(ya?ml|json)$/i.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/** Pods from files, directories (their .yaml/.yml/.json files, sorted) or `-` (stdin), validated. */
export function loadPods(sources: readonly string[]): Pod[] {
  const pods: Pod[] = [];
  for (const source of sources) {
    if (source === "-") {
      for (const pod of parsePods(readStdin(), "<stdin>")) {
        assertValidPod(pod, "<stdin>");
        pods.push(pod);
      }
      continue;
    }
    let files: string[];
    try {
      files = statSync(source).isDirectory() ? podFilesIn(source) : [source];
    } catch {
      throw new UsageError(`${source}: no such file or directory`);
    }
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      for (const pod of parsePods(text, file)) {
        assertValidPod(pod, file);
        pods.push(pod);
      }
    }
  }
  const seen = new Map<string, string>();
  for (const pod of pods) {
    const other = seen.get(pod.uid);
    if (other)
      throw new UsageError(`pods ${other} and ${pod.namespace}/${pod.name} have the same uid ${pod.uid}`);
    seen.set(pod.uid, `${pod.namespace}/${pod.name}`);
  }
  return pods;
}

/** One scripted event. */
export type StepEvent = { op: "admit"; pod: Pod } | { op: "remove"; pod: string };

/**
 * A steps file: `steps:` is a list whose items are `admit: <pod file>` (relative to the steps
 * file; every pod in it, in order) or `remove: <namespace/name | name | uid>`.
 */
export function loadSteps(path: string): StepEvent[] {
  let doc: unknown;
  try {
    doc = parseYAML(readFileSync(path, "utf8"));
  } catch (err) {
    throw new UsageError(`${path}: ${(err as Error).message.split("\n")[0]}`);
  }
  const steps = (doc as { steps?: unknown } | null)?.steps;
  if (!Array.isArray(steps))
    throw new UsageError(`${path}: steps: expected a list of {admit: <pod file>} or {remove: <pod>}`);
  const events: StepEvent[] = [];
  steps.forEach((item, i) => {
    const where = `${path}: steps[${i}]`;
    if (!item || typeof item !== "object" || Object.keys(item).length !== 1)
      throw new UsageError(`${where}: expected exactly one of "admit" or "remove"`);
    const [op, value] = Object.entries(item as Record<string, unknown>)[0];
    if (typeof value !== "string" || value === "") throw new UsageError(`${where}.${op}: expected a string`);
    if (op === "admit") {
      for (const pod of loadPods([resolve(dirname(path), value)])) events.push({ op: "admit", pod });
    } else if (op === "remove") {
      events.push({ op: "remove", pod: value });
    } else {
      throw new UsageError(`${where}: unknown step ${JSON.stringify(op)}; expected "admit" or "remove"`);
    }
  });
  return events;
}
