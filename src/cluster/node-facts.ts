import type { Taint } from "../k8s/index.js";
import type { NodeConfig } from "../node/index.js";
import { ClusterSetupError, KubeApiError, type NodeObject } from "./kube/index.js";
import { Backoff, type BackoffOptions } from "./watch/index.js";

/**
 * What the kubelet's node lister gives its predicate admit handler and podpin otherwise takes
 * from the kubelet configuration: the Node object's labels (node affinity, nodeSelector) and
 * taints (`NoExecute`), read from the API server once, before the engine's node is built.
 */
export interface NodeFacts {
  name: string;
  uid: string;
  labels: Record<string, string>;
  taints: Taint[];
}

export interface NodeReader {
  readonly nodeName: string;
  getNode(): Promise<NodeObject>;
}

type Fields = Readonly<Record<string, string | number | boolean | null | undefined>>;

export interface ReadNodeOptions {
  /** Tries before giving up on an API server that does not answer (default 5). */
  attempts?: number;
  /** Waits between tries (default 0.5 s doubling: about 8 s of waiting over five tries). */
  backoff?: BackoffOptions;
  log?: { warn(msg: string, fields?: Fields): void };
}

const DEFAULT_ATTEMPTS = 5;
const DEFAULT_NODE_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 8_000, jitter: 0.2 };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** The Node object's labels and taints; a field of an unexpected shape is a one-line setup error. */
export function nodeFactsOf(node: NodeObject): NodeFacts {
  const name = node.metadata?.name;
  const where = `Node ${typeof name === "string" ? name : "(unnamed)"}`;
  const bad = (field: string, expected: string) =>
    new ClusterSetupError(`${where}: ${field}: expected ${expected}`);
  if (typeof name !== "string" || name === "") throw bad("metadata.name", "a non-empty string");
  const uid = node.metadata.uid;
  if (typeof uid !== "string") throw bad("metadata.uid", "a string");
  const labels: Record<string, string> = {};
  const rawLabels = node.metadata.labels ?? {};
  if (!isObject(rawLabels)) throw bad("metadata.labels", "a map of strings");
  for (const [k, v] of Object.entries(rawLabels)) {
    if (typeof v !== "string") throw bad(`metadata.labels.${k}`, "a string");
    labels[k] = v;
  }
  const rawTaints = node.spec?.taints ?? [];
  if (!Array.isArray(rawTaints)) throw bad("spec.taints", "a list of taints");
  const taints = rawTaints.map((t: unknown, i): Taint => {
    if (!isObject(t)) throw bad(`spec.taints[${i}]`, "a taint (key, value, effect)");
    if (typeof t.key !== "string" || t.key === "") throw bad(`spec.taints[${i}].key`, "a non-empty string");
    if (typeof t.effect !== "string" || t.effect === "")
      throw bad(`spec.taints[${i}].effect`, "NoSchedule, PreferNoSchedule or NoExecute");
    if (t.value !== undefined && t.value !== null && typeof t.value !== "string")
      throw bad(`spec.taints[${i}].value`, "a string");
    // timeAdded only matters to the taint eviction controller, not to admission.
    return typeof t.value === "string" && t.value !== ""
      ? { key: t.key, value: t.value, effect: t.effect }
      : { key: t.key, effect: t.effect };
  });
  return { name, uid, labels, taints };
}

/** Whether another try may succeed: no answer, an overloaded or failing server. */
function transient(err: unknown): boolean {
  if (!(err instanceof KubeApiError)) return true;
  return err.status === 429 || err.status >= 500;
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Reads this node's Node object, retrying an API server that does not answer for a while. The
 * kubelet registers its Node before it runs pods, so an agent beside it finds one; without it the
 * agent would decide with the wrong labels and taints (rejecting pods the kubelet admits), so it
 * refuses to start instead, and a DaemonSet restarts it.
 */
export async function readNodeAtStart(api: NodeReader, opts: ReadNodeOptions = {}): Promise<NodeFacts> {
  const attempts = Math.max(1, opts.attempts ?? DEFAULT_ATTEMPTS);
  const backoff = new Backoff(opts.backoff ?? DEFAULT_NODE_BACKOFF);
  for (let attempt = 1; ; attempt++) {
    try {
      return nodeFactsOf(await api.getNode());
    } catch (err) {
      if (err instanceof ClusterSetupError) throw err;
      const again = transient(err) && attempt < attempts;
      if (!again) {
        const tries = attempt > 1 ? ` (${attempt} attempts)` : "";
        throw new ClusterSetupError(
          `--node-name ${api.nodeName}: the Node object cannot be read${tries}: ${messageOf(err)}; the agent decides with the Node's labels and taints, so it does not start without them`,
        );
      }
      const waitMs = Math.round(backoff.next());
      opts.log?.warn("the Node object could not be read; trying again", {
        node: api.nodeName,
        attempt,
        waitMs,
        error: messageOf(err),
      });
      await new Promise((r) => setTimeout(r, waitMs));
    }
  }
}

/**
 * The engine's configuration with the Node object's labels and taints, as the kubelet's
 * predicate handler sees them: the Node's labels are laid over the machine's (they already hold
 * what `--node-labels` registered), and its taints replace `registerWithTaints` (those were only
 * the taints it registered with; controllers and people have changed them since).
 */
export function withNodeFacts(config: NodeConfig, facts: NodeFacts): NodeConfig {
  return {
    ...config,
    nodeName: facts.name,
    nodeLabels: { ...facts.labels },
    registerWithTaints: facts.taints.map((t) => ({ ...t })),
  };
}
