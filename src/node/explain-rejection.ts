import { Quantity } from "../core/index.js";
import { containersInOrder, type Pod } from "../k8s/index.js";
import { isMemoryManagerResource } from "../managers/memory/index.js";
import type { MergeCause } from "./explain-causes.js";
import { type PodBudgetProblem, podBudgetProblems, withPodBudget } from "./explain-pod-budget.js";
import type { RequestTarget, RequestUnit } from "./explain-requests.js";
import type { Node } from "./node.js";
import type { AdmissionResult, AdmitHandlerName } from "./types.js";

/*
 * What refused a pod, named after the engine's own result: `SMTAlignmentError` is the CPU
 * Manager's `full-pcpus-only` option, a failed merge is the Topology Manager policy, a pod budget
 * the pod-level rule refuses is that rule under every policy, `OutOf<resource>` is node
 * allocatable. Each cause links a page users can open.
 */

export type RejectionRule =
  | "cpu-manager-option"
  | "topology-manager-policy"
  | "pod-shared-pool"
  | "allocation"
  | "node-allocatable"
  | "predicate";

/** The pod with every refused pod budget raised to what the rule accepts, and the engine's verdict on it. */
export interface PodBudgetFix {
  problems: PodBudgetProblem[];
  /** The raised budgets: `cpu` in millicores, memory and hugepages in bytes (whole MiB for memory). */
  requests: Record<string, bigint>;
  admitted: boolean;
  reason: string | null;
  message: string | null;
}

export interface RejectionCause {
  /** The admit handler that refused the pod. */
  handler: AdmitHandlerName;
  rule: RejectionRule;
  /** The option, policy, manager or check: `full-pcpus-only`, `single-numa-node`, `Memory Manager`, `OutOfcpu`. */
  name: string;
  /** The resources whose requests decide; what "what would fit" advises on first. */
  resources: string[];
  /** One sentence in plain words. */
  text: string;
  /** What change of the pod's requests the node would admit now; null when none would. */
  fix: string | null;
  /** A page users can open: the Kubernetes documentation, the KEP, or a kubernetes/kubernetes issue. */
  reference: string | null;
  /** The pod-level rule only. */
  podBudget: PodBudgetFix | null;
}

/** One searched request, as the fix sentence needs it. */
export interface SearchedRequest {
  resource: string;
  target: RequestTarget;
  container: string | null;
  unit: RequestUnit;
  requested: bigint;
  below: bigint | null;
  above: bigint | null;
}

const DOCS = "https://kubernetes.io/docs";
export const REFERENCES = {
  cpuManager: `${DOCS}/tasks/administer-cluster/cpu-management-policies/`,
  fullPcpusOnly: `${DOCS}/tasks/administer-cluster/cpu-management-policies/#static-policy-options`,
  topologyManager: `${DOCS}/tasks/administer-cluster/topology-manager/`,
  memoryManager: `${DOCS}/tasks/administer-cluster/memory-manager/`,
  devicePlugins: `${DOCS}/concepts/extend-kubernetes/compute-storage-net/device-plugins/`,
  podLevelManagers: `${DOCS}/concepts/resource-management/pod-level-resource-managers/`,
  nodeAllocatable: `${DOCS}/tasks/administer-cluster/reserve-compute-resources/`,
  nodeAffinity: `${DOCS}/concepts/scheduling-eviction/assign-pod-node/`,
  taints: `${DOCS}/concepts/scheduling-eviction/taint-and-toleration/`,
  kep5526: "https://github.com/kubernetes/enhancements/issues/5526",
} as const;

const MiB = 1024n * 1024n;

/** `3 CPUs`, `2500m`, `4Gi`, `6`: an amount as a user writes it in a pod spec. */
export function amountText(v: bigint, unit: RequestUnit): string {
  if (unit === "millicores") return v % 1000n === 0n ? `${v / 1000n} CPU${v === 1000n ? "" : "s"}` : `${v}m`;
  if (unit === "bytes") return Quantity.fromInt(v, "BinarySI").toString();
  return String(v);
}

/** `cpu of container app`, `the pod budget of memory`: which request a search varied. */
export function requestLabel(r: {
  resource: string;
  target: RequestTarget;
  container: string | null;
}): string {
  if (r.target === "pod") return `${r.resource} (pod budget)`;
  if (r.target === "container") return `${r.resource} (container ${r.container})`;
  return `${r.resource} (pod budget and container ${r.container}, by the same amount)`;
}

const MANAGER: Record<string, { name: string; reference: string }> = {
  cpu: { name: "CPU Manager", reference: REFERENCES.cpuManager },
  memory: { name: "Memory Manager", reference: REFERENCES.memoryManager },
  device: { name: "Device Manager", reference: REFERENCES.devicePlugins },
};

const list = (items: readonly string[]) =>
  items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;

function budgetAmount(p: PodBudgetProblem, v: bigint): string {
  return p.resource === "cpu" ? amountText(v * 1000n, "millicores") : amountText(v, "bytes");
}

/** `cpu 4 of 4 CPUs (metrics-sidecar 1 CPU, main-app 3 CPUs)`: what the exclusive containers take. */
function takenClause(p: PodBudgetProblem): string {
  const taken = p.exclusive.reduce((sum, e) => sum + e.amount, 0n);
  const shares = p.exclusive.map((e) => `${e.container} ${budgetAmount(p, e.amount)}`).join(", ");
  return `${p.resource} ${budgetAmount(p, taken)} of ${budgetAmount(p, p.budget)} (${shares})`;
}

/** What the rule refuses, in words: the exclusive containers' shares, or the kubelet's text for the init-container rules. */
function problemsText(problems: readonly PodBudgetProblem[]): string {
  const emptyPool = problems.filter((p) => p.message.includes("sum of exclusive container"));
  const others = problems.filter((p) => !emptyPool.includes(p));
  const clauses: string[] = [];
  const groups = new Map<string, PodBudgetProblem[]>();
  for (const p of emptyPool) groups.set(p.shared.join(","), [...(groups.get(p.shared.join(",")) ?? []), p]);
  for (const group of groups.values())
    clauses.push(
      `the exclusive containers take the whole pod budget (${group.map(takenClause).join("; ")}), leaving an empty pod shared pool for ${list(group[0].shared)}`,
    );
  for (const p of others) clauses.push(`${p.resource}: ${p.message}`);
  return clauses.join("; ");
}

/** `raise spec.resources.requests.cpu to at least 5`: the rule's smallest budget, as a user would write it. */
function raiseClause(p: PodBudgetProblem): string | null {
  if (p.minimum === null) return null;
  const field = `\`spec.resources.requests.${p.resource}\``;
  if (p.resource === "cpu") return `${field} to at least ${p.minimum}`;
  return p.minimum % MiB === 0n
    ? `${field} to at least ${amountText(p.minimum, "bytes")}`
    : `${field} above ${amountText(p.minimum - 1n, "bytes")}`;
}

function surfaced(policy: string): string {
  if (policy === "best-effort")
    return "under best-effort the merge admits it and the pod allocation refuses it with EmptyPodSharedPoolError";
  return `under ${policy} the CPU and Memory Managers answer [] for it and the merge rejects it with TopologyAffinityError`;
}

/** The pod with each refused budget raised, tried on a copy of the node. */
function budgetFix(
  pod: Pod,
  problems: PodBudgetProblem[],
  admit: (pod: Pod) => AdmissionResult,
): PodBudgetFix {
  let raised = pod;
  const requests: Record<string, bigint> = {};
  for (const p of problems) {
    if (p.minimum === null) continue;
    if (p.resource === "cpu") {
      requests.cpu = p.minimum * 1000n;
      raised = withPodBudget(raised, "cpu", Quantity.fromInt(p.minimum));
    } else {
      // Whole MiB for memory: the smallest accepted byte count is rarely what anyone would write.
      const bytes = p.resource === "memory" ? ((p.minimum + MiB - 1n) / MiB) * MiB : p.minimum;
      requests[p.resource] = bytes;
      raised = withPodBudget(raised, p.resource, Quantity.fromInt(bytes, "BinarySI"));
    }
  }
  const r = admit(raised);
  return { problems, requests, admitted: r.admitted, reason: r.reason, message: r.message };
}

function podSharedPoolCause(
  node: Node,
  pod: Pod,
  result: AdmissionResult,
  problems: PodBudgetProblem[],
  admit: (pod: Pod) => AdmissionResult,
): RejectionCause {
  const podBudget = budgetFix(pod, problems, admit);
  const raises = problems.map(raiseClause).filter((x): x is string => x !== null);
  const shown = Object.entries(podBudget.requests)
    .map(([r, v]) => `${r} ${r === "cpu" ? String(v / 1000n) : amountText(v, "bytes")}`)
    .join(" and ");
  const verdict = podBudget.admitted
    ? `with ${shown} the node admits the pod now`
    : `with ${shown} the node would still reject the pod now (${podBudget.reason}: ${podBudget.message})`;
  return {
    handler: result.rejectedBy ?? "topology",
    rule: "pod-shared-pool",
    name: "pod shared pool",
    resources: problems.map((p) => p.resource),
    text: `pod-level resources in pod scope: ${problemsText(problems)}; the kubelet refuses a pod budget that leaves nothing to the containers sharing it, and ${surfaced(node.config.topologyManagerPolicy)}`,
    fix:
      raises.length > 0
        ? `raise ${list(raises)} (the limits with them), or lower the exclusive containers' requests; ${verdict}`
        : null,
    reference: REFERENCES.podLevelManagers,
    podBudget,
  };
}

function smtCause(result: AdmissionResult): RejectionCause {
  const message = result.message ?? "";
  const multiple = /requested (\d+) cpus not multiple cpus per core = (\d+)/.exec(message);
  const free = /available physical CPUs = (\d+), requested CPUs = (\d+), CPUs per core = (\d+)/.exec(message);
  const text = multiple
    ? `full-pcpus-only (a CPU Manager static policy option) allocates whole physical cores only: ${multiple[1]} CPUs is not a multiple of the ${multiple[2]} CPUs of a core`
    : free
      ? `full-pcpus-only (a CPU Manager static policy option) allocates whole physical cores only: ${free[1]} CPUs are free as whole cores, fewer than the ${free[2]} requested`
      : `full-pcpus-only (a CPU Manager static policy option): ${message}`;
  return {
    handler: "topology",
    rule: "cpu-manager-option",
    name: "full-pcpus-only",
    resources: ["cpu"],
    text,
    fix: null,
    reference: REFERENCES.fullPcpusOnly,
    podBudget: null,
  };
}

function policyCause(node: Node, causes: readonly MergeCause[], why: string): RejectionCause {
  const policy = node.config.topologyManagerPolicy;
  const admits =
    policy === "single-numa-node" ? "a preferred hint on a single NUMA node" : "a preferred hint";
  const resources = [...new Set(causes.flatMap((c) => (c.resource ? [c.resource] : [])))];
  const blame = causes.length > 0 ? causes.map((c) => c.text).join("; ") : why;
  return {
    handler: "topology",
    rule: "topology-manager-policy",
    name: policy,
    resources,
    text: `the Topology Manager policy ${policy} admits only ${admits}: ${blame}`,
    fix: null,
    reference: REFERENCES.topologyManager,
    podBudget: null,
  };
}

function allocationCause(pod: Pod, result: AdmissionResult): RejectionCause {
  const failed = result.trace.allocations.find((a) => a.error !== null);
  const manager = MANAGER[failed?.provider ?? ""] ?? { name: "a resource manager", reference: null };
  const asked = new Set(containersInOrder(pod).flatMap((c) => Object.keys(c.resources?.limits ?? {})));
  for (const r of Object.keys(pod.resources?.requests ?? {})) asked.add(r);
  const resources =
    failed?.provider === "cpu"
      ? ["cpu"]
      : failed?.provider === "memory"
        ? [...asked].filter(isMemoryManagerResource).sort()
        : [...asked].filter((r) => r.includes("/")).sort();
  const where = failed?.container ? ` for container ${failed.container}` : failed ? " for the pod" : "";
  return {
    handler: "topology",
    rule: "allocation",
    name: manager.name,
    resources,
    text: `the ${manager.name} could not allocate${where}: ${failed?.error?.message ?? result.message}`,
    fix: null,
    reference: manager.reference,
    podBudget: null,
  };
}

function predicateCause(result: AdmissionResult): RejectionCause {
  const first = result.predicate?.failures[0];
  if (first?.kind === "InsufficientResource") {
    const name = first.resourceName;
    const shown = (v: bigint) =>
      name === "cpu" ? `${v}m` : isBytesResource(name) ? amountText(v, "bytes") : String(v);
    return {
      handler: "predicate",
      rule: "node-allocatable",
      name: result.reason ?? `OutOf${first.resourceName}`,
      resources: first.resourceName === "pods" ? [] : [first.resourceName],
      text: `node allocatable: the pod requests ${shown(first.requested)} of ${first.resourceName}, the admitted pods use ${shown(first.used)} and the node has ${shown(first.capacity)} allocatable`,
      fix: null,
      reference: REFERENCES.nodeAllocatable,
      podBudget: null,
    };
  }
  const reason = result.reason ?? "";
  return {
    handler: "predicate",
    rule: "predicate",
    name: reason,
    resources: [],
    text: `the predicate admit handler: ${result.message}`,
    fix: null,
    reference:
      reason === "NodeAffinity" || reason === "NodeName"
        ? REFERENCES.nodeAffinity
        : reason === "TaintToleration"
          ? REFERENCES.taints
          : null,
    podBudget: null,
  };
}

function isBytesResource(name: string): boolean {
  return name === "memory" || name === "ephemeral-storage" || name.startsWith("hugepages-");
}

/**
 * The cause of a rejection (null for an admitted pod), before "what would fit" adds its fix.
 * `admit` tries a pod on a copy of the node; `causes` and `why` are the failed merge's.
 */
export function rejectionCause(
  node: Node,
  pod: Pod,
  result: AdmissionResult,
  merge: { causes: readonly MergeCause[]; why: string } | null,
  admit: (pod: Pod) => AdmissionResult,
): RejectionCause | null {
  if (result.admitted) return null;
  if (result.rejectedBy === "predicate") return predicateCause(result);
  if (result.trace.path === "pod-level") {
    const problems = podBudgetProblems(pod, node.config);
    if (problems.length > 0) return podSharedPoolCause(node, pod, result, problems, admit);
  }
  if (result.reason === "SMTAlignmentError") return smtCause(result);
  if (result.trace.rejectedBy === "merge") return policyCause(node, merge?.causes ?? [], merge?.why ?? "");
  return allocationCause(pod, result);
}

function alternatives(r: SearchedRequest): string | null {
  const found = [r.below, r.above].filter((v): v is bigint => v !== null);
  if (found.length === 0) return null;
  const values = found.map((v) => amountText(v, r.unit));
  // "2 or 4 CPUs" rather than "2 CPUs or 4 CPUs".
  const joined =
    r.unit === "millicores" && found.every((v) => v % 1000n === 0n && v !== 1000n) && found.length === 2
      ? `${found[0] / 1000n} or ${found[1] / 1000n} CPUs`
      : values.join(" or ");
  return `${requestLabel(r)} ${joined}`;
}

/**
 * The fix sentence: for the cause's resources (every searched one when it names none), the nearest
 * requests the node admits now. The pod-level rule keeps its own fix; a predicate no request
 * changes has none.
 */
export function withFix(cause: RejectionCause, searched: readonly SearchedRequest[]): RejectionCause {
  if (cause.rule === "pod-shared-pool" || cause.rule === "predicate") return cause;
  const relevant =
    cause.resources.length > 0 ? searched.filter((r) => cause.resources.includes(r.resource)) : [...searched];
  const found = relevant.map(alternatives).filter((x): x is string => x !== null);
  const asked = [...new Set(relevant.map((r) => r.resource))];
  const whole = cause.rule === "cpu-manager-option" ? " (whole cores)" : "";
  const fix =
    found.length > 0
      ? `${found.join("; ")}${whole} would be admitted now, the other requests as asked`
      : asked.length > 0
        ? `no ${list(asked)} request alone is admitted now`
        : null;
  return { ...cause, fix };
}
