import type { MemoryBlock, MemoryStateData } from "./state-data.js";
import { ManagerError, type MetricsRegistry } from "../../core/index.js";
import {
  type Container,
  containersInOrder,
  type FeatureGates,
  isPodLevelResourcesSet,
  isStandardInitContainer,
  type KubernetesVersion,
  type Pod,
  podLevelGatesOn,
  podQOS,
} from "../../k8s/index.js";
import {
  type AffinityStore,
  type BitMask,
  familyHints,
  type HintFamily,
  type HintProvider,
  type ProviderAnswer,
  type ProviderHints,
  type TopologyHint,
  topologyHintSettings,
} from "../topology/index.js";
import {
  calculateHints,
  chooseAffinity,
  type MemoryHints,
  NO_REUSE,
  regenerateHints,
  type ReusableLookup,
  useSingleNodeHints,
} from "./hints.js";
import { memoryHintFamily } from "./hints-family.js";
import {
  checkSystemReserved,
  defaultMachineState,
  machineStatesEqual,
  type NUMAMemoryMap,
  releaseMemory,
  type ReservedMemory,
  reserveMemory,
} from "./machine-state.js";
import { podRequestsFor } from "./admission-requests.js";
import { MemoryCounters } from "./counters.js";
import { maskIds, sameIds } from "./mask-ids.js";
import {
  adoptMemoryBlocks,
  blocksOn,
  cloneBlocks,
  deleteContainerEntry,
  deletePodEntries,
  emptyMemoryState,
  getMemoryBlocks,
  setMemoryBlocks,
} from "./memory-state.js";
import { partitionPodMemory } from "./pod-scope.js";
import type { ResourceRequest } from "./requests.js";
import { InitContainerReusableMemory, type ReusableMemorySeed } from "./reusable-memory.js";
import { subU64 } from "./u64.js";

export const STATIC_POLICY_NAME = "Static";

export interface StaticPolicyOptions {
  /** Per NUMA node memory and hugepage pools (a `Machine`'s `memory`). */
  machine: { memory: NUMAMemoryMap };
  reservedMemory: ReservedMemory;
  gates: FeatureGates;
  version: KubernetesVersion;
  affinity: AffinityStore;
  metrics: MetricsRegistry;
  /** State to work on (a restored checkpoint); a fresh empty state when absent. Mutated in place. */
  state?: MemoryStateData;
  /** Init-container reuse bookkeeping to start from (it is never checkpointed). */
  reusableMemory?: ReusableMemorySeed;
  /** The Topology Manager policy; `single-numa-node` needs only the single-node hints (hints.ts). */
  topologyManagerPolicy?: string;
}

/** How the hints of a request are made for a pod: listed, or as families. */
type HintCalculation<A> = (request: ResourceRequest, pod: Pod) => A;

/** A (pod, container) that holds a memory entry. */
export interface ContainerKey {
  podUID: string;
  containerName: string;
}

/**
 * MM-1 (memory-manager.md §10): in 1.37 a container of a pod-level pod that asks for no exclusive
 * memory gets no hints, no blocks and no metrics (kubernetes/kubernetes#138770); 1.36 runs it through
 * the whole container path with an empty request map. The request map is empty only for such
 * containers: an eligible or classic Guaranteed container always requests memory.
 */
function skipsContainerWithoutExclusiveMemory(version: KubernetesVersion, request: ResourceRequest): boolean {
  return version === "1.37" && request.size === 0;
}

/**
 * The Memory Manager's `Static` policy (memory-manager.md, pod-level.md §2.5–§2.8): NUMA machine
 * state, topology hints, per-container and pod-level allocation, release. Every admission decision
 * is returned as a value; the state it works on is plain data ready for the checkpoint.
 */
export class StaticPolicy implements HintProvider {
  readonly resource = "memory";
  readonly name = STATIC_POLICY_NAME;
  readonly state: MemoryStateData;
  private readonly memory: NUMAMemoryMap;
  private readonly reservedMemory: ReservedMemory;
  private readonly gates: FeatureGates;
  private readonly version: KubernetesVersion;
  private readonly affinity: AffinityStore;
  private readonly counters: MemoryCounters;
  private readonly reuse: InitContainerReusableMemory;
  private readonly singleNUMANodePolicy: boolean;
  /** The two hint calculations, made once: every admission asks for hints. */
  private readonly listedCalculation: HintCalculation<MemoryHints> = (request, pod) =>
    this.calculate(request, pod);
  private readonly familyCalculation: HintCalculation<ProviderAnswer> = (request, pod) =>
    this.calculateFamily(request, pod);

  private constructor(opts: StaticPolicyOptions) {
    this.memory = opts.machine.memory;
    this.reservedMemory = opts.reservedMemory;
    this.gates = opts.gates;
    this.version = opts.version;
    this.affinity = opts.affinity;
    this.counters = new MemoryCounters(opts.metrics);
    this.state = opts.state ?? emptyMemoryState(STATIC_POLICY_NAME);
    this.reuse = new InitContainerReusableMemory(opts.reusableMemory);
    this.singleNUMANodePolicy = opts.topologyManagerPolicy === "single-numa-node";
  }

  /** `NewPolicyStatic`: fails when no `memory` is reserved on any node. */
  static create(opts: StaticPolicyOptions): StaticPolicy | ManagerError {
    const err = checkSystemReserved(opts.reservedMemory);
    return err ?? new StaticPolicy(opts);
  }

  /**
   * `Start` (memory-manager.md §2): installs the default machine state into an empty one, or checks
   * a restored state against the default state replayed with every stored assignment (pod-level
   * blocks replace a pod's container blocks when `PodLevelResourceManagers` is on).
   */
  start(): ManagerError | null {
    const s = this.state;
    if (s.machineState.size === 0) {
      if (s.entries.size !== 0) {
        return new ManagerError(
          "[memorymanager] machine state can not be empty when it has memory assignments",
        );
      }
      s.machineState = defaultMachineState(this.memory, this.reservedMemory);
      return null;
    }
    const expected = defaultMachineState(this.memory, this.reservedMemory);
    for (const podUID of [...s.entries.keys()].sort()) {
      const podBlocks = this.gates.PodLevelResourceManagers ? s.podEntries.get(podUID) : undefined;
      if (podBlocks && podBlocks.length > 0) {
        const err = replayBlocks(expected, podBlocks, podUID, "");
        if (err) return err;
        continue;
      }
      const containers = s.entries.get(podUID)!;
      for (const name of [...containers.keys()].sort()) {
        const err = replayBlocks(expected, containers.get(name)!, podUID, name);
        if (err) return err;
      }
    }
    if (!machineStatesEqual(s.machineState, expected)) {
      return new ManagerError("[memorymanager] the expected machine state is different from the real one");
    }
    return null;
  }

  private reusableFor(pod: Pod): ReusableLookup {
    const masks = this.reuse.masksOf(pod.uid);
    if (masks.length === 0) return NO_REUSE;
    return Object.assign((mask: BitMask, resource: string) => this.reuse.get(pod.uid, mask, resource), {
      masks,
    });
  }

  private isGuaranteed(pod: Pod): boolean {
    return podQOS(pod, this.gates) === "Guaranteed";
  }

  /** A pod-level pod while the pod-level gates are not both on: admitted unpinned (pod-level.md §1.8). */
  private skippedForGatesOff(pod: Pod): boolean {
    return !podLevelGatesOn(this.gates) && isPodLevelResourcesSet(pod);
  }

  /**
   * `calculateHints` as the list the kubelet builds. With the Topology Manager on hint families
   * the list is the family listed where there is one (the same list; the conformance vectors
   * check it on both paths).
   */
  private calculate(request: ResourceRequest, pod: Pod): MemoryHints {
    const reusable = this.reusableFor(pod);
    if (topologyHintSettings.hintMode === "implicit" && !this.singleNUMANodePolicy) {
      const family = memoryHintFamily(this.state.machineState, request, reusable);
      if (family !== null) {
        const listed = family.isEmpty ? [] : familyHints(family);
        return new Map(
          listed.length === 0 ? [] : [...request.keys()].map((r) => [r, listed.map((h) => ({ ...h }))]),
        );
      }
    }
    return calculateHints(this.state.machineState, request, reusable, this.singleNUMANodePolicy);
  }

  /**
   * `calculateHints` as a family: one family object under every resource (no resource when it is
   * empty). The list where no family stands for it exactly, and under single-numa-node on large
   * machines, which keeps only the single-node hints the list gives in O(nodes) there.
   */
  private calculateFamily(request: ResourceRequest, pod: Pod): ProviderAnswer {
    if (this.singleNUMANodePolicy && useSingleNodeHints(this.state.machineState.size))
      return this.calculate(request, pod);
    const family = memoryHintFamily(this.state.machineState, request, this.reusableFor(pod));
    if (family === null) return this.calculate(request, pod);
    if (family.isEmpty) return new Map();
    const answer = new Map<string, HintFamily>();
    for (const r of request.keys()) answer.set(r, family);
    return answer;
  }

  /** `GetTopologyHints` (memory-manager.md §4). */
  getTopologyHints(pod: Pod, container: Container): ProviderHints {
    return this.containerHints(pod, container, this.listedCalculation);
  }

  /** `GetTopologyHints` with the hints as a family. */
  getTopologyHintFamilies(pod: Pod, container: Container): ProviderAnswer {
    return this.containerHints(pod, container, this.familyCalculation);
  }

  /** `GetPodTopologyHints`: classic pod scope and the pod-level path (pod-level.md §2.5). */
  getPodTopologyHints(pod: Pod): ProviderHints {
    return this.podHints(pod, this.listedCalculation);
  }

  /** `GetPodTopologyHints` with the hints as a family. */
  getPodTopologyHintFamilies(pod: Pod): ProviderAnswer {
    return this.podHints(pod, this.familyCalculation);
  }

  private containerHints<A extends ProviderAnswer>(
    pod: Pod,
    container: Container,
    calculate: HintCalculation<A>,
  ): A | MemoryHints | null {
    if (!this.isGuaranteed(pod)) return null;
    const request = podRequestsFor(pod, this.gates).requestOf(container);
    if (request instanceof ManagerError) return null;
    if (this.skippedForGatesOff(pod)) return null;
    if (skipsContainerWithoutExclusiveMemory(this.version, request)) return null;
    const blocks = getMemoryBlocks(this.state, pod.uid, container.name);
    if (blocks !== null) return regenerateHints(blocks, request);
    return calculate(request, pod);
  }

  private podHints<A extends ProviderAnswer>(
    pod: Pod,
    calculate: HintCalculation<A>,
  ): A | MemoryHints | null {
    if (!this.isGuaranteed(pod)) return null;
    const requests = podRequestsFor(pod, this.gates);
    const request = requests.podTotal();
    if (request instanceof ManagerError) return null;
    if (this.skippedForGatesOff(pod)) return null;
    if (this.gates.PodLevelResourceManagers && isPodLevelResourcesSet(pod)) {
      if (requests.podScopeError() !== null) {
        return new Map([...request.keys()].map((r): [string, TopologyHint[]] => [r, []]));
      }
    }
    if (request.size === 0) return null;
    for (const c of containersInOrder(pod)) {
      const blocks = getMemoryBlocks(this.state, pod.uid, c.name);
      if (blocks !== null) return regenerateHints(blocks, request);
    }
    return calculate(request, pod);
  }

  /** Counts a failed pinning request (container path: "node", pod-level path: "pod") and returns its error. */
  private failed(source: "node" | "pod", err: ManagerError): ManagerError {
    this.counters.inc(this.counters.pinningErrors);
    this.counters.inc(this.counters.allocationErrors[source]);
    return err;
  }

  /** `Allocate(pod, container)`, the container path (memory-manager.md §5). Idempotent. */
  allocate(pod: Pod, container: Container): ManagerError | null {
    if (!this.isGuaranteed(pod)) return null;
    if (this.skippedForGatesOff(pod)) return null;
    const early = podRequestsFor(pod, this.gates).requestOf(container);
    if (!(early instanceof ManagerError) && skipsContainerWithoutExclusiveMemory(this.version, early))
      return null;

    this.counters.inc(this.counters.pinningRequests);
    const existing = getMemoryBlocks(this.state, pod.uid, container.name);
    if (existing !== null) {
      this.reuse.update(pod, container, existing);
      return null;
    }
    const tmHint = this.affinity.getAffinity(pod.uid, container.name);
    const request = early;
    if (request instanceof ManagerError) return this.failed("node", request);
    const ms = this.state.machineState;
    const reusable = this.reusableFor(pod);
    const mask = chooseAffinity(ms, tmHint, request, reusable);
    if (mask instanceof ManagerError) return this.failed("node", mask);

    const bits = maskIds(mask);
    const blocks = blocksOn(request, bits);
    for (const [resource, size] of request) {
      const reused = reusable(mask, resource);
      reserveMemory(ms, bits, resource, reused >= size ? 0n : subU64(size, reused));
      this.counters.inc(this.counters.allocations.node);
    }
    this.reuse.update(pod, container, blocks);
    adoptMemoryBlocks(this.state, pod.uid, container.name, blocks);
    this.shrinkInitContainerBlocks(pod, container, blocks, mask);
    this.counters.inc(this.counters.nodeExclusive);
    return null;
  }

  /**
   * Earlier standard init containers' blocks of the same type and mask shrink by what the new
   * container reused, consuming the new block's size as they go (memory-manager.md §6), so that
   * the pod's blocks add up to what is really reserved.
   */
  private shrinkInitContainerBlocks(
    pod: Pod,
    container: Container,
    blocks: readonly MemoryBlock[],
    mask: BitMask,
  ) {
    for (const block of blocks) {
      let left = block.size;
      for (const init of pod.initContainers) {
        if (init.name === container.name || left === 0n) break;
        if (!isStandardInitContainer(pod, init)) continue;
        const initBlocks = getMemoryBlocks(this.state, pod.uid, init.name);
        if (!initBlocks || initBlocks.length === 0) continue;
        const updated = cloneBlocks(initBlocks);
        for (const b of updated) {
          if (b.size === 0n || b.type !== block.type || !sameMask(b.numaAffinity, mask)) continue;
          if (b.size > left) {
            b.size = subU64(b.size, left);
            left = 0n;
          } else {
            left = subU64(left, b.size);
            b.size = 0n;
          }
        }
        setMemoryBlocks(this.state, pod.uid, init.name, updated);
      }
    }
  }

  /** `AllocatePod`, the pod-level path (pod-level.md §2.6). */
  allocatePod(pod: Pod): ManagerError | null {
    if (!this.isGuaranteed(pod)) return null;
    const requests = podRequestsFor(pod, this.gates);
    const podTotal = requests.podTotal();
    // The kubelet logs an unreadable budget and admits the pod unpinned.
    if (podTotal instanceof ManagerError) return null;
    // OPEN PL-10 (pod-level.md §9): an empty budget is "nothing to do"; API validation keeps a
    // Guaranteed pod-level pod from getting here.
    if (podTotal.size === 0) return null;

    this.counters.inc(this.counters.pinningRequests);
    const invalid = requests.podScopeError();
    if (invalid) return this.failed("pod", new ManagerError(invalid.message, "EmptyPodSharedPoolError"));

    const containers = containersInOrder(pod);
    const tmHint: TopologyHint =
      containers.length > 0
        ? this.affinity.getAffinity(pod.uid, containers[0].name)
        : { affinity: null, preferred: false };
    const ms = this.state.machineState;
    const mask = chooseAffinity(ms, tmHint, podTotal, this.reusableFor(pod));
    if (mask instanceof ManagerError) return this.failed("pod", mask);
    const bits = maskIds(mask);

    const partition = partitionPodMemory(pod, this.gates, podTotal, bits, this.counters, requests.requestOf);
    if (partition instanceof ManagerError) return this.failed("pod", partition);

    this.state.podEntries.set(pod.uid, blocksOn(podTotal, bits));
    for (const [resource, size] of podTotal) reserveMemory(ms, bits, resource, size);
    let shared = 0;
    for (const c of containers) {
      const own = partition.exclusive.get(c.name);
      // Each container's own blocks are its alone; every container of the shared pool gets its
      // own copy of it (the first one the pool itself).
      if (own) adoptMemoryBlocks(this.state, pod.uid, c.name, own);
      else if (shared++ > 0) setMemoryBlocks(this.state, pod.uid, c.name, partition.sharedPool);
      else adoptMemoryBlocks(this.state, pod.uid, c.name, partition.sharedPool);
    }
    // Counted once for every container: the same totals as a count per container.
    this.counters.add(this.counters.podShared, shared);
    this.counters.add(this.counters.allocations.pod, containers.length);
    return null;
  }

  /**
   * `RemoveContainer` (memory-manager.md §7, pod-level.md §2.8). A pod with pod-level blocks keeps
   * its bubble until its last container entry is gone.
   */
  removeContainer(podUID: string, containerName: string): void {
    const s = this.state;
    if (this.gates.PodLevelResourceManagers) {
      const podBlocks = s.podEntries.get(podUID);
      if (podBlocks !== undefined) {
        deleteContainerEntry(s, podUID, containerName);
        if ((s.entries.get(podUID)?.size ?? 0) === 0) {
          releaseMemory(s.machineState, podBlocks);
          deletePodEntries(s, podUID);
        }
        return;
      }
    }
    const blocks = getMemoryBlocks(s, podUID, containerName);
    if (blocks === null) return;
    deleteContainerEntry(s, podUID, containerName);
    releaseMemory(s.machineState, blocks);
  }

  /** The container's blocks (a copy), or null when it has no entry. */
  getMemoryBlocks(podUID: string, containerName: string): MemoryBlock[] | null {
    const blocks = getMemoryBlocks(this.state, podUID, containerName);
    return blocks && cloneBlocks(blocks);
  }

  /** The pod-level blocks (a copy), or null when the pod has none. */
  getPodMemoryBlocks(podUID: string): MemoryBlock[] | null {
    const blocks = this.state.podEntries.get(podUID);
    return blocks ? cloneBlocks(blocks) : null;
  }

  /**
   * `cpuset.mems` of the container (memory-manager.md §8): the NUMA ids of its blocks, ascending;
   * null when it has none, and then cpuset.mems is not written (all nodes allowed).
   */
  getMemoryNUMANodes(pod: Pod, container: Container): number[] | null {
    const blocks = getMemoryBlocks(this.state, pod.uid, container.name) ?? [];
    // The blocks of one allocation share their ids, ascending: then those are the answer.
    if (blocks.length > 0 && isAscending(blocks[0].numaAffinity)) {
      const first = blocks[0].numaAffinity;
      let same = true;
      for (let i = 1; i < blocks.length && same; i++) same = sameIds(blocks[i].numaAffinity, first);
      if (same) return first.length === 0 ? null : [...first];
    }
    const ids = new Set<number>();
    for (const b of blocks) {
      for (const id of b.numaAffinity) ids.add(id);
    }
    return ids.size === 0 ? null : [...ids].sort((a, b) => a - b);
  }

  /** Every stored (pod, container) entry, sorted, for the stale-state cleanup of the manager. */
  containerKeys(): ContainerKey[] {
    const out: ContainerKey[] = [];
    for (const podUID of [...this.state.entries.keys()].sort()) {
      for (const containerName of [...this.state.entries.get(podUID)!.keys()].sort()) {
        out.push({ podUID, containerName });
      }
    }
    return out;
  }

  /** The pod's container names with stored blocks, ascending (the order of `containerKeys`). */
  podContainerNames(podUID: string): string[] {
    const inner = this.state.entries.get(podUID);
    return inner ? [...inner.keys()].sort() : [];
  }
}

function isAscending(ids: readonly number[]): boolean {
  for (let i = 1; i < ids.length; i++) if (!(ids[i - 1] < ids[i])) return false;
  return true;
}

function sameMask(a: readonly number[], mask: BitMask): boolean {
  let m = 0n;
  for (const id of a) m |= 1n << BigInt(id);
  return m === mask;
}

/**
 * Replays stored blocks onto the expected machine state during `start` with the allocation fill,
 * failing on a node or resource the machine does not have.
 */
function replayBlocks(
  expected: MemoryStateData["machineState"],
  blocks: readonly MemoryBlock[],
  podUID: string,
  containerName: string,
): ManagerError | null {
  for (const b of blocks) {
    for (const id of b.numaAffinity) {
      const node = expected.get(id);
      if (!node) {
        return new ManagerError(
          `[memorymanager] (pod: ${podUID}, container: ${containerName}) the memory assignment uses the NUMA that does not exist`,
        );
      }
      if (!node.memoryMap.has(b.type)) {
        return new ManagerError(
          `[memorymanager] (pod: ${podUID}, container: ${containerName}) the memory assignment uses memory resource that does not exist`,
        );
      }
    }
    reserveMemory(expected, b.numaAffinity, b.type, b.size);
  }
  return null;
}
