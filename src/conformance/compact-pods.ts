import { Quantity } from "../core/index.js";
import type { Container, Pod, ResourceList, ResourceRequirements } from "../k8s/index.js";
import type { AffinityStore, TopologyHint } from "../managers/topology/index.js";

/**
 * Readers shared by the vector families that write pods in the compact form (`device/*.json`,
 * `memory/static_policy.json`, `podlevel/memory_allocate_pod.json`): `{uid, resources?,
 * initContainers, containers}` with Kubernetes quantity strings. Each family passes its own field
 * readers, so a schema mismatch throws that family's error, worded as before.
 */

export type Obj = Record<string, unknown>;

/** A vector family's readers of JSON values; each throws the family's error naming the field. */
export interface FieldReaders {
  obj(v: unknown, what: string): Obj;
  arr(v: unknown, what: string): unknown[];
  str(v: unknown, what: string): string;
  /** The family's error carrying a message of its own. */
  error(message: string): Error;
}

export interface CompactPodReaders {
  /** `{uid, resources?, initContainers, containers}`; the pod's name is its uid, in `default`. */
  readPod(v: unknown, what: string): Pod;
  /** The init or app container called `name`; a vector naming another is a schema mismatch. */
  findContainer(pod: Pod, name: string, what: string): Container;
}

export function compactPodReaders({ obj, arr, str, error }: FieldReaders): CompactPodReaders {
  function readResourceList(v: unknown, what: string): ResourceList {
    if (v === undefined || v === null) return {};
    const out: ResourceList = {};
    for (const [name, q] of Object.entries(obj(v, what)))
      out[name] = Quantity.parse(str(q, `${what}.${name}`), `${what}.${name}`);
    return out;
  }

  function readRequirements(v: unknown, what: string): ResourceRequirements | null {
    if (v === undefined || v === null) return null;
    const r = obj(v, what);
    return {
      requests: readResourceList(r.requests, `${what}.requests`),
      limits: readResourceList(r.limits, `${what}.limits`),
    };
  }

  function readContainer(v: unknown, what: string): Container {
    const c = obj(v, what);
    const container: Container = {
      name: str(c.name, `${what}.name`),
      resources: readRequirements(c.resources, `${what}.resources`),
    };
    if (c.restartPolicy !== undefined)
      container.restartPolicy = str(c.restartPolicy, `${what}.restartPolicy`);
    return container;
  }

  return {
    readPod(v, what) {
      const p = obj(v, what);
      const uid = str(p.uid, `${what}.uid`);
      return {
        uid,
        name: uid,
        namespace: "default",
        initContainers: arr(p.initContainers ?? [], `${what}.initContainers`).map((c, i) =>
          readContainer(c, `${what}.initContainers[${i}]`),
        ),
        containers: arr(p.containers, `${what}.containers`).map((c, i) =>
          readContainer(c, `${what}.containers[${i}]`),
        ),
        resources: readRequirements(p.resources, `${what}.resources`),
      };
    },
    findContainer(pod, name, what) {
      const c = [...pod.initContainers, ...pod.containers].find((x) => x.name === name);
      if (!c) throw error(`${what}: the pod has no container ${JSON.stringify(name)}`);
      return c;
    },
  };
}

/** The affinity store of the kubelet's tests (its fake Topology Manager): one hint for every container. */
export function fixedAffinity(hint: TopologyHint): AffinityStore {
  return { getAffinity: () => hint };
}
