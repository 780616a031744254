import { readFileSync, statSync } from "node:fs";
import {
  InputError,
  type KubeletArg,
  type KubeletConfig,
  type KubeletConfigOverrides,
  type KubernetesVersion,
  kubeletArgsFromText,
  kubeletConfigFromDefaults,
  parseFeatureGateMap,
  parseKubeletConfig,
  parseKubeletFlags,
  YAML_LIMITS,
} from "../k8s/index.js";
import type { Machine } from "../machine/index.js";
import { kubeletStartRefusal, Node, NodeConfigError, type NodeConfig } from "../node/index.js";
import { UsageError } from "./errors.js";
import { readFailureReason } from "./read-input.js";

/**
 * The kubelet's configuration as a node starts it: the `--config` file (podpin's `-c`, or the one
 * the command line names), the kubelet's command line over it (`--kubelet-flags`,
 * `--kubelet-flags-file`, the kubelet's precedence), then podpin's own `--feature-gates` and
 * `--kubernetes-version`.
 */

export interface KubeletInputOptions {
  config?: string;
  kubernetesVersion?: string;
  featureGates?: string;
  /** The kubelet's flags, as one shell-quoted line. */
  kubeletFlags?: string;
  /** Files holding the kubelet's flags (kubeadm-flags.env, a systemd drop-in, a flag line). */
  kubeletFlagsFile?: string | string[];
}

/** The text of `path`; `where(reason)` is the error when it cannot be read (`no such file`). */
function readText(path: string, where: (reason: string) => InputError | UsageError): string {
  try {
    if (statSync(path).size > YAML_LIMITS.maxBytes) throw where(`larger than ${YAML_LIMITS.maxBytes} bytes`);
    return readFileSync(path, "utf8");
  } catch (err) {
    if (err instanceof InputError || err instanceof UsageError) throw err;
    throw where(readFailureReason(err));
  }
}

function versionOf(opts: KubeletInputOptions): KubernetesVersion | undefined {
  const v = opts.kubernetesVersion;
  if (v === undefined) return undefined;
  if (v !== "1.36" && v !== "1.37")
    throw new UsageError(
      `--kubernetes-version: unsupported version ${JSON.stringify(v)}: expected "1.36" or "1.37"`,
    );
  return v;
}

/** The kubelet's arguments from the flag files (in order), then the inline flags. */
function kubeletArgs(opts: KubeletInputOptions): KubeletArg[] | null {
  const files = opts.kubeletFlagsFile === undefined ? [] : [opts.kubeletFlagsFile].flat();
  if (files.length === 0 && opts.kubeletFlags === undefined) return null;
  const args: KubeletArg[] = [];
  for (const file of files) {
    const text = readText(
      file,
      (reason) => new UsageError(`--kubelet-flags-file: cannot read ${file}: ${reason}`),
    );
    args.push(...kubeletArgsFromText(text, file));
  }
  // One line given on podpin's command line: a line number would say nothing.
  if (opts.kubeletFlags !== undefined)
    args.push(
      ...kubeletArgsFromText(opts.kubeletFlags, "--kubelet-flags").map(({ text, file }) => ({ text, file })),
    );
  return args;
}

/** The kubelet configuration podpin simulates, from the options every node command shares. */
export function loadKubeletConfig(opts: KubeletInputOptions): KubeletConfig {
  const kubernetesVersion = versionOf(opts);
  const args = kubeletArgs(opts);
  const flags = args ? parseKubeletFlags(args) : undefined;
  const overrides: KubeletConfigOverrides = { flags, kubernetesVersion };
  if (opts.featureGates)
    overrides.featureGates = {
      values: parseFeatureGateMap(opts.featureGates, "--feature-gates"),
      source: "--feature-gates",
    };
  if (opts.config) {
    const path = opts.config;
    const text = readText(path, (reason) => new UsageError(`cannot read ${path}: ${reason}`));
    return parseKubeletConfig(text, path, overrides);
  }
  const named = flags?.configFile;
  if (named) {
    const text = readText(
      named.path,
      (reason) =>
        new InputError(
          named.origin.where,
          "--config",
          `cannot read ${named.path}: ${reason}; copy the node's file here and pass it with -c (it takes the place of --config)`,
        ),
    );
    return parseKubeletConfig(text, named.path, overrides);
  }
  const source = args && args.length > 0 ? args[0].file : "<defaults>";
  return kubeletConfigFromDefaults(source, overrides);
}

/**
 * Refuses, with the kubelet's words, a configuration the kubelet would not start with on this
 * machine: the checks that need the machine, then everything a Node refuses at construction
 * (Topology, CPU and Memory Manager set-up, node allocatable).
 */
export function assertKubeletStarts(machine: Machine, kubelet: KubeletConfig, config: NodeConfig): void {
  const refuse = (why: string) =>
    new NodeConfigError(`${kubelet.source}: the kubelet would not start: ${why}`);
  const refusal = kubeletStartRefusal(machine, config);
  if (refusal) throw refuse(refusal);
  try {
    new Node({ machine, config });
  } catch (err) {
    if (err instanceof NodeConfigError) throw refuse(err.message);
    throw err;
  }
}
