import type { AgentAddOn, AgentLog } from "../agent/index.js";
import { type NodeFacts, type NodeReader, nodeFactsOf } from "./node-facts.js";

export interface NodeChangesOptions {
  /** Read the Node again this often (0: never). */
  periodMs: number;
  log: Pick<AgentLog, "warn">;
}

function signature(facts: NodeFacts): string {
  const labels = Object.entries(facts.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([labels, facts.taints]);
}

function describe(facts: NodeFacts): string {
  const labels = Object.keys(facts.labels).length;
  const taints = facts.taints.map((t) => `${t.key}${t.value ? `=${t.value}` : ""}:${t.effect}`).join(",");
  return `${labels} labels, taints ${taints || "none"}`;
}

/**
 * The engine decides with the labels and taints the Node had at start: it has no way to change
 * its node's configuration in place. This add-on reads the Node again now and then and says, once
 * per distinct change, that a restart is needed to decide with the new ones.
 */
export function nodeChangesAddOn(api: NodeReader, atStart: NodeFacts, opts: NodeChangesOptions): AgentAddOn {
  return {
    name: "node-changes",
    async start() {
      if (opts.periodMs <= 0) return { stop: async () => {} };
      const initial = signature(atStart);
      let reported = initial;
      let reading: Promise<void> | null = null;
      const check = async () => {
        try {
          const now = nodeFactsOf(await api.getNode());
          const sig = signature(now);
          if (sig === reported) return;
          reported = sig;
          if (sig === initial) return;
          opts.log.warn(
            "the Node's labels or taints changed since start; admissions still use the ones at start until the agent restarts",
            { node: api.nodeName, atStart: describe(atStart), now: describe(now) },
          );
        } catch {
          // The pod watch reports an unreachable API server; this check just waits for the next period.
        }
      };
      const timer = setInterval(() => {
        reading ??= check().finally(() => {
          reading = null;
        });
      }, opts.periodMs);
      timer.unref();
      return {
        stop: async () => {
          clearInterval(timer);
          await reading;
        },
      };
    },
  };
}
