import { isEmptyRecord, LABEL_OS, type Pod } from "../../k8s/index.js";
import { isCriticalPod, isStaticPod } from "./critical.js";
import { fits } from "./fit.js";
import { hostPortsFit } from "./host-ports.js";
import {
  failureResult,
  NODE_AFFINITY,
  NODE_NAME,
  NODE_PORTS,
  OS_LABEL_MISMATCH,
  OS_NOT_SUPPORTED,
  preemptionErrorMessage,
  SUPPLEMENTAL_GROUPS_NOT_SUPPORTED,
  TAINT_TOLERATION,
  UNEXPECTED_ADMISSION_ERROR,
} from "./messages.js";
import { matchesRequiredNodeAffinity } from "./node-affinity.js";
import {
  buildNodeView,
  removeMissingExtendedResources,
  sanitizeForDevices,
  sortedAllocatable,
} from "./node-view.js";
import { choosePreemptionVictims } from "./preemption.js";
import { podRequestAmounts } from "./request.js";
import { sortedAmounts, sortedNames, sortedNonZeroAmounts } from "./resources.js";
import { untoleratedNoExecuteTaint } from "./taints.js";
import type { InsufficientResource, PredicateDecision, PredicateFailure, PredicateInput } from "./types.js";

/**
 * The kubelet's predicate admit handler (`predicateAdmitHandler.Admit`), step by step: the OS
 * checks, the supplemental-groups check, the node view with device sanitisation, the filtering of
 * unknown extended resources, the general filter (every failure, in order), and the critical-pod
 * failure handler. Pure: the caller evicts the victims it names.
 */

/** The OS podpin's kubelet runs on. */
const NODE_OS = "linux";

/**
 * The node labels the general filter sees. The kubelet's OS check overwrites a missing or
 * different `kubernetes.io/os` label with its own OS *in the node's label map* when that map has
 * entries (a node without labels gets a fresh map, left unattached), so later checks see `linux`.
 */
function filterLabels(labels: Record<string, string>): Record<string, string> {
  if (labels[LABEL_OS] === NODE_OS || isEmptyRecord(labels)) return labels;
  return { ...labels, [LABEL_OS]: NODE_OS };
}

type Base = Omit<PredicateDecision, "admitted" | "reason" | "message" | "rejectedAt">;

function emptyBase(critical: boolean): Base {
  return {
    failures: [],
    ignoredFailures: [],
    critical,
    preempted: [],
    resources: [],
    allocatable: {},
    requested: {},
    used: {},
    podCount: 0,
    droppedExtendedResources: [],
    raisedByDevices: [],
    ephemeralStorageChecked: false,
  };
}

/** The general filter (`generalFilter`): fit, NodeAffinity, NodeName, NodePorts, TaintToleration. */
function generalFilterFailures(
  pod: Pod,
  fitFailures: readonly InsufficientResource[],
  input: PredicateInput,
  labels: Record<string, string>,
  view: ReturnType<typeof buildNodeView>,
): PredicateFailure[] {
  const out: PredicateFailure[] = [...fitFailures];
  const node = input.node;
  // A node-affinity-only failure makes the kubelet re-read the node uncached and filter again;
  // podpin has one node object, so the second pass would find the same.
  if (!matchesRequiredNodeAffinity(pod, labels, node.name)) out.push(NODE_AFFINITY);
  if (pod.nodeName && pod.nodeName !== node.name) out.push(NODE_NAME);
  if (!hostPortsFit(pod, view.usedPorts)) out.push(NODE_PORTS);
  if (!isStaticPod(pod) && untoleratedNoExecuteTaint(node.taints, pod.tolerations ?? []))
    out.push(TAINT_TOLERATION);
  return out;
}

/**
 * The decision from its parts, every field written out in the order of `Base` then the verdict:
 * an object spread of `base` costs an admission more than the rest of the handler's bookkeeping.
 */
function decision(
  base: Base,
  verdict: { reason: string; message: string } | null,
  rejectedAt: PredicateDecision["rejectedAt"],
  changed: Partial<Pick<Base, "failures" | "ignoredFailures" | "preempted">> = {},
): PredicateDecision {
  return {
    failures: changed.failures ?? base.failures,
    ignoredFailures: changed.ignoredFailures ?? base.ignoredFailures,
    critical: base.critical,
    preempted: changed.preempted ?? base.preempted,
    resources: base.resources,
    allocatable: base.allocatable,
    requested: base.requested,
    used: base.used,
    podCount: base.podCount,
    droppedExtendedResources: base.droppedExtendedResources,
    raisedByDevices: base.raisedByDevices,
    ephemeralStorageChecked: base.ephemeralStorageChecked,
    admitted: verdict === null,
    reason: verdict === null ? null : verdict.reason,
    message: verdict === null ? null : verdict.message,
    rejectedAt,
  };
}

function reject(
  base: Base,
  rejectedAt: PredicateDecision["rejectedAt"],
  r: { reason: string; message: string },
  changed?: Partial<Pick<Base, "failures" | "ignoredFailures">>,
): PredicateDecision {
  return decision(base, r, rejectedAt, changed);
}

export function admitPredicate(input: PredicateInput): PredicateDecision {
  const { node, pod, gates } = input;
  const critical = isCriticalPod(pod);

  // Checks that preemption cannot help come first.
  const podOS = pod.labels?.[LABEL_OS];
  if (podOS !== undefined && podOS !== NODE_OS)
    return reject(emptyBase(critical), "os-label", OS_LABEL_MISMATCH);
  if (pod.os !== undefined && pod.os !== NODE_OS)
    return reject(emptyBase(critical), "os-field", OS_NOT_SUPPORTED);
  // SupplementalGroupsPolicy is beta or GA in every version podpin models.
  if (pod.supplementalGroupsPolicy === "Strict" && !node.supplementalGroupsPolicy)
    return reject(emptyBase(critical), "supplemental-groups", SUPPLEMENTAL_GROUPS_NOT_SUPPORTED);

  // With running totals the other pods are not read here (the caller may list them lazily).
  const view = buildNodeView(node, input.usage ? [] : input.otherPods, gates, input.usage);
  sanitizeForDevices(view, input.deviceManager);
  const filtered = removeMissingExtendedResources(pod, view.allocatable);
  // A pod that lost no extended resource requests what the caller may have computed.
  const request =
    filtered.pod === pod && input.request ? input.request : podRequestAmounts(filtered.pod, gates);
  const fit = fits({
    request,
    allocatable: view.allocatable,
    used: view.used,
    podCount: view.podCount,
    checkEphemeralStorage: node.ephemeralStorageKnown,
  });
  const failures = generalFilterFailures(filtered.pod, fit.failures, input, filterLabels(node.labels), view);
  // Written out as the admitted decision (`decision`'s field order): no copy when it admits.
  const base: PredicateDecision = {
    failures,
    ignoredFailures: [],
    critical,
    preempted: [],
    resources: fit.resources,
    allocatable: sortedAllocatable(view),
    requested: sortedAmounts(request),
    used: sortedNonZeroAmounts(view.used),
    podCount: view.podCount,
    droppedExtendedResources: filtered.dropped,
    raisedByDevices: view.raisedByDevices,
    ephemeralStorageChecked: node.ephemeralStorageKnown,
    admitted: true,
    reason: null,
    message: null,
    rejectedAt: null,
  };
  if (failures.length === 0) return base;
  if (!critical) return reject(base, "general-filter", failureResult(failures[0]));

  // A critical pod is not refused for resources while other pods can make room for it.
  const kept = failures.filter((f) => f.kind === "Predicate");
  if (kept.length > 0) {
    const ignored = failures.filter((f) => f.kind === "InsufficientResource");
    return reject(base, "general-filter", failureResult(kept[0]), {
      failures: kept,
      ignoredFailures: ignored,
    });
  }
  const shortfalls = failures.filter((f): f is InsufficientResource => f.kind === "InsufficientResource");
  const choice = choosePreemptionVictims(pod, input.otherPods, shortfalls, gates);
  if (choice.error !== null)
    return reject(base, "preemption", {
      reason: UNEXPECTED_ADMISSION_ERROR,
      message: preemptionErrorMessage(choice.error),
    });
  const preempted = sortedNames(choice.victims.map((p) => p.uid));
  return decision(base, null, null, { preempted });
}
