import type { CriRuntime } from "./cri-client.js";
import type { Container, ContainerState, LinuxContainerResources } from "./cri-types.js";
import { CriError } from "./errors.js";
import { CONTAINER_NAME_LABEL, POD_UID_LABEL } from "./pass.js";

/**
 * A container runtime in memory for the enforcer's unit tests: containers with the kubelet's
 * labels, every UpdateContainerResources recorded, failures on demand.
 */
export class FakeRuntime implements CriRuntime {
  containers: Container[] = [];
  readonly updates: { id: string; linux: LinuxContainerResources }[] = [];
  readonly failing = new Set<string>();
  listError: Error | null = null;
  /** Milliseconds ListContainers takes (to see whether passes overlap). */
  listDelayMs = 0;
  private inFlight = 0;
  maxInFlight = 0;
  private next = 1;

  add(podUID: string, name: string, state: ContainerState = "CONTAINER_RUNNING"): Container {
    const id = `${String(this.next++).padStart(4, "0")}${"c".repeat(60)}`;
    const c: Container = {
      id,
      pod_sandbox_id: `sandbox-${podUID}`,
      metadata: { name, attempt: 0 },
      image: { image: "busybox" },
      image_ref: "",
      state,
      created_at: "1",
      labels: { [POD_UID_LABEL]: podUID, [CONTAINER_NAME_LABEL]: name },
      annotations: {},
    };
    this.containers.push(c);
    return c;
  }

  updatesOf(id: string): LinuxContainerResources[] {
    return this.updates.filter((u) => u.id === id).map((u) => u.linux);
  }

  async listContainers(): Promise<Container[]> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.listDelayMs > 0) await new Promise((r) => setTimeout(r, this.listDelayMs));
      if (this.listError) throw this.listError;
      return this.containers.map((c) => ({ ...c }));
    } finally {
      this.inFlight--;
    }
  }

  async updateContainerResources(id: string, linux: LinuxContainerResources): Promise<void> {
    if (this.failing.has(id))
      throw new CriError(
        `CRI UpdateContainerResources on unix:///fake/cri.sock: NOT_FOUND: container "${id}" in namespace "k8s.io": not found`,
        "NOT_FOUND",
      );
    this.updates.push({ id, linux });
  }
}
