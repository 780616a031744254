import type { ManagerError } from "../core/index.js";
import { type Container, containersInOrder, type Pod } from "../k8s/index.js";
import type { HintProvider, ProviderHints } from "../managers/topology/index.js";

/** What a policy must offer for the managers' stale-state cleanup. */
export interface PolicyWithState extends HintProvider {
  containerKeys(): { podUID: string; containerName: string }[];
  removeContainer(podUID: string, containerName: string): void;
}

/** The pods whose containers may hold state: admitted and not removed, plus the pod being admitted. */
export type ActivePods = () => Iterable<Pod>;

/**
 * The CPU or Memory Manager around its policy (`cpu_manager.go` / `memory_manager.go`): every
 * admission entry point first removes the state of containers that no active pod has
 * (`removeStaleState`, topology-manager.md §7.4) and then asks the policy. With no policy (CPU
 * Manager `none`, Memory Manager `None`) it offers no hints and allocates nothing.
 */
export class ResourceManager implements HintProvider {
  constructor(
    readonly resource: "cpu" | "memory",
    readonly policy: PolicyWithState | null,
    private readonly activePods: ActivePods,
  ) {}

  removeStaleState(): void {
    const policy = this.policy;
    if (!policy) return;
    const active = new Map<string, Set<string>>();
    for (const pod of this.activePods())
      active.set(pod.uid, new Set(containersInOrder(pod).map((c) => c.name)));
    for (const { podUID, containerName } of policy.containerKeys()) {
      if (!active.get(podUID)?.has(containerName)) policy.removeContainer(podUID, containerName);
    }
  }

  getTopologyHints(pod: Pod, container: Container): ProviderHints {
    this.removeStaleState();
    return this.policy ? this.policy.getTopologyHints(pod, container) : null;
  }

  getPodTopologyHints(pod: Pod): ProviderHints {
    this.removeStaleState();
    return this.policy ? this.policy.getPodTopologyHints(pod) : null;
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
    return this.policy ? this.policy.containerKeys().some((k) => k.podUID === podUID) : false;
  }
}
