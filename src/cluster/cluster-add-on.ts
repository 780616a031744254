import type { AgentAddOn, AgentEngine, AgentLog } from "../agent/index.js";
import { nodeNameOf } from "../node/predicate/index.js";
import { ClusterSetupError, type PodSource } from "./kube/index.js";
import { PodSync } from "./pod-sync.js";
import type { EventSink, NodePods } from "./types.js";
import { type BackoffOptions, PodReflector } from "./watch/index.js";

export interface ClusterAddOnOptions {
  source: PodSource;
  events: EventSink;
  nodeName: string;
  /** Relist this often (0: never). */
  resyncPeriodMs: number;
  /** Keep the pod cache (for shadow mode) but neither admit nor remove anything. */
  observeOnly?: boolean;
  log: AgentLog;
  backoff?: BackoffOptions;
  watchTimeoutSeconds?: () => number;
  pageSize?: number;
}

export interface ClusterAddOn extends AgentAddOn {
  /** The pod cache, usable before `start` (it is empty until the first list). */
  readonly pods: NodePods;
  /** Resolves once the first list has been acted on (tests, start-up logs). */
  firstSync(): Promise<void>;
  /** Resolves once every change heard so far has been acted on. */
  settled(): Promise<void>;
  /** Relist now. */
  resync(): void;
}

/**
 * The agent in a cluster: watches the pods bound to its node and admits and removes them on the
 * engine as the kubelet would (or, observing only, just keeps the cache).
 */
export function clusterAddOn(opts: ClusterAddOnOptions): ClusterAddOn {
  const reflector = new PodReflector({
    source: opts.source,
    nodeName: opts.nodeName,
    resyncPeriodMs: opts.resyncPeriodMs,
    backoff: opts.backoff,
    watchTimeoutSeconds: opts.watchTimeoutSeconds,
    pageSize: opts.pageSize,
    log: opts.log,
  });
  let sync: PodSync | null = null;
  return {
    name: "cluster",
    pods: reflector,
    async firstSync() {
      await reflector.firstSync;
      await sync?.settled();
    },
    async settled() {
      await sync?.settled();
    },
    resync: () => reflector.resync(),
    async start(engine: AgentEngine) {
      // The predicate admit handler compares each pod's spec.nodeName with the engine's node name.
      const engineNode = nodeNameOf(engine.node.machine, engine.node.config);
      if (!opts.observeOnly && engineNode !== opts.nodeName)
        throw new ClusterSetupError(
          `--node-name ${opts.nodeName}: the engine's node is named ${engineNode} (the kubelet configuration's hostname-override or the machine's name); they must be the same`,
        );
      if (!opts.observeOnly) {
        sync = new PodSync({
          engine,
          pods: reflector,
          events: opts.events,
          nodeName: opts.nodeName,
          log: opts.log,
        });
        sync.start();
      }
      reflector.start();
      opts.log.info("watching the node's pods", {
        node: opts.nodeName,
        mode: opts.observeOnly ? "observe" : "admit",
        resyncPeriodMs: opts.resyncPeriodMs,
      });
      return {
        stop: async () => {
          await reflector.stop();
          await sync?.stop();
        },
      };
    },
  };
}
