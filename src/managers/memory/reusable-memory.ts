import type { MemoryBlock } from "./state-data.js";
import { type Container, isStandardInitContainer, type Pod } from "../../k8s/index.js";
import { type BitMask, maskOf } from "../topology/index.js";
import { subU64 } from "./u64.js";

/** podUID -> NUMA mask -> resource -> bytes. */
export type ReusableMemorySeed = ReadonlyMap<string, ReadonlyMap<BitMask, ReadonlyMap<string, bigint>>>;

const NO_MASKS: readonly BitMask[] = [];

/**
 * The init-container memory a later container of the same pod may take over
 * (memory-manager.md §6). Kept in memory only, never checkpointed, and only for the pod most
 * recently allocated: entries of any other pod are dropped on the next update.
 */
export class InitContainerReusableMemory {
  private readonly byPod = new Map<string, Map<BitMask, Map<string, bigint>>>();

  constructor(seed?: ReusableMemorySeed) {
    for (const [pod, masks] of seed ?? []) {
      const m = new Map<BitMask, Map<string, bigint>>();
      for (const [mask, resources] of masks) m.set(mask, new Map(resources));
      this.byPod.set(pod, m);
    }
  }

  get(podUID: string, mask: BitMask, resource: string): bigint {
    return this.byPod.get(podUID)?.get(mask)?.get(resource) ?? 0n;
  }

  /**
   * After a container of `pod` got (or already had) `blocks`: a standard init container raises the
   * reusable amount of each (mask, resource) to its block size and is never charged for its own
   * block; any other container consumes what it reused.
   */
  update(pod: Pod, container: Container, blocks: readonly MemoryBlock[]): void {
    // Deleting while iterating is safe for a Map: a deleted key is never visited again.
    for (const uid of this.byPod.keys()) if (uid !== pod.uid) this.byPod.delete(uid);
    if (isStandardInitContainer(pod, container)) {
      let masks = this.byPod.get(pod.uid);
      if (!masks) this.byPod.set(pod.uid, (masks = new Map()));
      for (const b of blocks) {
        const mask = maskOf(...b.numaAffinity);
        let resources = masks.get(mask);
        if (!resources) masks.set(mask, (resources = new Map()));
        if (b.size > (resources.get(b.type) ?? 0n)) resources.set(b.type, b.size);
      }
      return;
    }
    // Nothing recorded for the pod, nothing to consume.
    if (!this.byPod.has(pod.uid)) return;
    for (const b of blocks) {
      const mask = maskOf(...b.numaAffinity);
      const reusable = this.get(pod.uid, mask, b.type);
      if (reusable === 0n) continue;
      const resources = this.byPod.get(pod.uid)!.get(mask)!;
      resources.set(b.type, b.size >= reusable ? 0n : subU64(reusable, b.size));
    }
  }

  /** The masks the pod has reusable memory recorded on (in recording order). */
  masksOf(podUID: string): readonly BitMask[] {
    const masks = this.byPod.get(podUID);
    return masks === undefined ? NO_MASKS : [...masks.keys()];
  }

  /** A copy of the bookkeeping, for inspection and tests. */
  snapshot(): ReusableMemorySeed {
    return new InitContainerReusableMemory(this.byPod).byPod;
  }
}
