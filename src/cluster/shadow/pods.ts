/**
 * The pod source's objects as the engine's pods. Each object is read once per resourceVersion
 * with the same reader the CLI and the agent use; one that podpin cannot read (a field it refuses)
 * is logged once and treated as a pod known by UID only.
 */
import type { AgentLog } from "../../agent/index.js";
import { type Pod, podFromObject } from "../../k8s/index.js";
import type { KubePodObject } from "../types.js";

export interface SourcePod {
  object: KubePodObject;
  /** null when podpin cannot read the object. */
  pod: Pod | null;
}

export class PodSpecs {
  private readonly cache = new Map<string, { version: string; pod: Pod | null }>();

  constructor(private readonly log?: AgentLog) {}

  /** The objects in the order given (the kubelet's admission order), each with its Pod. */
  read(objects: readonly KubePodObject[]): SourcePod[] {
    const seen = new Set<string>();
    const out: SourcePod[] = [];
    for (const object of objects) {
      const { uid } = object.metadata;
      if (seen.has(uid)) continue;
      seen.add(uid);
      out.push({ object, pod: this.podOf(object) });
    }
    for (const uid of [...this.cache.keys()]) if (!seen.has(uid)) this.cache.delete(uid);
    return out;
  }

  private podOf(object: KubePodObject): Pod | null {
    const { uid, namespace, name } = object.metadata;
    const version = object.metadata.resourceVersion ?? JSON.stringify(object.spec);
    const cached = this.cache.get(uid);
    if (cached && cached.version === version) return cached.pod;
    let pod: Pod | null;
    try {
      const read = podFromObject(object, `pod ${namespace}/${name}`);
      pod = read.uid === uid ? read : { ...read, uid };
    } catch (err) {
      pod = null;
      this.log?.warn("pod not readable; known by UID only in shadow mode", {
        pod: `${namespace}/${name}`,
        uid,
        error: err instanceof Error ? err.message.split("\n")[0] : String(err),
      });
    }
    this.cache.set(uid, { version, pod });
    return pod;
  }
}

/** A pod whose containers have started and not all ended, as far as the API server says. */
export function isRunning(object: KubePodObject): boolean {
  return object.status?.phase === "Running";
}
