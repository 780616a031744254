import { CPUSet, type Quantity } from "../core/index.js";
import {
  aggregateContainerRequests,
  type Container,
  type FeatureGates,
  isContainerEquivalentGuaranteed,
  isPodLevelResourcesSet,
  isSupportedPodLevelResource,
  isSidecar,
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
  if (gates.PodLevelResourceManagers && isPodLevelResourcesSet(pod)) {
    if (anyContainer(pod, (c) => stateOf(c).isolation === "pod")) return false;
  }
  return anyContainer(pod, (c) => containerHasExclusiveCPUs(stateOf(c)));
}

/** `containersInOrder(pod).some(test)`, without the list. */
function anyContainer(pod: Pod, test: (c: Container) => boolean): boolean {
  for (const c of pod.initContainers) if (test(c)) return true;
  for (const c of pod.containers) if (test(c)) return true;
  return false;
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

/** The pod's effective CPU request, hugepage requests and CPU and memory limits (`podTotals`). */
export interface PodTotals {
  cpuRequest: Quantity | undefined;
  /** Each `hugepages-*` request in bytes, in the order the request list names them. */
  hugepageRequests: Record<string, bigint>;
  cpuLimit: Quantity | undefined;
  memoryLimit: Quantity | undefined;
  cpuLimitsDeclared: boolean;
  memoryLimitsDeclared: boolean;
}

/**
 * `ResourceConfigForPod`'s inputs: the pod's effective requests and limits (§4.3), only the names
 * it reads and without building the lists (`PodRequests`/`PodLimits`).
 */
function podTotals(pod: Pod, gates: Pick<FeatureGates, "PodLevelResources">): PodTotals {
  const podLevel = gates.PodLevelResources ? pod.resources : undefined;
  const cpu = containersLimit(pod, "cpu");
  const memory = containersLimit(pod, "memory");
  let cpuLimitsDeclared = cpu.declared;
  let memoryLimitsDeclared = memory.declared;
  if (podLevel && isPodLevelResourcesSet(pod)) {
    if (podLevel.limits.cpu && !podLevel.limits.cpu.isZero()) cpuLimitsDeclared = true;
    if (podLevel.limits.memory && !podLevel.limits.memory.isZero()) memoryLimitsDeclared = true;
  }
  const requests = aggregateContainerRequests(pod);
  const request = (name: string): Quantity | undefined =>
    effective(name, ownValue(requests, name), podLevel?.requests, pod.overhead, true);
  return {
    cpuRequest: request("cpu"),
    hugepageRequests: hugepageRequests(requests, podLevel?.requests, pod.overhead, request),
    cpuLimit: effective("cpu", cpu.aggregate, podLevel?.limits, pod.overhead, false),
    memoryLimit: effective("memory", memory.aggregate, podLevel?.limits, pod.overhead, false),
    cpuLimitsDeclared,
    memoryLimitsDeclared,
  };
}

function ownValue(list: ResourceList, name: string): Quantity | undefined {
  return Object.hasOwn(list, name) ? list[name] : undefined;
}

/**
 * One name of `PodRequests`/`PodLimits`: the pod-level value for a supported name the pod level
 * sets, else the containers' aggregate; then `.spec.overhead` (the runtime class's per-pod cost),
 * added to a request whether set or not, to a limit only if set. The pod-level page does not
 * cover the overhead; the Pod Overhead concept page says the kubelet includes it when sizing the
 * pod cgroup, and node-admission.md §3 step 3 orders it after pod-level values.
 */
function effective(
  name: string,
  fromContainers: Quantity | undefined,
  podLevel: ResourceList | undefined,
  overhead: ResourceList | undefined,
  isRequest: boolean,
): Quantity | undefined {
  const q =
    podLevel && Object.hasOwn(podLevel, name) && isSupportedPodLevelResource(name)
      ? podLevel[name]
      : fromContainers;
  if (!overhead || !Object.hasOwn(overhead, name)) return q;
  if (q) return q.add(overhead[name]);
  return isRequest ? overhead[name] : q;
}

/**
 * The hugepage entries of the request list, in its order: the aggregate's names, then names only
 * the pod level sets, then names only the overhead has.
 */
function hugepageRequests(
  aggregate: ResourceList,
  podLevel: ResourceList | undefined,
  overhead: ResourceList | undefined,
  request: (name: string) => Quantity | undefined,
): Record<string, bigint> {
  const out: Record<string, bigint> = {};
  // Own names, as `Object.entries` lists them, without its pairs (a pod level sets every hugepage size).
  const note = (list: ResourceList): void => {
    for (const name in list)
      if (isHugePages(name) && Object.hasOwn(list, name) && !Object.hasOwn(out, name))
        out[name] = request(name)!.value();
  };
  note(aggregate);
  if (podLevel) note(podLevel);
  if (overhead) note(overhead);
  return out;
}

const isHugePages = (name: string): boolean => name.startsWith("hugepages-");

const declares = (q: Quantity | undefined): boolean => q !== undefined && !q.isZero();

/** `a + b` as the aggregate sums them (either may be absent). */
const sum = (a: Quantity | undefined, b: Quantity | undefined): Quantity | undefined =>
  a ? (b ? a.add(b) : a) : b;

/** The larger of the two as the aggregate takes it (`b` only when strictly larger). */
const max = (a: Quantity | undefined, b: Quantity | undefined): Quantity | undefined =>
  b && (!a || b.cmp(a) > 0) ? b : a;

/**
 * One name of the containers' limits: its `AggregateContainerLimits` amount (the sidecar formula;
 * only its value is read), and whether every contribution to it (the `ContainerFn` hook: an app
 * container's own limits; an init container's with the sidecars declared before it; a sidecar's
 * running sum of sidecars) names a non-zero amount.
 */
export function containersLimit(
  pod: Pod,
  name: "cpu" | "memory",
): { aggregate: Quantity | undefined; declared: boolean } {
  let declared = true;
  let total: Quantity | undefined;
  for (const c of pod.containers) {
    const own = c.resources?.limits[name];
    if (!declares(own)) declared = false;
    total = sum(total, own);
  }
  let sidecars: Quantity | undefined;
  let initPeak: Quantity | undefined;
  for (const c of pod.initContainers) {
    const own = c.resources?.limits[name];
    let phase: Quantity | undefined;
    if (isSidecar(c)) {
      total = sum(total, own);
      phase = sidecars = sum(sidecars, own);
    } else {
      phase = sum(own, sidecars);
    }
    if (!declares(phase)) declared = false;
    initPeak = max(initPeak, phase);
  }
  return { aggregate: max(total, initPeak), declared };
}

const milliOf = (q: Quantity | undefined): bigint => (q ? q.milliValue() : 0n);

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
  const quota = milliCPUToQuota(milliOf(totals.cpuLimit), cfs.cpuCFSQuotaPeriodUs);
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
  const memory = totals.memoryLimit ? totals.memoryLimit.value() : 0n;
  const memoryLimitBytes =
    qos === "Guaranteed" || (qos === "Burstable" && totals.memoryLimitsDeclared) ? memory || null : null;
  // One walk of the containers for the three figures that read the totals.
  const cpuQuotaUs = podCpuQuota(pod, stateOf, cfs, gates, totals);
  const documented = documentedPodCpuQuota(pod, cfs, gates, totals);
  return {
    cpuShares: qos === "BestEffort" ? MIN_SHARES : milliCPUToShares(milliOf(totals.cpuRequest)),
    cpuQuotaUs,
    cpuPeriodUs: cfs.cpuCFSQuotaPeriodUs,
    memoryLimitBytes,
    hugepageLimitsBytes: totals.hugepageRequests,
    documentedCpuQuotaUs: documented === cpuQuotaUs ? null : documented,
  };
}
