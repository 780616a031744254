/**
 * Shadow mode: podpin beside a kubelet that runs its own resource managers, read-only. The
 * kubelet's checkpoints are the truth of what is allocated; the agent's node is rebuilt from them
 * (and the pod source's specs) whenever either changes, and each pod the kubelet holds state for
 * is decided again by podpin to report where the answers differ.
 */
import {
  type AgentAddOn,
  AgentSetupError,
  type AgentEngine,
  type AgentLog,
  coalesced,
} from "../../agent/index.js";
import type { Machine } from "../../machine/index.js";
import { type NodeConfig, NodeConfigError } from "../../node/index.js";
import type { EventSink, KubePodObject, NodePods } from "../types.js";
import { decisionDrift, type PodDrift } from "./drift.js";
import { KubeletFiles } from "./kubelet-files.js";
import { PodSpecs } from "./pods.js";
import { DriftReporter } from "./report.js";
import { type ShadowStateDir, shadowStateDir } from "./state-dir.js";
import { buildTruth, type Truth } from "./truth.js";
import { watchKubeletRoot } from "./watch.js";

export const DEFAULT_KUBELET_STATE_PERIOD_MS = 10_000;

/** A pod source that knows no pod (until a pod watch is configured): every pod is known by UID only. */
export const NO_POD_SOURCE: NodePods = { current: () => [], onChange: () => () => {} };

export interface KubeletShadowOptions {
  /** The kubelet's root directory (`--root-dir`, default /var/lib/kubelet). */
  rootDir: string;
  machine: Machine;
  /** The kubelet's configuration: its version's formats and its policies read the files. */
  config: NodeConfig;
  /** The pods bound to this node, for their specs. */
  pods: NodePods;
  events?: EventSink;
  log?: AgentLog;
  /** How often the files are read even without a change seen (default 10 s). */
  periodMs?: number;
}

export interface KubeletShadow {
  /** The agent's state: the kubelet's truth, refusing every change. */
  readonly state: ShadowStateDir;
  /** Watches the files and the pods, rebuilds the engine's node, reports drift; adds the drift gauge to `/metrics`. */
  readonly addOn: AgentAddOn;
  readonly reporter: DriftReporter;
  /** Reads the files and the pods now; the engine's node and the drift follow when either changed. */
  refresh(): Promise<void>;
  /** The last drift check: every pod checked, with its drifting containers (possibly none). */
  lastDrift(): readonly PodDrift[];
}

function podsSignature(objects: readonly KubePodObject[]): string {
  return objects
    .map(
      (o) =>
        `${o.metadata.uid}:${o.metadata.resourceVersion ?? JSON.stringify(o.spec)}:${o.status?.phase ?? ""}`,
    )
    .join("|");
}

/** Reads the kubelet's state under `rootDir` and prepares the shadow; refuses a state that does not start. */
export function openKubeletShadow(opts: KubeletShadowOptions): KubeletShadow {
  const { rootDir, machine, config, log } = opts;
  const files = new KubeletFiles(rootDir, config, log);
  const specs = new PodSpecs(log);
  const reporter = new DriftReporter(log, opts.events);
  let engine: AgentEngine | null = null;
  let signature = "";
  let truthProblem: string | null = null;
  let drift: readonly PodDrift[] = [];

  const attempt = ():
    | { truth: Truth; warnings: string[] }
    | { problem: string; signature: string }
    | null => {
    const reading = files.read();
    const objects = opts.pods.current();
    const next = `${reading.fingerprint}#${podsSignature(objects)}`;
    if (next === signature) return null;
    try {
      const truth = buildTruth(machine, config, reading.restored, specs.read(objects));
      signature = next;
      return { truth, warnings: reading.problems };
    } catch (err) {
      if (!(err instanceof NodeConfigError)) throw err;
      return { problem: err.message, signature: next };
    }
  };

  const first = attempt();
  if (first === null || "problem" in first)
    throw new AgentSetupError(
      `--kubelet-root-dir ${rootDir}: the kubelet's checkpoints do not start on this machine and kubelet configuration (${first?.problem ?? "no state"}); give podpin the kubelet's own configuration (-c) and machine`,
    );
  const state = shadowStateDir(rootDir, first.truth.node, first.truth.podObjects, first.warnings);
  const check = (truth: Truth) => {
    drift = decisionDrift(truth.drift);
    reporter.update(drift);
  };
  check(first.truth);

  const refresh = coalesced(async () => {
    const r = attempt();
    if (r === null) return;
    if ("problem" in r) {
      if (truthProblem !== r.problem)
        log?.warn("the kubelet's checkpoints do not start podpin's node; keeping the last good truth", {
          root: rootDir,
          error: r.problem,
        });
      truthProblem = r.problem;
      return;
    }
    truthProblem = null;
    if (engine) {
      try {
        await engine.replaceNode(r.truth.node, r.truth.podObjects);
      } catch (err) {
        // Shutting down: the node no one will read again need not be installed.
        log?.warn("shadow node not installed", { error: err instanceof Error ? err.message : String(err) });
        return;
      }
    } else {
      state.replaceNode(r.truth.node, r.truth.podObjects);
    }
    check(r.truth);
  });

  const addOn: AgentAddOn = {
    name: "kubelet-shadow",
    async start(e) {
      engine = e;
      const unsubscribe = opts.pods.onChange(() => void refresh());
      const watch = watchKubeletRoot(
        rootDir,
        opts.periodMs ?? DEFAULT_KUBELET_STATE_PERIOD_MS,
        () => void refresh(),
      );
      await refresh();
      return {
        stop: async () => {
          unsubscribe();
          watch.stop();
          await refresh().catch(() => {});
        },
        metricsText: () => reporter.metricsText(),
      };
    },
  };

  return { state, addOn, reporter, refresh, lastDrift: () => drift };
}
