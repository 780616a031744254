import type { ManagerError } from "../core/index.js";
import { type Container, containersInOrder, type Pod } from "../k8s/index.js";
import type { HintProvider, ProviderAnswer, ProviderHints } from "../managers/topology/index.js";

function byString(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** What a policy must offer for the managers' stale-state cleanup. */
export interface PolicyWithState extends HintProvider {
  containerKeys(): { podUID: string; containerName: string }[];
  /** The pod's container names holding state, in the order `containerKeys` lists them. */
  podContainerNames(podUID: string): string[];
  removeContainer(podUID: string, containerName: string): void;
}

/**
 * The pods whose containers may hold state: admitted and not removed, plus the pod being admitted,
 * looked up by UID.
 */
export type ActivePodLookup = (podUID: string) => Pod | undefined;

/**
 * The CPU or Memory Manager around its policy (`cpu_manager.go` / `memory_manager.go`): every
 * admission entry point first removes the state of containers that no active pod has
 * (`removeStaleState`, topology-manager.md §7.4) and then asks the policy. With no policy (CPU
 * Manager `none`, Memory Manager `None`) it offers no hints and allocates nothing.
 *
 * The cleanup is incremental: the first one walks every stored entry (a restored state may hold
 * anything); after it, an entry can only turn stale when its pod stops being active, and the node
 * reports every such pod through `podMayBeInactive`. Each later cleanup looks at those pods only,
 * in the order of `containerKeys` (pods, then containers, ascending), so it removes exactly what a
 * full walk would, in the same order, at a cost independent of the number of live pods. State is
 * changed only through this manager (and the node) once the node is built.
 */
export class ResourceManager implements HintProvider {
  private fullCleanupDone = false;
  /** Pods that may have stopped being active since the last cleanup. */
  private readonly suspects = new Set<string>();

  constructor(
    readonly resource: "cpu" | "memory",
    readonly policy: PolicyWithState | null,
    private readonly activePod: ActivePodLookup,
  ) {}

  /** The pod may have left the active set (removed, evicted, or an admission that did not admit it). */
  podMayBeInactive(podUID: string): void {
    // A pod holding no state now cannot gain any while inactive (only an admission allocates),
    // so the set stays bounded by the pods holding state, cleanups or not.
    if (this.policy && this.fullCleanupDone && this.holdsStateFor(podUID)) this.suspects.add(podUID);
  }

  /**
   * The pod is active: admitted by the admission that just ran (the node reports an admission
   * that does not admit through `podMayBeInactive` instead). Every cleanup of that admission ran
   * while it was the pod being admitted, so its state belongs to its own containers, and the next
   * cleanup would keep all of it; it turns suspect when it is removed or evicted.
   */
  podIsActive(podUID: string): void {
    this.suspects.delete(podUID);
  }

  /**
   * The pods the next cleanup looks at, or null while it still walks every stored entry: for the
   * checks that the incremental cleanup misses nothing a full walk would remove.
   */
  staleStateSuspects(): ReadonlySet<string> | null {
    return this.fullCleanupDone ? this.suspects : null;
  }

  removeStaleState(): void {
    const policy = this.policy;
    if (!policy) return;
    // The common case, first: nothing left the active set since the last cleanup.
    if (this.fullCleanupDone && this.suspects.size === 0) return;
    const activeNames = new Map<string, Set<string> | null>();
    if (!this.fullCleanupDone) {
      this.fullCleanupDone = true;
      this.suspects.clear();
      for (const { podUID, containerName } of policy.containerKeys()) {
        if (!this.isActive(activeNames, podUID, containerName)) policy.removeContainer(podUID, containerName);
      }
      return;
    }
    const uids = [...this.suspects].sort(byString);
    this.suspects.clear();
    for (const podUID of uids) {
      for (const containerName of policy.podContainerNames(podUID)) {
        if (!this.isActive(activeNames, podUID, containerName)) policy.removeContainer(podUID, containerName);
      }
    }
  }

  /** Whether an active pod has the container; `activeNames` keeps each pod's names for one cleanup. */
  private isActive(
    activeNames: Map<string, Set<string> | null>,
    podUID: string,
    containerName: string,
  ): boolean {
    let names = activeNames.get(podUID);
    if (names === undefined) {
      const pod = this.activePod(podUID);
      names = pod ? new Set(containersInOrder(pod).map((c) => c.name)) : null;
      activeNames.set(podUID, names);
    }
    return names?.has(containerName) ?? false;
  }

  getTopologyHints(pod: Pod, container: Container): ProviderHints {
    this.removeStaleState();
    return this.policy ? this.policy.getTopologyHints(pod, container) : null;
  }

  getPodTopologyHints(pod: Pod): ProviderHints {
    this.removeStaleState();
    return this.policy ? this.policy.getPodTopologyHints(pod) : null;
  }

  /** The policy's hints as families where it offers them (the same cleanup first). */
  getTopologyHintFamilies(pod: Pod, container: Container): ProviderAnswer {
    this.removeStaleState();
    const policy = this.policy;
    if (!policy) return null;
    return policy.getTopologyHintFamilies
      ? policy.getTopologyHintFamilies(pod, container)
      : policy.getTopologyHints(pod, container);
  }

  getPodTopologyHintFamilies(pod: Pod): ProviderAnswer {
    this.removeStaleState();
    const policy = this.policy;
    if (!policy) return null;
    return policy.getPodTopologyHintFamilies
      ? policy.getPodTopologyHintFamilies(pod)
      : policy.getPodTopologyHints(pod);
  }

  allocate(pod: Pod, container: Container): ManagerError | null {
    this.removeStaleState();
    return this.policy ? this.policy.allocate(pod, container) : null;
  }

  allocatePod(pod: Pod): ManagerError | null {
    this.removeStaleState();
    return this.policy ? this.policy.allocatePod(pod) : null;
  }

  /** Container removal: no stale-state cleanup here (§7.4). */
  removeContainer(podUID: string, containerName: string): void {
    this.policy?.removeContainer(podUID, containerName);
  }

  /** Whether the policy holds any state for the pod. */
  holdsStateFor(podUID: string): boolean {
    return this.policy ? this.policy.podContainerNames(podUID).length > 0 : false;
  }
}
