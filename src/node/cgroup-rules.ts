import { CPUSet, type Quantity } from "../core/index.js";
import {
  aggregateContainerLimits,
  aggregateContainerRequests,
  type Container,
  containersInOrder,
  type FeatureGates,
  isContainerEquivalentGuaranteed,
  isPodLevelResourcesSet,
  isSupportedPodLevelResource,
  type Pod,
  podQOS,
  type ResourceList,
} from "../k8s/index.js";
import type { IsolationLevel, PodCgroup } from "./types.js";

/**
 * The kubelet's cgroup rules that depend on the resource managers (pod-level.md §4): the isolation
 * level of a container, whether a container or a pod "has exclusive CPUs", the CFS quota of a
 * container, and the pod cgroup's settings. Pure functions over the pod and what the CPU Manager
 * holds for each container.
 */

/** What the CPU Manager holds for one container. */
export interface ContainerCPUState {
  /** The container's stored CPU set (exclusive slice, pod shared pool, runnable pool); empty if none. */
  cpus: CPUSet;
  /** What the CPU Manager's `GetResourceIsolationLevel` reports for it. */
  isolation: IsolationLevel;
}

/** Looks up the CPU Manager's view of a container of the pod. */
export type CPUStateOf = (container: Container) => ContainerCPUState;

/** The kubelet's CFS settings (`cpuCFSQuota`, `cpuCFSQuotaPeriod`). */
export interface CFSSettings {
  /** `cpuCFSQuota`: enforce CPU limits at all (default true). */
  cpuCFSQuota: boolean;
  /** `cpuCFSQuotaPeriod` in microseconds (default 100000). */
  cpuCFSQuotaPeriodUs: number;
}

export const DEFAULT_CFS_SETTINGS: Readonly<CFSSettings> = {
  cpuCFSQuota: true,
  cpuCFSQuotaPeriodUs: 100_000,
};

const MIN_SHARES = 2;
const MAX_SHARES = 262_144;
const SHARES_PER_CPU = 1024;
const MIN_QUOTA_PERIOD = 1000;

/** `resourcesQualifyForExclusiveCPUs`: equivalent-Guaranteed and an integral CPU limit. */
export function resourcesQualifyForExclusiveCPUs(c: Container): boolean {
  const limit = c.resources?.limits.cpu;
  return isContainerEquivalentGuaranteed(c) && limit?.isIntegral() === true;
}

/**
 * `GetResourceIsolationLevel` (§4.1): `host` without a CPU assignment; `pod` for a container of a
 * pod-level pod that does not qualify for exclusive CPUs (it runs in the pod shared pool or a
 * runnable pool); `container` otherwise.
 */
export function resourceIsolationLevel(
  pod: Pod,
  container: Container,
  hasAssignment: boolean,
  gates: Pick<FeatureGates, "PodLevelResourceManagers">,
): IsolationLevel {
  if (!hasAssignment) return "host";
  if (
    gates.PodLevelResourceManagers &&
    isPodLevelResourcesSet(pod) &&
    !resourcesQualifyForExclusiveCPUs(container)
  ) {
    return "pod";
  }
  return "container";
}

/** The CPU Manager's view built from its container assignments (container name -> CPU set). */
export function cpuStatesFromAssignments(
  pod: Pod,
  assignments: ReadonlyMap<string, CPUSet>,
  gates: Pick<FeatureGates, "PodLevelResourceManagers">,
): CPUStateOf {
  return (c) => {
    const cpus = assignments.get(c.name) ?? CPUSet.empty;
    return { cpus, isolation: resourceIsolationLevel(pod, c, !cpus.isEmpty(), gates) };
  };
}

/** `ContainerHasExclusiveCPUs`: a non-empty CPU set at isolation level `container` (§4.2). */
export function containerHasExclusiveCPUs(state: ContainerCPUState): boolean {
  return !state.cpus.isEmpty() && state.isolation === "container";
}

/**
 * `PodHasExclusiveCPUs` as settled by the kubelet's tests (§4.3, `podlevel/isolation.json`): with
 * `PodLevelResourceManagers` on and pod-level resources set, any container in the pod shared pool
 * (level `pod`) means no — the pod keeps its CFS quota, which caps the shared pool. Otherwise yes
 * iff some init or app container has exclusive CPUs.
 */
export function podHasExclusiveCPUs(
  pod: Pod,
  stateOf: CPUStateOf,
  gates: Pick<FeatureGates, "PodLevelResourceManagers">,
): boolean {
  const all = containersInOrder(pod);
  if (gates.PodLevelResourceManagers && isPodLevelResourcesSet(pod)) {
    if (all.some((c) => stateOf(c).isolation === "pod")) return false;
  }
  return all.some((c) => containerHasExclusiveCPUs(stateOf(c)));
}

function toNumber(v: bigint): number {
  return Number(v);
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = -MAX_SAFE;

/** The value as a double when it is an integer a double holds exactly, else null. */
function safeInteger(v: bigint | number): number | null {
  if (typeof v === "number") return Number.isSafeInteger(v) ? v : null;
  return v >= MIN_SAFE && v <= MAX_SAFE ? Number(v) : null;
}

/**
 * `a × b / 1000` truncated towards zero, as the bigint arithmetic computes it, with doubles:
 * null when the product is beyond what a double holds exactly (bigint arithmetic then).
 */
function exactPerMille(a: number | null, b: number): number | null {
  if (a === null || !Number.isSafeInteger(b)) return null;
  const product = a * b;
  if (!Number.isSafeInteger(product)) return null;
  // The remainder takes the product's sign, so this truncates towards zero; `+ 0` turns -0 into 0.
  return (product - (product % 1000)) / 1000 + 0;
}

/** `MilliCPUToQuota`: `milli × period / 1000`, at least 1000 µs; 0 (no quota) for no limit. */
export function milliCPUToQuota(milliCPU: bigint | number, periodUs: number): number {
  // Bigint arithmetic allocates: doubles whenever they are exact (always, for real limits).
  const milli = safeInteger(milliCPU);
  const quota = exactPerMille(milli, periodUs);
  if (quota === null) return milliCPUToQuotaExact(milliCPU, periodUs);
  if (milli === 0) return 0;
  return quota < MIN_QUOTA_PERIOD ? MIN_QUOTA_PERIOD : quota;
}

/** `milliCPUToQuota` in bigint arithmetic throughout: the reference the double path is tested against. */
export function milliCPUToQuotaExact(milliCPU: bigint | number, periodUs: number): number {
  const milli = BigInt(milliCPU);
  if (milli === 0n) return 0;
  const quota = (milli * BigInt(periodUs)) / 1000n;
  return quota < BigInt(MIN_QUOTA_PERIOD) ? MIN_QUOTA_PERIOD : toNumber(quota);
}

/** `MilliCPUToShares`: `milli × 1024 / 1000`, clamped to [2, 262144]; 2 for no request. */
export function milliCPUToShares(milliCPU: bigint | number): number {
  const shares = exactPerMille(safeInteger(milliCPU), SHARES_PER_CPU);
  if (shares === null) return milliCPUToSharesExact(milliCPU);
  if (shares < MIN_SHARES) return MIN_SHARES;
  if (shares > MAX_SHARES) return MAX_SHARES;
  return shares;
}

/** `milliCPUToShares` in bigint arithmetic throughout: the reference the double path is tested against. */
export function milliCPUToSharesExact(milliCPU: bigint | number): number {
  const milli = BigInt(milliCPU);
  if (milli === 0n) return MIN_SHARES;
  const shares = (milli * BigInt(SHARES_PER_CPU)) / 1000n;
  if (shares < BigInt(MIN_SHARES)) return MIN_SHARES;
  if (shares > BigInt(MAX_SHARES)) return MAX_SHARES;
  return toNumber(shares);
}

/**
 * The container's `cpu.cfs_quota_us` (§4.2): -1 (unlimited) when `DisableCPUQuotaWithExclusiveCPUs`
 * is on and the container has exclusive CPUs; otherwise its own CPU limit as a quota. Null when no
 * quota is set (no or zero CPU limit, or `cpuCFSQuota: false`).
 */
export function containerCpuQuota(
  container: Container,
  state: ContainerCPUState,
  cfs: CFSSettings,
  gates: Pick<FeatureGates, "DisableCPUQuotaWithExclusiveCPUs">,
): number | null {
  if (!cfs.cpuCFSQuota) return null;
  if (gates.DisableCPUQuotaWithExclusiveCPUs && containerHasExclusiveCPUs(state)) return -1;
  const limit = container.resources?.limits.cpu;
  const quota = limit ? milliCPUToQuota(limit.milliValue(), cfs.cpuCFSQuotaPeriodUs) : 0;
  return quota === 0 ? null : quota;
}

/** Pod-level values override the containers' aggregate for the supported names (`PodRequests`). */
function withPodLevel(aggregate: ResourceList, podLevel: ResourceList | undefined): ResourceList {
  const out: ResourceList = { ...aggregate };
  if (podLevel && Object.keys(podLevel).length > 0) {
    for (const [name, q] of Object.entries(podLevel)) {
      if (isSupportedPodLevelResource(name)) out[name] = q;
    }
  }
  return out;
}

/** The pod's effective requests and limits, as `podTotals` computes them. */
export interface PodTotals {
  requests: ResourceList;
  limits: ResourceList;
  cpuLimitsDeclared: boolean;
  memoryLimitsDeclared: boolean;
}

/** `ResourceConfigForPod`'s inputs: the pod's effective requests and limits (§4.3). */
function podTotals(pod: Pod, gates: Pick<FeatureGates, "PodLevelResources">): PodTotals {
  const podLevel = gates.PodLevelResources ? pod.resources : null;
  let cpuLimitsDeclared = true;
  let memoryLimitsDeclared = true;
  const aggregateLimits = aggregateContainerLimits(pod, (list) => {
    if (!list.cpu || list.cpu.isZero()) cpuLimitsDeclared = false;
    if (!list.memory || list.memory.isZero()) memoryLimitsDeclared = false;
  });
  if (podLevel && isPodLevelResourcesSet(pod)) {
    if (podLevel.limits.cpu && !podLevel.limits.cpu.isZero()) cpuLimitsDeclared = true;
    if (podLevel.limits.memory && !podLevel.limits.memory.isZero()) memoryLimitsDeclared = true;
  }
  return {
    requests: withOverhead(
      withPodLevel(aggregateContainerRequests(pod), podLevel?.requests),
      pod.overhead,
      true,
    ),
    limits: withOverhead(withPodLevel(aggregateLimits, podLevel?.limits), pod.overhead, false),
    cpuLimitsDeclared,
    memoryLimitsDeclared,
  };
}

/**
 * `PodRequests`/`PodLimits` count `.spec.overhead` (the runtime class's per-pod cost) after the
 * pod-level replacement: added to every request, but only to limits that are set. The pod-level
 * page does not cover it; the Pod Overhead concept page says the kubelet includes the overhead
 * when sizing the pod cgroup, and node-admission.md §3 step 3 orders it after pod-level values.
 */
function withOverhead(
  list: ResourceList,
  overhead: ResourceList | undefined,
  addMissing: boolean,
): ResourceList {
  if (!overhead) return list;
  const out: ResourceList = { ...list };
  for (const [name, q] of Object.entries(overhead)) {
    const have = Object.hasOwn(out, name) ? out[name] : undefined;
    if (have) out[name] = have.add(q);
    else if (addMissing) out[name] = q;
  }
  return out;
}

const milliOf = (q: Quantity | undefined): bigint => (q ? q.milliValue() : 0n);

function hugePageLimits(requests: ResourceList): Record<string, bigint> {
  const out: Record<string, bigint> = {};
  for (const [name, q] of Object.entries(requests)) {
    if (name.startsWith("hugepages-")) out[name] = q.value();
  }
  return out;
}

/** The pod CFS quota for a given "enforce CPU limits" decision, or null when none is set. */
function podQuotaWith(
  pod: Pod,
  enforce: boolean,
  cfs: CFSSettings,
  gates: FeatureGates,
  totals: PodTotals = podTotals(pod, gates),
): number | null {
  const qos = podQOS(pod, gates);
  if (qos === "BestEffort" || (qos === "Burstable" && !totals.cpuLimitsDeclared)) return null;
  if (!enforce) return -1;
  const quota = milliCPUToQuota(milliOf(totals.limits.cpu), cfs.cpuCFSQuotaPeriodUs);
  return quota === 0 ? null : quota;
}

/**
 * The pod cgroup's CPU quota as the kubelet sets it (OPEN PL-1, pod-level.md §9: the §4.3 rule
 * applied literally in both scopes): -1 when `DisableCPUQuotaWithExclusiveCPUs` is on and
 * `PodHasExclusiveCPUs`, else the pod CPU limit as a quota. So a container-scope pod with one
 * node-exclusive container gets -1 even though the documentation says it is capped.
 */
export function podCpuQuota(
  pod: Pod,
  stateOf: CPUStateOf,
  cfs: CFSSettings,
  gates: FeatureGates,
  totals?: PodTotals,
): number | null {
  const exclusive = gates.DisableCPUQuotaWithExclusiveCPUs && podHasExclusiveCPUs(pod, stateOf, gates);
  return podQuotaWith(pod, cfs.cpuCFSQuota && !exclusive, cfs, gates, totals);
}

/**
 * The pod CPU quota the documentation describes ("capped at the pod CPU limit"), for `explain` to
 * show beside `podCpuQuota` where the two differ (PL-1, README R-2).
 */
export function documentedPodCpuQuota(
  pod: Pod,
  cfs: CFSSettings,
  gates: FeatureGates,
  totals?: PodTotals,
): number | null {
  return podQuotaWith(pod, cfs.cpuCFSQuota, cfs, gates, totals);
}

/**
 * The pod cgroup (`ResourceConfigForPod` + `EnsureExists`, §4.3): `cpu.shares` from the pod CPU
 * request, the CPU quota (`podCpuQuota`), the memory limit and the hugepage limits (from requests),
 * with pod-level values taking precedence when `PodLevelResources` is on. `documentedCpuQuotaUs` is
 * set only where the documentation's figure differs from the kubelet's.
 */
export function podCgroupSettings(
  pod: Pod,
  stateOf: CPUStateOf,
  cfs: CFSSettings,
  gates: FeatureGates,
): PodCgroup {
  const qos = podQOS(pod, gates);
  const totals = podTotals(pod, gates);
  const memory = totals.limits.memory ? totals.limits.memory.value() : 0n;
  const memoryLimitBytes =
    qos === "Guaranteed" || (qos === "Burstable" && totals.memoryLimitsDeclared) ? memory || null : null;
  // One walk of the containers for the three figures that read the totals.
  const cpuQuotaUs = podCpuQuota(pod, stateOf, cfs, gates, totals);
  const documented = documentedPodCpuQuota(pod, cfs, gates, totals);
  return {
    cpuShares: qos === "BestEffort" ? MIN_SHARES : milliCPUToShares(milliOf(totals.requests.cpu)),
    cpuQuotaUs,
    cpuPeriodUs: cfs.cpuCFSQuotaPeriodUs,
    memoryLimitBytes,
    hugepageLimitsBytes: hugePageLimits(totals.requests),
    documentedCpuQuotaUs: documented === cpuQuotaUs ? null : documented,
  };
}
