import type { AgentAddOn, AgentLog } from "../../agent/index.js";
import type { NrtApplier } from "../types.js";
import { buildNodeResourceTopology, type NrtIdentity } from "./build.js";
import { createNrtPublisher } from "./publisher.js";

export interface NrtAddOnOptions extends NrtIdentity {
  debounceMs?: number;
  retryMs?: number;
  maxRetryMs?: number;
  log?: Pick<AgentLog, "info" | "warn">;
}

/**
 * The agent add-on that keeps the node's NodeResourceTopology object current: published when the
 * agent starts and after every committed change (debounced), with a last publication on stop.
 */
export function nrtAddOn(applier: NrtApplier, opts: NrtAddOnOptions): AgentAddOn {
  return {
    name: "noderesourcetopology",
    async start(engine) {
      const identity = { nodeName: opts.nodeName, nodeUID: opts.nodeUID };
      const publisher = createNrtPublisher({
        // Through the engine's queue, so the object shows committed changes only; once the engine
        // has closed (the agent stops it before its add-ons) the node no longer changes.
        build: () =>
          engine.available
            ? engine.read((node) => buildNodeResourceTopology(node, identity))
            : buildNodeResourceTopology(engine.node, identity),
        applier,
        debounceMs: opts.debounceMs,
        retryMs: opts.retryMs,
        maxRetryMs: opts.maxRetryMs,
        log: opts.log,
      });
      const unsubscribe = engine.onChange(() => publisher.changed());
      await publisher.publishNow();
      return {
        async stop() {
          unsubscribe();
          await publisher.stop();
        },
      };
    },
  };
}
