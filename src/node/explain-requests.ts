import { Quantity } from "../core/index.js";
import {
  type Container,
  containersInOrder,
  isPodLevelResourcesSet,
  type Pod,
  type ResourceRequirements,
  validatePod,
} from "../k8s/index.js";
import { hugepageResourceName } from "../machine/index.js";
import { podLevelRuleAccepts } from "./explain-pod-budget.js";
import type { SearchSpace } from "./explain-search.js";
import type { Node } from "./node.js";

/*
 * The requests of a pod that `explain` varies to find what the node would admit: each is one
 * number of the pod spec (the pod budget `.spec.resources`, or one container's request and limit),
 * changed alone, with a search space over the values the machine could hold.
 */

/** Where the varied request sits: the pod budget, a container, or both by the same amount. */
export type RequestTarget = "pod" | "container" | "pod-and-container";

/** `cpu` in millicores (the kubelet's integer for CPUs), memory and hugepages in bytes, devices counted. */
export type RequestUnit = "millicores" | "bytes" | "count";

export interface RequestDimension {
  resource: string;
  target: RequestTarget;
  /** The container whose request changes; null when only the pod budget does. */
  container: string | null;
  unit: RequestUnit;
  /** As asked (for `pod-and-container`: the pod budget). */
  requested: bigint;
  space: SearchSpace;
  /** The pod asking for `v` instead, or null when the API server would refuse such a pod. */
  podWith(v: bigint): Pod | null;
}

const MiB = 1024n * 1024n;

function quantityOf(r: ResourceRequirements | null, name: string): Quantity | undefined {
  return r?.requests[name] ?? r?.limits[name];
}

function unitOf(resource: string): RequestUnit {
  if (resource === "cpu") return "millicores";
  return resource === "memory" || resource.startsWith("hugepages-") ? "bytes" : "count";
}

function amountOf(q: Quantity, unit: RequestUnit): bigint {
  return unit === "millicores" ? q.milliValue() : q.value();
}

function quantityFor(v: bigint, unit: RequestUnit): Quantity {
  if (unit === "millicores") return Quantity.fromMilli(v);
  return unit === "bytes" ? Quantity.fromInt(v, "BinarySI") : Quantity.fromInt(v);
}

/**
 * `r` asking for `v` of `name`: the request becomes `v`, and a limit equal to the old request
 * follows it (a Guaranteed container stays Guaranteed); a larger limit stays unless `v` exceeds it.
 */
function withAmount(
  r: ResourceRequirements,
  name: string,
  v: bigint,
  unit: RequestUnit,
): ResourceRequirements {
  const q = quantityFor(v, unit);
  const requests = { ...r.requests };
  const limits = { ...r.limits };
  const oldRequest = r.requests[name];
  const oldLimit = r.limits[name];
  if (oldRequest !== undefined) requests[name] = q;
  if (oldLimit !== undefined) {
    const follows = oldRequest === undefined || oldLimit.cmp(oldRequest) === 0 || oldLimit.cmp(q) < 0;
    limits[name] = follows ? q : oldLimit;
  }
  return { requests, limits };
}

function withContainer(pod: Pod, name: string, change: (c: Container) => Container): Pod {
  const swap = (c: Container) => (c.name === name ? change(c) : c);
  return { ...pod, initContainers: pod.initContainers.map(swap), containers: pod.containers.map(swap) };
}

/** `pod`, or null when the API server would refuse it (a budget below its containers', say). */
function valid(pod: Pod): Pod | null {
  return validatePod(pod).length === 0 ? pod : null;
}

/** The container asking for most of `resource` (the first of equals, in container order). */
function mainContainer(pod: Pod, resource: string, unit: RequestUnit): Container | null {
  let best: Container | null = null;
  let most = 0n;
  for (const c of containersInOrder(pod)) {
    const q = quantityOf(c.resources, resource);
    const v = q ? amountOf(q, unit) : 0n;
    if (v > most) {
      best = c;
      most = v;
    }
  }
  return best;
}

/** A first gallop of about 1/32 of the request: a few leaps reach any size, the bisection refines it. */
function leapFor(value: bigint, stride: bigint): bigint {
  const leap = value / stride / 32n;
  return leap > 1n ? leap : 1n;
}

/** The bounds and grid of one resource's search on this node. */
function spaceOf(node: Node, resource: string, unit: RequestUnit, value: bigint): SearchSpace {
  const m = node.machine;
  if (unit === "millicores") {
    const whole = value % 1000n === 0n;
    const step = whole ? 1000n : value % 100n === 0n ? 100n : 1n;
    // full-pcpus-only hands out whole cores: beyond the scanned window only multiples of a core's
    // CPUs can pass, so the gallop walks those (every value is still the engine's verdict).
    const cores =
      node.config.cpuManagerPolicy === "static" &&
      node.config.cpuManagerPolicyOptions["full-pcpus-only"] === "true" &&
      whole
        ? BigInt(Math.max(1, m.topology.cpusPerCore))
        : 1n;
    return {
      value,
      min: step,
      max: BigInt(m.topology.all.size) * 1000n,
      step,
      stride: step * cores,
      window: 1,
      firstLeap: 1n,
    };
  }
  if (resource === "memory") {
    const total = [...m.memory.values()].reduce((s, n) => s + n.memory, 0n);
    return { value, min: MiB, max: total, step: MiB, stride: MiB, window: 1, firstLeap: leapFor(value, MiB) };
  }
  if (resource.startsWith("hugepages-")) {
    let page = 0n;
    let total = 0n;
    for (const n of m.memory.values())
      for (const h of n.hugepages)
        if (hugepageResourceName(h.pageSizeKiB) === resource) {
          page = BigInt(h.pageSizeKiB) * 1024n;
          total += page * h.numPages;
        }
    const step = page > 0n ? page : Quantity.parse(resource.slice("hugepages-".length)).value();
    return { value, min: step, max: total, step, stride: step, window: 1, firstLeap: leapFor(value, step) };
  }
  const devices = node.deviceResources().get(resource)?.devices.length ?? 0;
  return { value, min: 1n, max: BigInt(devices), step: 1n, stride: 1n, window: 1, firstLeap: 1n };
}

/** The resources `explain` varies: CPU, memory, hugepages, then device-plugin resources, each asked for. */
function variedResources(node: Node, pod: Pod): string[] {
  const asked = new Set<string>();
  for (const r of [pod.resources, ...containersInOrder(pod).map((c) => c.resources)])
    for (const list of [r?.requests, r?.limits])
      for (const [name, q] of Object.entries(list ?? {})) if (!q.isZero()) asked.add(name);
  const hugepages = [...asked].filter((r) => r.startsWith("hugepages-")).sort();
  const devices = [...asked].filter((r) => node.deviceManager.isDevicePluginResource(r)).sort();
  return [
    ...["cpu", "memory"].filter((r) => asked.has(r)),
    ...hugepages,
    ...devices.filter((r) => !hugepages.includes(r)),
  ];
}

/** The pod budget of `resource`, changed alone. */
function podDimension(
  node: Node,
  pod: Pod,
  resource: string,
  unit: RequestUnit,
  q: Quantity,
): RequestDimension {
  const requested = amountOf(q, unit);
  const budget = pod.resources as ResourceRequirements;
  return {
    resource,
    target: "pod",
    container: null,
    unit,
    requested,
    space: spaceOf(node, resource, unit, requested),
    podWith: (v) => valid({ ...pod, resources: withAmount(budget, resource, v, unit) }),
  };
}

/** One container's request of `resource`, changed alone. */
function containerDimension(
  node: Node,
  pod: Pod,
  resource: string,
  unit: RequestUnit,
  c: Container,
): RequestDimension | null {
  const q = quantityOf(c.resources, resource);
  if (!q || !c.resources) return null;
  const requested = amountOf(q, unit);
  const resources = c.resources;
  return {
    resource,
    target: "container",
    container: c.name,
    unit,
    requested,
    space: spaceOf(node, resource, unit, requested),
    podWith: (v) =>
      valid(
        withContainer(pod, c.name, (x) => ({ ...x, resources: withAmount(resources, resource, v, unit) })),
      ),
  };
}

/**
 * The pod budget and the container asking for most of it, moved by the same amount (the pod shared
 * pool keeps its size): for a pod whose budget alone cannot move far enough, because a container
 * alone is too large for what the node has.
 */
export function podAndContainerDimension(node: Node, pod: Pod, resource: string): RequestDimension | null {
  const unit = unitOf(resource);
  const budgetQ = quantityOf(pod.resources, resource);
  const main = mainContainer(pod, resource, unit);
  const mainQ = main ? quantityOf(main.resources, resource) : undefined;
  if (!budgetQ || !main?.resources || !mainQ || !pod.resources) return null;
  const budget = amountOf(budgetQ, unit);
  const own = amountOf(mainQ, unit);
  const space = spaceOf(node, resource, unit, budget);
  const podResources = pod.resources;
  const containerResources = main.resources;
  return {
    resource,
    target: "pod-and-container",
    container: main.name,
    unit,
    requested: budget,
    // The container keeps at least one step of the resource.
    space: { ...space, min: budget - own + space.step > space.min ? budget - own + space.step : space.min },
    podWith: (v) => {
      const mine = own + (v - budget);
      if (mine < space.step) return null;
      const moved = withContainer(pod, main.name, (x) => ({
        ...x,
        resources: withAmount(containerResources, resource, mine, unit),
      }));
      return valid({ ...moved, resources: withAmount(podResources, resource, v, unit) });
    },
  };
}

/** The smallest multiple of `step` in [lo, hi] that `ok` accepts, `ok` being false then true there. */
function firstOk(lo: bigint, hi: bigint, step: bigint, ok: (v: bigint) => boolean): bigint {
  while (lo < hi) {
    const mid = lo + ((hi - lo) / step / 2n) * step;
    if (ok(mid)) hi = mid;
    else lo = mid + step;
  }
  return lo;
}

/** The largest multiple of `step` in [lo, hi] that `ok` accepts, `ok` being true then false there. */
function lastOk(lo: bigint, hi: bigint, step: bigint, ok: (v: bigint) => boolean): bigint {
  while (lo < hi) {
    const mid = hi - ((hi - lo) / step / 2n) * step;
    if (ok(mid)) lo = mid;
    else hi = mid - step;
  }
  return lo;
}

/**
 * The dimension with its bounds narrowed to the values a pod may ask for: what the API server
 * accepts (a pod budget at least its containers' requests, a container within the pod's limits)
 * and what the pod-level rule accepts (a budget that leaves the shared containers something).
 * Both are cheap, engine-free checks, and both hold on one interval of values, so the search's
 * last probe on each side is the edge of that interval (a pod budget that only just admits the
 * pod is found, not leapt over). Null when no value passes them.
 */
export function withinValid(node: Node, d: RequestDimension): RequestDimension | null {
  const s = d.space;
  const ok = (v: bigint) => {
    const pod = d.podWith(v);
    return pod !== null && podLevelRuleAccepts(pod, node.config);
  };
  const min = s.min % s.step === 0n ? s.min : s.min + (s.step - (s.min % s.step));
  const max = s.max - (s.max % s.step);
  if (min > max) return null;
  const atValue = s.value >= min && s.value <= max && s.value % s.step === 0n && ok(s.value);
  const atMin = ok(min);
  const atMax = ok(max);
  if (atMin && atMax) return d;
  let lo: bigint;
  let hi: bigint;
  if (atValue) {
    lo = atMin ? min : firstOk(min, s.value, s.step, ok);
    hi = atMax ? max : lastOk(s.value, max, s.step, ok);
  } else if (atMax) {
    lo = firstOk(s.value > min ? alignUp(s.value, s.step) : min, max, s.step, ok);
    hi = max;
  } else if (atMin) {
    lo = min;
    hi = lastOk(min, s.value < max ? s.value - (s.value % s.step) : max, s.step, ok);
  } else return null;
  return { ...d, space: { ...s, min: lo, max: hi } };
}

function alignUp(v: bigint, step: bigint): bigint {
  return v % step === 0n ? v : v + (step - (v % step));
}

/**
 * The requests to vary, one per resource the pod asks for: the pod budget where the pod sets one
 * (and the pod-level gate reads it), else the container that asks for most, or the container
 * `preferred` names for the resource (the one whose allocation failed).
 */
export function requestDimensions(
  node: Node,
  pod: Pod,
  preferred: ReadonlyMap<string, string> = new Map(),
): RequestDimension[] {
  const out: RequestDimension[] = [];
  const podLevel = isPodLevelResourcesSet(pod) && node.config.featureGates.PodLevelResources;
  for (const resource of variedResources(node, pod)) {
    const unit = unitOf(resource);
    const budget = podLevel ? quantityOf(pod.resources, resource) : undefined;
    if (budget && !budget.isZero()) {
      out.push(podDimension(node, pod, resource, unit, budget));
      continue;
    }
    const named = preferred.get(resource);
    const c =
      (named ? containersInOrder(pod).find((x) => x.name === named) : undefined) ??
      mainContainer(pod, resource, unit);
    const d = c ? containerDimension(node, pod, resource, unit, c) : null;
    if (d) out.push(d);
  }
  return out;
}
