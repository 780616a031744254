import { aggregateContainerLimits, aggregateContainerRequests } from "./aggregate.js";
import { isSupportedPodLevelResource } from "./podlevel.js";
import type { Container, Pod, ResourceList } from "./types.js";

/**
 * The API server's defaulting of the resource fields (core v1 `SetDefaults_Pod`), applied to pods
 * read from manifests so that podpin sees what the kubelet would see:
 * 1. every container's missing requests default to its limits;
 * 2. with pod-level resources set, missing pod-level hugepage limits default to the containers'
 *    aggregate hugepage limits (`defaultHugePagePodLimits`);
 * 3. with pod-level limits set, missing pod-level hugepage requests default to the containers'
 *    aggregate hugepage requests, and every other missing pod-level request (cpu, memory) to the
 *    pod-level limit (`defaultPodRequests`). So `limits: {cpu: 4, memory: 4Gi}` alone is Guaranteed.
 */
export function applyApiDefaults(pod: Pod): Pod {
  const containers = pod.containers.map(defaultContainerRequests);
  const initContainers = pod.initContainers.map(defaultContainerRequests);
  let out: Pod = { ...pod, containers, initContainers };
  if (out.resources) {
    out = defaultHugePagePodLimits(out);
    out = defaultPodRequests(out);
  }
  return out;
}

function defaultContainerRequests(c: Container): Container {
  const r = c.resources;
  if (!r || Object.keys(r.limits).length === 0) return c;
  const requests: ResourceList = { ...r.requests };
  for (const [name, q] of Object.entries(r.limits)) {
    if (!(name in requests)) requests[name] = q;
  }
  return { ...c, resources: { requests, limits: r.limits } };
}

const isHugePages = (name: string): boolean => name.startsWith("hugepages-");

function defaultHugePagePodLimits(pod: Pod): Pod {
  const r = pod.resources!;
  if (Object.keys(r.limits).length === 0 && Object.keys(r.requests).length === 0) return pod;
  const limits: ResourceList = { ...r.limits };
  for (const [name, q] of Object.entries(aggregateContainerLimits(pod))) {
    if (!(name in limits) && isSupportedPodLevelResource(name) && isHugePages(name)) limits[name] = q;
  }
  return { ...pod, resources: { requests: r.requests, limits } };
}

function defaultPodRequests(pod: Pod): Pod {
  const r = pod.resources!;
  if (Object.keys(r.limits).length === 0) return pod;
  const requests: ResourceList = { ...r.requests };
  for (const [name, q] of Object.entries(aggregateContainerRequests(pod))) {
    if (!(name in requests) && isSupportedPodLevelResource(name) && isHugePages(name)) requests[name] = q;
  }
  for (const [name, q] of Object.entries(r.limits)) {
    if (!(name in requests) && isSupportedPodLevelResource(name)) requests[name] = q;
  }
  return { ...pod, resources: { requests, limits: r.limits } };
}
