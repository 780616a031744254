import { type Command, Option } from "commander";
import type { AgentAddOn, AgentLog } from "../agent/index.js";
import type { EventSink, NodeFacts, NodePods } from "../cluster/index.js";
import type { NodeConfig } from "../node/index.js";
import { parseGoDuration } from "../k8s/index.js";
import { UsageError } from "./errors.js";
import { flagOption, valueOption } from "./options.js";

/** `podpin agent`'s cluster options: watch the node's pods, post events, publish NodeResourceTopology. */
export interface AgentClusterOptions {
  kubeconfig?: string;
  inCluster: boolean;
  nodeName?: string;
  resyncPeriod: string;
  publishNrt: boolean;
}

export interface ClusterSettings {
  source: { kubeconfig: string } | { inCluster: true };
  nodeName: string;
  resyncPeriodMs: number;
  publishNrt: boolean;
}

export const DEFAULT_RESYNC_PERIOD = "5m";

export function addClusterOptions(cmd: Command): Command {
  return cmd
    .addOption(
      valueOption("--kubeconfig <file>", "watch this node's pods from the API server of this kubeconfig", {
        without: "no cluster",
      }),
    )
    .addOption(flagOption("--in-cluster", "watch this node's pods with the pod's service account"))
    .addOption(
      valueOption(
        "--node-name <name>",
        "the Node this agent runs on, whose labels and taints it reads at start (with --kubeconfig or --in-cluster)",
        {
          without: "$NODE_NAME",
        },
      ),
    )
    .addOption(
      valueOption("--resync-period <duration>", "list the node's pods again this often (0: never)", {
        value: DEFAULT_RESYNC_PERIOD,
      }),
    )
    .addOption(
      new Option("--no-publish-nrt", "do not publish the node's NodeResourceTopology object").default(true),
    );
}

/** The cluster mode asked for, or null; a one-line usage error for inconsistent options. */
export function clusterSettings(opts: AgentClusterOptions, env = process.env): ClusterSettings | null {
  if (opts.kubeconfig !== undefined && opts.inCluster)
    throw new UsageError("--kubeconfig and --in-cluster: give one of them, not both");
  if (opts.kubeconfig === undefined && !opts.inCluster) {
    if (opts.nodeName !== undefined)
      throw new UsageError(
        "--node-name: needs --kubeconfig or --in-cluster (it names the node whose pods to watch)",
      );
    return null;
  }
  const which = opts.inCluster ? "--in-cluster" : "--kubeconfig";
  const nodeName = opts.nodeName ?? env.NODE_NAME ?? "";
  if (nodeName === "")
    throw new UsageError(
      `${which}: needs --node-name (or NODE_NAME in the environment, as a DaemonSet sets it from spec.nodeName)`,
    );
  const ns = parseGoDuration(opts.resyncPeriod);
  if (typeof ns === "string" || ns < 0n)
    throw new UsageError(
      `--resync-period ${opts.resyncPeriod}: expected a duration such as 30s, 5m or 1h (0: never)${typeof ns === "string" ? `: ${ns}` : ""}`,
    );
  return {
    source: opts.inCluster ? { inCluster: true } : { kubeconfig: opts.kubeconfig as string },
    nodeName,
    resyncPeriodMs: Number(ns / 1_000_000n),
    publishNrt: opts.publishNrt,
  };
}

/** The engine's node must carry the Node object's name: the predicate handler compares pods' spec.nodeName with it. */
export function withNodeName(
  config: NodeConfig,
  settings: ClusterSettings | null,
  log: AgentLog,
): NodeConfig {
  if (!settings || config.nodeName === settings.nodeName) return config;
  if (config.nodeName)
    log.warn("--node-name differs from the kubelet configuration's node name; using --node-name", {
      nodeName: settings.nodeName,
      configured: config.nodeName,
    });
  return { ...config, nodeName: settings.nodeName };
}

/** The cluster add-ons and, for shadow mode, the pod cache and the event sink they use. */
export interface ClusterParts {
  addOns: AgentAddOn[];
  pods: NodePods;
  events: EventSink;
  /** The Node object's labels and taints, read before the engine's node is built. */
  node: NodeFacts;
  /** `config` with the Node object's name, labels and taints. */
  withNode(config: NodeConfig): NodeConfig;
}

/** The engine's configuration in a cluster: the Node object's name, labels and taints. */
export function withClusterNode(
  config: NodeConfig,
  settings: ClusterSettings | null,
  parts: ClusterParts | null,
  log: AgentLog,
): NodeConfig {
  const named = withNodeName(config, settings, log);
  return parts ? parts.withNode(named) : named;
}

/**
 * The cluster add-ons: the pod watch driving the engine (only keeping its cache with
 * `observeOnly`, in shadow mode), and the NodeResourceTopology publisher. The Node object is read
 * first (a setup error when it cannot be), since its labels and taints are part of the node.
 */
export async function clusterAddOns(
  settings: ClusterSettings,
  log: AgentLog,
  observeOnly = false,
): Promise<ClusterParts> {
  const cluster = await import("../cluster/index.js");
  const kc = cluster.loadKubeConfig(settings.source);
  const client = new cluster.ClusterClient(kc, settings.nodeName, log);
  const node = await cluster.readNodeAtStart(client, { log });
  log.info("node read", {
    node: node.name,
    labels: Object.keys(node.labels).length,
    taints: node.taints.map((t) => `${t.key}${t.value ? `=${t.value}` : ""}:${t.effect}`).join(",") || "none",
  });
  const events = new cluster.EventRecorder({ api: client, nodeName: settings.nodeName, log });
  const watch = cluster.clusterAddOn({
    source: client,
    events,
    nodeName: settings.nodeName,
    resyncPeriodMs: settings.resyncPeriodMs,
    observeOnly,
    log,
  });
  const addOns: AgentAddOn[] = [
    watch,
    cluster.nodeChangesAddOn(client, node, { periodMs: settings.resyncPeriodMs, log }),
  ];
  if (settings.publishNrt) {
    const { nrtAddOn } = await import("../cluster/nrt/index.js");
    // The NodeResourceTopology object is owned by the Node, and goes with it.
    addOns.push(nrtAddOn(client, { nodeName: settings.nodeName, nodeUID: node.uid, log }));
  }
  return {
    addOns,
    pods: watch.pods,
    events,
    node,
    withNode: (config) => cluster.withNodeFacts(config, node),
  };
}
