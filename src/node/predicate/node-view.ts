import { isExtendedResourceName, type Quantity } from "../../core/index.js";
import type { Container, FeatureGates, Pod, ResourceList } from "../../k8s/index.js";
import { type HostPort, HostPortInfo, podHostPorts } from "./host-ports.js";
import { podRequestAmounts } from "./request.js";
import { addAmounts, amountsOf, sortedAmounts, sortedNames } from "./resources.js";
import type { DeviceManagerView, NodeObject, NodeUsageView, ResourceAmounts } from "./types.js";

/**
 * The scheduler framework's `NodeInfo` as the predicate handler builds it: the node's allocatable
 * as integers, and what the other pods take (requests, pod count, host ports).
 */
export interface NodeView {
  /** Shared with the node object's conversion until device sanitisation raises an entry (then a copy). */
  allocatable: ReadonlyMap<string, bigint>;
  /**
   * Σ of the other pods' requests, each pod converted to integers on its own. Zero entries
   * (resources the pods ask none of, or every pod has left) mean nothing and are not shown. The
   * running totals themselves: read only while they do not change (within the admission).
   */
  used: ReadonlyMap<string, bigint>;
  podCount: number;
  usedPorts: HostPortInfo;
  /** Resources whose allocatable the Device Manager's in-use set raised. */
  raisedByDevices: string[];
  /** The conversion `allocatable` came from (it is that conversion's map unless devices raised it). */
  converted: ConvertedAllocatable;
}

/**
 * What the node's pods take, kept up to date as pods come and go, so that an admission does not
 * re-add every other pod's requests: each pod's integers are stored when it is added (its request
 * never changes: podpin's pods have no resize) and subtracted when it leaves.
 */
export class NodeUsage implements NodeUsageView {
  readonly used = new Map<string, bigint>();
  readonly usedPorts = new HostPortInfo();
  private readonly pods = new Map<string, { amounts: ReadonlyMap<string, bigint>; ports: HostPort[] }>();

  constructor(private readonly gates: Pick<FeatureGates, "PodLevelResources">) {}

  get podCount(): number {
    return this.pods.size;
  }

  /** `amounts`, if given, is `podRequestAmounts(pod)` with this usage's gates; it is kept, not copied. */
  add(pod: Pod, amounts?: ReadonlyMap<string, bigint>): void {
    if (this.pods.has(pod.uid)) return;
    const entry = { amounts: amounts ?? podRequestAmounts(pod, this.gates), ports: podHostPorts(pod) };
    this.pods.set(pod.uid, entry);
    addAmounts(this.used, entry.amounts);
    for (const p of entry.ports) this.usedPorts.add(p);
  }

  remove(uid: string): void {
    const entry = this.pods.get(uid);
    if (!entry) return;
    this.pods.delete(uid);
    // A resource every pod has left keeps a zero entry: deleting the last entries of a map costs
    // it a new table, and the next pod often asks for the same resources.
    for (const [name, v] of entry.amounts) this.used.set(name, (this.used.get(name) ?? 0n) - v);
    for (const p of entry.ports) this.usedPorts.remove(p);
  }
}

/** An allocatable list as last converted: its names and quantities in order, and the integers. */
interface ConvertedAllocatable {
  names: string[];
  quantities: Quantity[];
  amounts: ReadonlyMap<string, bigint>;
  /** `sortedAmounts(amounts)`, made when first asked for; callers get copies. */
  sorted: ResourceAmounts | null;
}

/**
 * The node's allocatable as integers, converted once per allocatable list: a node object serves
 * every admission, and its list is the same from one to the next. Quantities are immutable, so a
 * list whose names and quantity objects are those converted last has the same integers; a list
 * changed in place is converted again. Callers get the shared map and must copy it to change it.
 */
const convertedAllocatable = new WeakMap<ResourceList, ConvertedAllocatable>();

function allocatableAmounts(allocatable: ResourceList): ConvertedAllocatable {
  const known = convertedAllocatable.get(allocatable);
  if (known && isUnchanged(allocatable, known)) return known;
  const names: string[] = [];
  const quantities: Quantity[] = [];
  for (const name in allocatable) {
    names.push(name);
    quantities.push(allocatable[name]);
  }
  const converted = { names, quantities, amounts: amountsOf(allocatable), sorted: null };
  convertedAllocatable.set(allocatable, converted);
  return converted;
}

/** `sortedAmounts(view.allocatable)`; a copy of the conversion's record while devices raised nothing. */
export function sortedAllocatable(view: NodeView): ResourceAmounts {
  const converted = view.converted;
  if (view.allocatable !== converted.amounts) return sortedAmounts(view.allocatable);
  converted.sorted ??= sortedAmounts(converted.amounts);
  return { ...converted.sorted };
}

function isUnchanged(list: ResourceList, known: ConvertedAllocatable): boolean {
  let i = 0;
  for (const name in list) {
    if (known.names[i] !== name || known.quantities[i] !== list[name]) return false;
    i++;
  }
  return i === known.names.length;
}

export function buildNodeView(
  node: NodeObject,
  otherPods: readonly Pod[],
  gates: Pick<FeatureGates, "PodLevelResources">,
  usage?: NodeUsageView,
): NodeView {
  let u: NodeUsageView | undefined = usage;
  if (!u) {
    const fresh = new NodeUsage(gates);
    for (const pod of otherPods) fresh.add(pod);
    u = fresh;
  }
  const converted = allocatableAmounts(node.allocatable);
  return {
    allocatable: converted.amounts,
    used: u.used,
    podCount: u.podCount,
    usedPorts: u.usedPorts,
    raisedByDevices: [],
    converted,
  };
}

/**
 * `UpdatePluginResources` (device sanitisation): when the Device Manager holds devices for the
 * pod being admitted, every resource of its in-use set gets an allocatable of at least the number
 * of devices in use, so pods already given devices pass when a plugin has since lost some.
 */
export function sanitizeForDevices(view: NodeView, dm: DeviceManagerView | undefined): void {
  if (!dm?.podHoldsDevices) return;
  let raised: Map<string, bigint> | null = null;
  for (const name of sortedNames(dm.devicesInUse.keys())) {
    const needed = BigInt(dm.devicesInUse.get(name)!);
    const have = view.allocatable.get(name);
    if (have !== undefined && have >= needed) continue;
    // The view's list is the node object's shared conversion until now.
    (raised ??= new Map(view.allocatable)).set(name, needed);
    view.raisedByDevices.push(name);
  }
  if (raised !== null) view.allocatable = raised;
}

function filterRequests(
  c: Container,
  allocatable: ReadonlyMap<string, bigint>,
  dropped: Set<string>,
): Container {
  if (!c.resources) return c;
  const requests: ResourceList = {};
  for (const [name, q] of Object.entries(c.resources.requests)) {
    if (isExtendedResourceName(name) && !allocatable.has(name)) {
      dropped.add(name);
      continue;
    }
    requests[name] = q;
  }
  return { ...c, resources: { requests, limits: c.resources.limits } };
}

/**
 * `removeMissingExtendedResources`, on a copy: container requests (init and app) for extended
 * resources the node view does not list at all are dropped; one listed with allocatable 0 stays
 * (and then fails). Overhead and pod-level resources are not filtered. Only requests are touched:
 * the fit check never reads limits.
 */
export function removeMissingExtendedResources(
  pod: Pod,
  allocatable: ReadonlyMap<string, bigint>,
): { pod: Pod; dropped: string[] } {
  // Most pods ask for no extended resource the node lacks: they are kept as they are (the same
  // object, whose aggregates an admission has already computed).
  if (!asksMissingExtendedResource(pod, allocatable)) return { pod, dropped: [] };
  const dropped = new Set<string>();
  const filtered: Pod = {
    ...pod,
    initContainers: pod.initContainers.map((c) => filterRequests(c, allocatable, dropped)),
    containers: pod.containers.map((c) => filterRequests(c, allocatable, dropped)),
  };
  return { pod: filtered, dropped: sortedNames(dropped) };
}

function asksMissingExtendedResource(pod: Pod, allocatable: ReadonlyMap<string, bigint>): boolean {
  for (const list of [pod.initContainers, pod.containers])
    for (const c of list)
      if (c.resources)
        for (const name in c.resources.requests)
          if (isExtendedResourceName(name) && !allocatable.has(name)) return true;
  return false;
}
