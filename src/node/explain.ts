import { withPlainJSON } from "../core/index.js";
import { containersInOrder, type Pod } from "../k8s/index.js";
import { machineNUMANodes } from "../machine/index.js";
import {
  type DeviceAllocationCall,
  type DeviceRequest,
  containerDeviceRequest,
  podDeviceRequest,
} from "../managers/device/index.js";
import {
  type BitMask,
  filterProvidersHints,
  filterSingleNumaHints,
  type HintData,
  iterateAllProviderTopologyHints,
  maskBits,
  maskFromBits,
  type MergeData,
  mergePermutation,
  type TopologyHint,
} from "../managers/topology/index.js";
import { type MergeCause, mergeCauses } from "./explain-causes.js";
import { explainDeviceError } from "./explain-device-errors.js";
import { afterCalls, type DeviceSnapshot, snapshotForContainer, snapshotOf } from "./explain-devices.js";
import { type FitReport, fitReport } from "./explain-fit.js";
import { behaviourNotes, deviceNotes } from "./explain-notes.js";
import { podBudgetProblems } from "./explain-pod-budget.js";
import { predicateNotes, predicateView } from "./explain-predicate.js";
import { type RejectionCause, rejectionCause, withFix } from "./explain-rejection.js";
import { admitOnCopy, copyNode } from "./explain-trial.js";
import type { Node } from "./node.js";
import type { PredicateDecision } from "./predicate/index.js";
import type { AdmissionResult, TopologyManagerPolicyName, TopologyManagerScopeName } from "./types.js";

export { copyNode } from "./explain-trial.js";
export type { DeviceFit, FitReport, NUMAFit, RequestFit } from "./explain-fit.js";

/** One distinct merged hint the Topology Manager's permutation walk produced. */
export interface Candidate {
  numaNodes: number[];
  preferred: boolean;
  /** How many permutations merged to it. */
  permutations: number;
  winner: boolean;
}

export interface MergeExplanation {
  container: string | null;
  merge: MergeData;
  candidates: Candidate[];
  /** Candidates were not listed because the cross product is too large to walk. */
  truncated: boolean;
  /** What kept the result from being a preferred one (empty when it is preferred). */
  causes: MergeCause[];
  why: string;
}

/** A failed device choice, with the kubelet's text and what it means here. */
export interface DeviceErrorExplanation {
  container: string;
  resource: string;
  error: string;
  /** On the pod-level path: the choice at container creation, after admission. */
  atContainerStart: boolean;
  /** Plain words on the cause; null for a text podpin does not know. */
  explanation: string | null;
}

export interface Explanation {
  result: AdmissionResult;
  /** The node's Topology Manager policy and scope and the kubelet version explained against. */
  policy: TopologyManagerPolicyName;
  scope: TopologyManagerScopeName;
  kubernetesVersion: string;
  /** What refused the pod, named after the engine's result, with the fix the node would admit; null when admitted. */
  rejection: RejectionCause | null;
  merges: MergeExplanation[];
  /** Every failed device choice of the admission and, on the pod-level path, of container creation. */
  deviceErrors: DeviceErrorExplanation[];
  notes: string[];
  fit: FitReport | null;
  /**
   * The predicate admit handler's view: allocatable, used by other pods and requested per resource,
   * with its failures. When the Topology Manager refused first, what the handler would have found.
   */
  predicate: PredicateDecision;
}

export interface ExplainOptions {
  /** Also the notes that would hold for most pods on the node (the quota the documentation describes, ...). */
  verbose?: boolean;
}

const MAX_PERMUTATIONS = 200_000;

function hintFromData(h: HintData): TopologyHint {
  return { affinity: h.numaNodes === null ? null : maskFromBits(h.numaNodes), preferred: h.preferred };
}

function candidatesOf(node: Node, merge: MergeData): { candidates: Candidate[]; truncated: boolean } {
  // A hint family too large to list leaves only its first hints here: the walk cannot be made.
  if (merge.answers.some((a) => Object.keys(a.unlisted ?? {}).length > 0))
    return { candidates: [], truncated: true };
  const answers = merge.answers.map((a) =>
    a.hints === null
      ? null
      : new Map(
          Object.entries(a.hints).map(([r, list]) => [r, list === null ? null : list.map(hintFromData)]),
        ),
  );
  let slots = filterProvidersHints(answers);
  const policy = node.config.topologyManagerPolicy;
  if (policy === "single-numa-node") slots = filterSingleNumaHints(slots);
  const total = slots.reduce((n, s) => n * s.length, 1);
  if (total > MAX_PERMUTATIONS) return { candidates: [], truncated: true };
  const all = maskFromBits(machineNUMANodes(node.machine));
  const seen = new Map<string, Candidate>();
  iterateAllProviderTopologyHints(slots, (perm) => {
    const m = mergePermutation(all, perm);
    if (m.affinity === 0n) return;
    const key = `${m.affinity}:${m.preferred}`;
    const c = seen.get(key);
    if (c) c.permutations++;
    else
      seen.set(key, {
        numaNodes: maskBits(m.affinity),
        preferred: m.preferred,
        permutations: 1,
        winner: false,
      });
  });
  const hint = merge.hint;
  const winnerMask: BitMask | null =
    hint.numaNodes === null ? (policy === "single-numa-node" ? all : null) : maskFromBits(hint.numaNodes);
  const candidates = [...seen.values()].sort(
    (a, b) =>
      Number(b.preferred) - Number(a.preferred) ||
      a.numaNodes.length - b.numaNodes.length ||
      Number(maskFromBits(a.numaNodes) - maskFromBits(b.numaNodes)),
  );
  for (const c of candidates)
    c.winner =
      winnerMask !== null && maskFromBits(c.numaNodes) === winnerMask && c.preferred === hint.preferred;
  return { candidates, truncated: false };
}

function whyOf(
  node: Node,
  merge: MergeData,
  candidates: Candidate[],
  truncated: boolean,
  causes: readonly MergeCause[],
): string {
  const blame = causes.map((c) => c.text).join("; ");
  const policy = node.config.topologyManagerPolicy;
  const h = merge.hint;
  const where = h.numaNodes === null ? "any NUMA node" : `NUMA ${h.numaNodes.join(",")}`;
  if (policy === "none")
    return "policy none: no hints are merged; every container is allocated without alignment";
  const verdict = merge.admit ? "admitted" : `not admitted (${policy} admits only a preferred hint)`;
  if (!truncated && candidates.length === 0)
    return `${blame ? `${blame}; so ` : ""}no permutation left a usable affinity${policy === "single-numa-node" ? " once hints spanning several NUMA nodes or not preferred were dropped" : ""}: the result is {${where}, preferred=${h.preferred}}, ${verdict}`;
  const preferred = candidates.filter((c) => c.preferred);
  let reason: string;
  if (h.preferred) {
    const sameWidth = preferred.filter((c) => c.numaNodes.length === (h.numaNodes?.length ?? 0));
    reason =
      sameWidth.length > 1
        ? `the narrowest preferred candidate; ${sameWidth.length} candidates tie on width and the ${node.config.topologyManagerPolicyOptions["prefer-closest-numa-nodes"] === "true" && policy !== "single-numa-node" ? "closest (smallest average distance), then " : ""}lowest-numbered mask wins`
        : "the narrowest preferred candidate";
  } else {
    reason = blame
      ? blame
      : preferred.length === 0
        ? "no candidate is preferred (the providers' preferred hints never agree on one mask)"
        : "a non-preferred result";
  }
  if (policy === "single-numa-node" && h.numaNodes === null && h.preferred)
    reason += "; single-numa-node reports an all-nodes result as no preference";
  return `${where}, preferred=${h.preferred}: ${reason}; ${verdict}`;
}

/** The state each merge saw and the request it weighed, for the device clauses of `why`. */
function deviceContextOf(
  purged: Node,
  before: DeviceSnapshot,
  pod: Pod,
  merge: MergeData,
  result: AdmissionResult,
): { snapshot: DeviceSnapshot; request: DeviceRequest } {
  const isPlugin = (r: string) => purged.deviceManager.isDevicePluginResource(r);
  if (merge.container === null) return { snapshot: before, request: podDeviceRequest(pod, isPlugin) };
  const c = containersInOrder(pod).find((x) => x.name === merge.container);
  return {
    snapshot: snapshotForContainer(before, pod, merge.container, result),
    request: c ? containerDeviceRequest(c, isPlugin) : new Map(),
  };
}

/** Every failed device choice, explained from the device state just before it. */
function deviceErrorsOf(
  node: Node,
  before: DeviceSnapshot,
  result: AdmissionResult,
): DeviceErrorExplanation[] {
  const calls: { call: DeviceAllocationCall; atContainerStart: boolean }[] = [
    ...result.deviceAllocations.map((call) => ({ call, atContainerStart: false })),
    ...(result.deferredDevices ?? []).flatMap((d) =>
      d.devicesToAllocate.map((call) => ({ call, atContainerStart: true })),
    ),
  ];
  const out: DeviceErrorExplanation[] = [];
  calls.forEach(({ call, atContainerStart }, i) => {
    if (call.error === null) return;
    const state = afterCalls(
      before,
      calls.slice(0, i).map((x) => x.call),
    ).get(call.resource);
    out.push({
      container: call.container,
      resource: call.resource,
      error: call.error,
      atContainerStart,
      explanation: explainDeviceError(call.error, call.resource, state, {
        policy: node.config.topologyManagerPolicy,
        atContainerStart,
        hasTopology: state?.hasTopology ?? false,
      }),
    });
  });
  // Container-creation errors that are not a device choice (a plugin's PreStartContainer needs).
  for (const d of result.deferredDevices ?? [])
    if (
      d.error !== null &&
      !out.some((e) => e.atContainerStart && e.container === d.container && e.error === d.error)
    ) {
      const resource = /, resource (\S+)$/.exec(d.error)?.[1] ?? /: (\S+)$/.exec(d.error)?.[1] ?? "";
      out.push({
        container: d.container,
        resource,
        error: d.error,
        atContainerStart: true,
        explanation: explainDeviceError(d.error, resource, before.get(resource), {
          policy: node.config.topologyManagerPolicy,
          atContainerStart: true,
          hasTopology: before.get(resource)?.hasTopology ?? false,
        }),
      });
    }
  return out;
}

/** Per resource, the container whose allocation failed: the request "what would fit" varies for it. */
function failedContainers(result: AdmissionResult): Map<string, string> {
  const out = new Map<string, string>();
  const failed = result.trace.allocations.find((a) => a.error !== null);
  if (failed?.container && failed.provider === "cpu") out.set("cpu", failed.container);
  if (failed?.container && failed.provider === "memory") out.set("memory", failed.container);
  for (const call of result.deviceAllocations)
    if (call.error !== null && !out.has(call.resource)) out.set(call.resource, call.container);
  return out;
}

/**
 * What the node would do with `pod`, and why, without changing the node: the verdict, every merge
 * with the providers' hints and the distinct candidates the merge weighed, what sank a merge,
 * device errors in plain words, behaviour notes, and for a rejection the cause the engine's result
 * names and what would fit now: for each request, the nearest values the engine admits on a copy
 * of the node.
 */
export function explainAdmission(node: Node, pod: Pod, opts: ExplainOptions = {}): Explanation {
  const trial = copyNode(node);
  const result = trial.admit(pod);
  // The next admission's first hint request purges the pods that are no longer active.
  const purged = copyNode(node);
  purged.deviceManager.updateAllocatedDevices();
  const before = snapshotOf(purged);
  const policy = node.config.topologyManagerPolicy;
  const numaCount = machineNUMANodes(node.machine).length;
  // The pod-level merge: the resources whose pod budget the pod-level rule refuses.
  const refused = new Set(
    result.trace.path === "pod-level" ? podBudgetProblems(pod, node.config).map((p) => p.resource) : [],
  );
  const merges = result.trace.merges.map((merge) => {
    const { candidates, truncated } = candidatesOf(node, merge);
    const causes = mergeCauses(
      merge,
      policy,
      deviceContextOf(purged, before, pod, merge, result),
      numaCount,
      merge.container === null ? refused : new Set(),
    );
    return {
      container: merge.container,
      merge,
      candidates,
      truncated,
      causes,
      why: whyOf(node, merge, candidates, truncated, causes),
    };
  });
  const predicate = predicateView(node, pod, result);
  const failedMerge = merges.find((m) => !m.merge.admit) ?? null;
  const cause = rejectionCause(node, pod, result, failedMerge, (p) => admitOnCopy(node, p));
  const fit = result.admitted
    ? null
    : fitReport(node, pod, result, {
        purged,
        first: cause?.resources ?? [],
        preferred: failedContainers(result),
        searchRequests: cause?.rule !== "predicate",
        raised: cause?.podBudget?.requests,
      });
  return withPlainJSON({
    result,
    policy,
    scope: node.config.topologyManagerScope,
    kubernetesVersion: node.config.kubernetesVersion,
    rejection: cause && fit ? withFix(cause, fit.requests) : cause,
    merges,
    deviceErrors: deviceErrorsOf(node, before, result),
    notes: [
      ...behaviourNotes(node, pod, result, opts),
      ...deviceNotes(node, pod, result, before),
      ...predicateNotes(node, result, predicate, opts.verbose),
    ],
    fit,
    predicate,
  });
}
