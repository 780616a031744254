import type { ManagerError, Quantity } from "../../core/index.js";
import { type Container, containersInOrder, isStandardInitContainer, type Pod } from "../../k8s/index.js";
import { compareBytewise, type DeviceResources, type DeviceSpec } from "../../machine/index.js";
import type {
  AffinityStore,
  HintFamily,
  HintProvider,
  ProviderAnswer,
  ProviderHints,
  TopologyHint,
} from "../topology/index.js";
import { type AffinityGroups, filterByAffinity } from "./affinity.js";
import {
  type DeviceAllocationCall,
  type DevicesToAllocateArgs,
  type DevicesToAllocateResult,
  devicesToAllocate,
} from "./devices-to-allocate.js";
import { endpointNotFoundError, noDevicesInCacheError } from "./errors.js";
import { generateDeviceTopologyHints } from "./hints.js";
import { deviceHintFamily } from "./hints-family.js";
import {
  addContainerDevicesTo,
  allocatedDevicesOf,
  clonePodDevices,
  containerDeviceIDs,
  EMPTY_ALLOCATE_RESPONSE,
  groupByNUMA,
  insertRecord,
  podResourceDeviceIDs,
  removeContainerDevicesFrom,
  sortedIDs,
} from "./pod-devices.js";
import { type DeviceCapacity, DeviceRegistry } from "./registry.js";
import {
  containerDeviceRequest,
  type DeviceRequest,
  deviceCount,
  type IsDevicePluginResource,
  podDeviceRequest,
} from "./requests.js";
import type { DevicesPerNUMA, DeviceStateData, PodDevices } from "./state.js";

/** How a resource's hints are made: listed, or as a family. */
type HintMaker<L> = (
  resource: string,
  available: ReadonlySet<string>,
  reusable: ReadonlySet<string>,
  request: number,
) => L;

/** The pods that may hold devices: admitted and not removed, plus the pod being admitted. */
export type ActivePodsFunc = () => Iterable<{ readonly uid: string }>;

export interface DeviceManagerOptions {
  /** The machine's device resources (`Machine.devices`). */
  resources: DeviceResources;
  /** The machine's NUMA ids (any order; hints walk them ascending). */
  numaNodes: readonly number[];
  activePods: ActivePodsFunc;
  /**
   * Whether the pod with this UID is active: the same answer as looking it up in `activePods`,
   * without walking every pod (the purge and the container start ask per pod and per container).
   */
  isActivePod?: (podUID: string) => boolean;
  /**
   * The owner calls `podMayBeInactive` for every pod that stops being active, so that a purge
   * after the first looks at those pods only instead of every pod holding devices.
   */
  reportsInactivePods?: boolean;
  /** Where the Topology Manager stored each container's hint. */
  affinity: AffinityStore;
  /**
   * A restored state: its records become podDevices, allocatedDevices their union, and each
   * registered resource the machine does not register is registered with no device.
   */
  state?: DeviceStateData;
  /** The in-use sets, when they differ from the union of podDevices (before the next purge). */
  allocatedDevices?: ReadonlyMap<string, Iterable<string>>;
  /** devicesToReuse to start from: pod UID -> resource -> ids (it is never checkpointed). */
  reusableDevices?: ReadonlyMap<string, ReadonlyMap<string, Iterable<string>>>;
  /** The Topology Manager policy; `single-numa-node` needs only single-node hints (hints.ts). */
  topologyManagerPolicy?: string;
}

/** What the container-creation step of a pod-level pod did for one container (OPEN DM-3). */
export interface DeferredContainerStart {
  container: string;
  error: string | null;
  devicesToAllocate: DeviceAllocationCall[];
}

/** A device a container holds, with the NUMA nodes the plugin reports for it. */
export interface HeldDevice {
  id: string;
  /** The nodes it was recorded under (`[-1]` for a device without NUMA information). */
  numaNodes: number[];
}

/**
 * The kubelet's Device Manager (`devicemanager.ManagerImpl`) without the plugin transport: the
 * devices the plugins advertise, which container holds which (podDevices), the in-use sets, the
 * init-container reuse, topology hints and the aligned choice at `Allocate`. Pure: no files,
 * clock or sockets.
 * OPEN DM-7 (device-manager.md §14): register it as the Topology Manager's first provider, before
 * the CPU and Memory Managers, as the kubelet does; its hints then fill the first slots and its
 * `Allocate` (and errors) come first.
 */
export class DeviceManager implements HintProvider {
  readonly resource = "device";
  private readonly registry: DeviceRegistry;
  private readonly numaNodes: readonly number[];
  private readonly activePods: ActivePodsFunc;
  private readonly isActivePod: ((podUID: string) => boolean) | null;
  private readonly affinity: AffinityStore;
  private readonly singleNUMANodePolicy: boolean;
  private readonly podDevices: PodDevices;
  private allocatedDevices: Map<string, Set<string>>;
  /** pod UID -> resource -> ids later containers may take again; only the pod being allocated. */
  private readonly devicesToReuse = new Map<string, Map<string, Set<string>>>();
  /** The `devicesToAllocate` calls made for `tracePod` since its admission began. */
  private trace: DeviceAllocationCall[] = [];
  private tracePod: string | null = null;
  /** Pods that may have stopped being active since the last purge; null: the purge walks every pod. */
  private readonly purgeSuspects: Set<string> | null;
  private firstPurgeDone = false;
  /** The two hint makers, made once: every admission asks for hints. */
  private readonly listHints: HintMaker<TopologyHint[]> = (r, a, u, n) => this.hints(r, a, u, n);
  private readonly familyHints: HintMaker<HintFamily | TopologyHint[]> = (r, a, u, n) =>
    this.family(r, a, u, n);
  private readonly isDevicePluginResourceFn: IsDevicePluginResource = (r) => this.isDevicePluginResource(r);

  constructor(opts: DeviceManagerOptions) {
    this.registry = new DeviceRegistry(opts.resources);
    this.numaNodes = [...opts.numaNodes].sort((a, b) => a - b);
    this.activePods = opts.activePods;
    this.isActivePod = opts.isActivePod ?? null;
    this.purgeSuspects = opts.reportsInactivePods ? new Set() : null;
    this.affinity = opts.affinity;
    this.singleNUMANodePolicy = opts.topologyManagerPolicy === "single-numa-node";
    this.podDevices = opts.state ? clonePodDevices(opts.state.podDevices) : new Map();
    for (const name of opts.state?.registeredResources ?? []) this.registry.register(name);
    this.allocatedDevices = opts.allocatedDevices
      ? new Map([...opts.allocatedDevices].map(([r, ids]) => [r, new Set(ids)]))
      : allocatedDevicesOf(this.podDevices);
    for (const [podUID, resources] of opts.reusableDevices ?? []) {
      this.devicesToReuse.set(podUID, new Map([...resources].map(([r, ids]) => [r, new Set(ids)])));
    }
  }

  // ---- the kubelet's entry points ---------------------------------------------------------------

  /** `isDevicePluginResource`: registered, or allocatedDevices has an entry for it. */
  isDevicePluginResource(resource: string): boolean {
    return this.registry.isRegistered(resource) || this.allocatedDevices.has(resource);
  }

  /**
   * `UpdateAllocatedDevices` (device-manager.md §2): forgets every pod that is not active; if one
   * was forgotten, the in-use sets become the union of what is left. Never run on pod removal.
   */
  updateAllocatedDevices(): void {
    // Before the first purge a restored state may hold any pod; after it, a pod can only turn
    // stale by leaving the active set, which the owner reports (the same pods found, fewer looked at).
    const suspects = this.purgeSuspects !== null && this.firstPurgeDone ? this.purgeSuspects : null;
    this.firstPurgeDone = true;
    if (this.podDevices.size === 0 || suspects?.size === 0) {
      suspects?.clear();
      return;
    }
    let isActive = this.isActivePod;
    if (!isActive) {
      const active = new Set<string>();
      for (const pod of this.activePods()) active.add(pod.uid);
      isActive = (uid) => active.has(uid);
    }
    const candidates = suspects
      ? [...suspects].filter((uid) => this.podDevices.has(uid))
      : this.podDevices.keys();
    this.purgeSuspects?.clear();
    const stale = [...candidates].filter((uid) => !isActive(uid));
    if (stale.length === 0) return;
    for (const uid of stale) this.podDevices.delete(uid);
    this.allocatedDevices = allocatedDevicesOf(this.podDevices);
  }

  /** The pod may have left the active set (with `reportsInactivePods`; ignored otherwise). */
  podMayBeInactive(podUID: string): void {
    // Only a pod with a record can turn stale (devices are recorded for active pods only), and a
    // purge may not run for a long time (no pod asks for devices): the set stays within podDevices.
    if (this.firstPurgeDone && this.podDevices.has(podUID)) this.purgeSuspects?.add(podUID);
  }

  /** Pods the next purge looks at, or null when it walks every pod holding devices. */
  purgeCandidates(): ReadonlySet<string> | null {
    return this.purgeSuspects !== null && this.firstPurgeDone ? this.purgeSuspects : null;
  }

  /** The plugin's new `ListAndWatch` list replaces the old one (health changes included). */
  updateDevices(resource: string, devices: readonly DeviceSpec[]): void {
    this.registry.updateDevices(resource, devices);
  }

  /** `GetCapacity`: capacity = healthy + unhealthy, allocatable = healthy, per registered resource. */
  getCapacity(): Map<string, DeviceCapacity> {
    return this.registry.capacity();
  }

  /** `GetTopologyHints` (§4.2): one entry per requested device plugin resource. */
  getTopologyHints(pod: Pod, container: Container): ProviderHints {
    return this.containerHints(pod, container, this.listHints) ?? new Map();
  }

  /** `GetTopologyHints` with the hints as families where they are (hints-family.ts). */
  getTopologyHintFamilies(pod: Pod, container: Container): ProviderAnswer {
    return this.containerHints(pod, container, this.familyHints) ?? NO_DEVICE_ANSWER;
  }

  /** `GetPodTopologyHints` (§4.3): the pod request, the whole pod's holdings, no reusable devices. */
  getPodTopologyHints(pod: Pod): ProviderHints {
    return this.podHints(pod, this.listHints) ?? new Map();
  }

  /** `GetPodTopologyHints` with the hints as families where they are. */
  getPodTopologyHintFamilies(pod: Pod): ProviderAnswer {
    return this.podHints(pod, this.familyHints) ?? NO_DEVICE_ANSWER;
  }

  /**
   * The container's hints; null when it asks for no device plugin resource (the answer is then an
   * empty map, which the family path need not make anew every time).
   */
  private containerHints<L>(
    pod: Pod,
    container: Container,
    make: HintMaker<L>,
  ): Map<string, L | TopologyHint[] | null> | null {
    this.traceFor(pod.uid);
    this.updateAllocatedDevices();
    const request = this.containerRequest(container);
    if (request.size === 0) return null;
    const hints = new Map<string, L | TopologyHint[] | null>();
    for (const [resource, requested] of request) {
      if (!this.registry.hasTopologyAlignment(resource)) {
        hints.set(resource, null);
        continue;
      }
      // A re-admission (a kubelet restart): regenerate from what the container already holds.
      const held = containerDeviceIDs(this.podDevices, pod.uid, container.name, resource);
      if (held !== null && held.size > 0) {
        hints.set(resource, held.size === requested ? make(resource, held, new Set(), requested) : []);
        continue;
      }
      const available = this.availableDevices(resource);
      const reusable = this.devicesToReuse.get(pod.uid)?.get(resource) ?? new Set<string>();
      let offered = available.size;
      for (const id of reusable) if (!available.has(id)) offered++;
      hints.set(resource, offered < requested ? [] : make(resource, available, reusable, requested));
    }
    return hints;
  }

  /** The pod's hints; null when it asks for no device plugin resource (as `containerHints`). */
  private podHints<L>(pod: Pod, make: HintMaker<L>): Map<string, L | TopologyHint[] | null> | null {
    this.traceFor(pod.uid);
    this.updateAllocatedDevices();
    const request = this.podRequest(pod);
    if (request.size === 0) return null;
    const hints = new Map<string, L | TopologyHint[] | null>();
    for (const [resource, requested] of request) {
      if (!this.registry.hasTopologyAlignment(resource)) {
        hints.set(resource, null);
        continue;
      }
      const held = podResourceDeviceIDs(this.podDevices, pod.uid, resource);
      if (held.size > 0) {
        hints.set(resource, held.size === requested ? make(resource, held, new Set(), requested) : []);
        continue;
      }
      const available = this.availableDevices(resource);
      hints.set(resource, available.size < requested ? [] : make(resource, available, new Set(), requested));
    }
    return hints;
  }

  /**
   * `Allocate` (§5.1): the container's devices with the pod's reusable ones. On success a standard
   * init container lends everything it holds to later containers; a sidecar or an app container
   * takes what it holds out of the reusable sets, so no two of them share a device.
   */
  allocate(pod: Pod, container: Container): ManagerError | null {
    this.traceFor(pod.uid);
    let reusable = this.devicesToReuse.get(pod.uid);
    if (!reusable) this.devicesToReuse.set(pod.uid, (reusable = new Map()));
    // Deleting while iterating is safe for a Map: a deleted key is never visited again.
    for (const uid of this.devicesToReuse.keys()) if (uid !== pod.uid) this.devicesToReuse.delete(uid);

    const err = this.allocateContainerResources(pod, container, reusable);
    if (err) return err;
    if (isStandardInitContainer(pod, container))
      addContainerDevicesTo(this.podDevices, pod.uid, container.name, reusable);
    else removeContainerDevicesFrom(this.podDevices, pod.uid, container.name, reusable);
    return null;
  }

  /**
   * The pod-level path's `AllocatePod` (device-manager.md §10): the Device Manager takes no part,
   * so no device is reserved at admission; each container gets its devices when it is created
   * (`runDeferredAllocation`).
   */
  allocatePod(pod: Pod): ManagerError | null {
    this.traceFor(pod.uid);
    return null;
  }

  /**
   * The essentials of `GetDeviceRunContainerOptions` (§11) at container creation: for each device
   * resource with a non-zero limit, in name order, a plugin endpoint must exist and a plugin that
   * wants `PreStartContainer` needs the devices already held; then, for an active pod, a resource
   * without devices makes it run `Allocate` for the container (with its stored hint).
   */
  getDeviceRunContainerOptions(pod: Pod, container: Container): ManagerError | null {
    let needsReAllocate = false;
    for (const [resource, q] of this.devicePluginLimits(container)) {
      if (deviceCount(q) === 0) continue;
      const plugin = this.registry.plugin(resource);
      if (plugin === null) return endpointNotFoundError(resource);
      const held = containerDeviceIDs(this.podDevices, pod.uid, container.name, resource);
      if (plugin.preStartRequired && held === null)
        return noDevicesInCacheError(pod.uid, container.name, resource);
      // The plugin's `PreStartContainer` RPC: podpin's plugins always succeed.
      if (!this.isActive(pod.uid)) continue;
      if (held === null) needsReAllocate = true;
    }
    return needsReAllocate ? this.allocate(pod, container) : null;
  }

  /**
   * The container-creation step of a pod admitted on the pod-level path, run for every container
   * in container order right after admission. A failure does not reject the pod: it is the
   * container's start error.
   * OPEN DM-3 (device-manager.md §14): what the kubelet does when nothing happens in between.
   */
  runDeferredAllocation(pod: Pod): DeferredContainerStart[] {
    const saved = { trace: this.trace, pod: this.tracePod };
    try {
      return containersInOrder(pod).map((container) => {
        this.trace = [];
        this.tracePod = pod.uid;
        const err = this.getDeviceRunContainerOptions(pod, container);
        return { container: container.name, error: err ? err.message : null, devicesToAllocate: this.trace };
      });
    } finally {
      this.trace = saved.trace;
      this.tracePod = saved.pod;
    }
  }

  /**
   * One `devicesToAllocate` call (§5.3) with the container's stored hint; chosen devices are in
   * use at once. Recorded in the admission trace.
   */
  devicesToAllocate(...request: DevicesToAllocateArgs): DevicesToAllocateResult {
    const [podUID, container] = request;
    const result = devicesToAllocate(
      {
        registry: this.registry,
        podDevices: this.podDevices,
        allocatedDevices: this.allocatedDevices,
        hint: this.affinity.getAffinity(podUID, container),
      },
      ...request,
    );
    this.trace.push(result.call);
    return result;
  }

  /** `filterByAffinity` (§5.4) with the container's stored hint. */
  filterByAffinity(
    podUID: string,
    container: string,
    resource: string,
    available: Iterable<string>,
  ): AffinityGroups {
    return filterByAffinity(
      available,
      this.affinity.getAffinity(podUID, container),
      this.registry.hasTopologyAlignment(resource),
      (id) => this.registry.numaNodesOf(resource, id),
    );
  }

  // ---- reads for reports --------------------------------------------------------------------------

  /** Starts a new admission trace (also started whenever a call concerns another pod). */
  beginAdmission(): void {
    this.trace = [];
    this.tracePod = null;
  }

  /** The `devicesToAllocate` calls of the current (or last) admission, in call order. */
  admissionTrace(): readonly DeviceAllocationCall[] {
    return this.trace;
  }

  /** Registered resource names, ascending. */
  registeredResources(): string[] {
    return this.registry.names();
  }

  /** Device ids per container and resource that a pod holds (names and ids ascending). */
  podDeviceIDs(podUID: string): Map<string, Map<string, string[]>> {
    const out = new Map<string, Map<string, string[]>>();
    const containers = this.podDevices.get(podUID);
    for (const name of [...(containers?.keys() ?? [])].sort(compareBytewise)) {
      const resources = containers!.get(name)!;
      const byResource = new Map<string, string[]>();
      for (const resource of [...resources.keys()].sort(compareBytewise)) {
        byResource.set(
          resource,
          sortedIDs(containerDeviceIDs(this.podDevices, podUID, name, resource) ?? []),
        );
      }
      out.set(name, byResource);
    }
    return out;
  }

  /** What a container holds per resource: each device once, with the NUMA nodes it was recorded under. */
  containerDevices(podUID: string, container: string): Map<string, HeldDevice[]> {
    const out = new Map<string, HeldDevice[]>();
    const resources = this.podDevices.get(podUID)?.get(container);
    for (const resource of [...(resources?.keys() ?? [])].sort(compareBytewise)) {
      const nodes = new Map<string, number[]>();
      for (const [node, ids] of resources!.get(resource)!.deviceIDs) {
        for (const id of ids) {
          const list = nodes.get(id);
          if (list) list.push(node);
          else nodes.set(id, [node]);
        }
      }
      out.set(
        resource,
        sortedIDs(nodes.keys()).map((id) => ({ id, numaNodes: nodes.get(id)!.sort((a, b) => a - b) })),
      );
    }
    return out;
  }

  /** Whether podDevices has a record for the pod (it keeps devices until the next purge). */
  holdsDevicesFor(podUID: string): boolean {
    return this.podDevices.has(podUID);
  }

  /** The in-use ids per resource, names and ids ascending (a resource may list none). */
  allocatedDeviceIDs(): Map<string, string[]> {
    return new Map(
      [...this.allocatedDevices.keys()]
        .sort(compareBytewise)
        .map((r) => [r, sortedIDs(this.allocatedDevices.get(r)!)]),
    );
  }

  /** Healthy devices not in use, per NUMA node they report (`-1`: none; a device on two nodes under both). */
  freeDevices(resource: string): DevicesPerNUMA {
    const free = sortedIDs(this.availableDevices(resource));
    return groupByNUMA(free, (id) => this.registry.numaNodesOf(resource, id));
  }

  /** `freeDevices` of every registered resource. */
  freeDevicesByResource(): Map<string, DevicesPerNUMA> {
    return new Map(this.registry.names().map((r) => [r, this.freeDevices(r)]));
  }

  /** The state as checkpoint data (a copy). */
  stateData(): DeviceStateData {
    return { podDevices: clonePodDevices(this.podDevices), registeredResources: this.registry.names() };
  }

  // ---- internals ----------------------------------------------------------------------------------

  private traceFor(podUID: string): void {
    if (this.tracePod === podUID) return;
    this.trace = [];
    this.tracePod = podUID;
  }

  private isActive(podUID: string): boolean {
    if (this.isActivePod) return this.isActivePod(podUID);
    for (const pod of this.activePods()) if (pod.uid === podUID) return true;
    return false;
  }

  private containerRequest(container: Container): DeviceRequest {
    return containerDeviceRequest(container, this.isDevicePluginResourceFn);
  }

  private podRequest(pod: Pod): DeviceRequest {
    return podDeviceRequest(pod, this.isDevicePluginResourceFn);
  }

  /** `getAvailableDevices`: healthy devices not in use. */
  private availableDevices(resource: string): Set<string> {
    const inUse = this.allocatedDevices.get(resource);
    return new Set([...(this.registry.healthy(resource) ?? [])].filter((id) => !inUse?.has(id)));
  }

  /**
   * The hints as a family; the list under single-numa-node (its single-node hints come in
   * O(nodes)) and where no family stands for the list.
   */
  private family(
    resource: string,
    available: ReadonlySet<string>,
    reusable: ReadonlySet<string>,
    request: number,
  ): HintFamily | TopologyHint[] {
    if (this.singleNUMANodePolicy) return this.hints(resource, available, reusable, request);
    const family = deviceHintFamily({
      numaNodes: this.numaNodes,
      devices: this.registry.allDevices(resource),
      available,
      reusable,
      request,
    });
    return family ?? this.hints(resource, available, reusable, request);
  }

  private hints(
    resource: string,
    available: ReadonlySet<string>,
    reusable: ReadonlySet<string>,
    request: number,
  ): TopologyHint[] {
    return generateDeviceTopologyHints(
      {
        numaNodes: this.numaNodes,
        devices: this.registry.allDevices(resource),
        available,
        reusable,
        request,
      },
      this.singleNUMANodePolicy,
    );
  }

  /**
   * `allocateContainerResources` (§5.2): resources in ascending name order (the kubelet's is Go
   * map order), the purge once before the first device resource, a record per resource that got
   * devices. Devices recorded for earlier resources stay when a later one fails. A registered
   * resource always has its endpoint here, so `unknown Device Plugin` cannot happen, and the
   * plugin's `Allocate` RPC always succeeds, with an empty response.
   */
  private allocateContainerResources(
    pod: Pod,
    container: Container,
    reusable: Map<string, Set<string>>,
  ): ManagerError | null {
    let purged = false;
    for (const [resource, q] of this.devicePluginLimits(container)) {
      if (!purged) {
        this.updateAllocatedDevices();
        purged = true;
      }
      const result = this.devicesToAllocate(
        pod.uid,
        container.name,
        resource,
        deviceCount(q),
        reusable.get(resource) ?? new Set(),
      );
      if (result.error) return result.error;
      if (result.devices === null || result.devices.size === 0) continue;
      insertRecord(this.podDevices, pod.uid, container.name, resource, {
        deviceIDs: groupByNUMA(sortedIDs(result.devices), (id) => this.registry.numaNodesOf(resource, id)),
        allocResp: EMPTY_ALLOCATE_RESPONSE,
      });
    }
    return null;
  }

  /**
   * The container's limits for device plugin resources, names ascending. Filtered before sorting:
   * every container passes here at admission, and most ask for no device at all.
   */
  private devicePluginLimits(container: Container): readonly (readonly [string, Quantity])[] {
    const limits = container.resources?.limits;
    let out: [string, Quantity][] | null = null;
    if (limits)
      for (const name in limits)
        if (this.isDevicePluginResource(name)) (out ??= []).push([name, limits[name]]);
    if (out === null) return NO_LIMITS;
    return out.length > 1 ? out.sort(([a], [b]) => compareBytewise(a, b)) : out;
  }
}

/** The family answer of a container or pod that asks for no device plugin resource (read-only). */
const NO_DEVICE_ANSWER: ProviderAnswer = new Map();

/** What `devicePluginLimits` gives a container that asks for no device (shared: read-only). */
const NO_LIMITS: readonly (readonly [string, Quantity])[] = [];
