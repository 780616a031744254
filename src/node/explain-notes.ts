import {
  containersInOrder,
  isContainerEquivalentGuaranteed,
  isPodLevelResourcesSet,
  memoryQuantityNote,
  type Pod,
  podQOS,
} from "../k8s/index.js";
import { machineNUMANodes } from "../machine/index.js";
import { cpuHintSettings } from "../managers/cpu/index.js";
import { podDeviceRequest } from "../managers/device/index.js";
import type { DeviceSnapshot } from "./explain-devices.js";
import { podBudgetProblems } from "./explain-pod-budget.js";
import { REFERENCES } from "./explain-rejection.js";
import type { Node } from "./node.js";
import type { AdmissionResult } from "./types.js";

/*
 * Behaviour a user is unlikely to expect, each note naming the kubelet rule behind it and a page
 * to open. Notes that would hold for most pods on the node (the quota the documentation describes,
 * podpin's single-NUMA-node hint fast path) are for `verbose` only.
 */

export interface NoteOptions {
  /** Also the notes that hold for most pods. */
  verbose?: boolean;
}

/** Notes on pod-level resources, versions, quantities and the pod cgroup. */
export function behaviourNotes(node: Node, pod: Pod, result: AdmissionResult, opts: NoteOptions): string[] {
  const cfg = node.config;
  const gates = cfg.featureGates;
  const podLevel = isPodLevelResourcesSet(pod);
  const notes: string[] = [];
  if (podLevel && !(gates.PodLevelResources && gates.PodLevelResourceManagers))
    notes.push(
      `the pod sets .spec.resources but PodLevelResources and PodLevelResourceManagers are not both on: the resource managers ignore the pod budget (no NUMA alignment, no exclusive CPUs, no memory pinning); see ${REFERENCES.podLevelManagers}`,
    );
  if (podLevel && gates.PodLevelResourceManagers && cfg.topologyManagerPolicy === "none") {
    notes.push(
      `topologyManagerPolicy none: the documentation lists only best-effort, restricted and single-numa-node for pod-level resource managers; the kubelet allocates container by container without alignment (${REFERENCES.podLevelManagers})`,
    );
    if (cfg.topologyManagerScope === "pod" && podBudgetProblems(pod, cfg).length > 0)
      notes.push(
        "under best-effort, restricted or single-numa-node in pod scope the kubelet would reject this pod: its exclusive containers use the whole pod budget and leave an empty pod shared pool for the containers that share it",
      );
  }
  const podCPU = pod.resources?.requests.cpu;
  if (podLevel && gates.PodLevelResourceManagers && podCPU && !podCPU.isIntegral())
    notes.push(
      `the pod-level CPU request ${podCPU.toString()} is not a whole number: no CPU bubble and no exclusive CPUs for any container (${REFERENCES.podLevelManagers})`,
    );
  for (const c of [...containersInOrder(pod).map((x) => x.resources), pod.resources]) {
    for (const [name, q] of Object.entries(c?.requests ?? {})) {
      if ((name === "memory" || name.startsWith("hugepages-")) && q.asInt64() === null) {
        notes.push(memoryQuantityNote(name, q));
      }
    }
  }
  if (
    cfg.kubernetesVersion === "1.36" &&
    cfg.memoryManagerPolicy === "Static" &&
    cfg.topologyManagerScope === "container" &&
    podLevel &&
    gates.PodLevelResourceManagers &&
    podQOS(pod, gates) === "Guaranteed" &&
    containersInOrder(pod).some((c) => !isContainerEquivalentGuaranteed(c))
  )
    notes.push(
      "kubelet 1.36 sends containers without exclusive memory through the Memory Manager with an empty request (a null hint fails with 'failed to get the default NUMA affinity'); 1.37 skips them (https://github.com/kubernetes/kubernetes/issues/138770)",
    );
  const numaCount = machineNUMANodes(node.machine).length;
  if (
    opts.verbose &&
    cfg.topologyManagerPolicy === "single-numa-node" &&
    cpuHintSettings.singleNUMAFastPath &&
    numaCount > cpuHintSettings.singleNUMAFastPathAboveNodes
  )
    notes.push(
      `this machine has ${numaCount} NUMA nodes: a provider whose full answer would list up to 2^${numaCount}-1 masks lists its single-node hints only (single-numa-node drops every other hint before merging, so the verdict is the kubelet's)`,
    );
  const quota = result.podDecision?.cgroup;
  if (opts.verbose && quota && quota.documentedCpuQuotaUs !== null)
    notes.push(
      `pod CPU quota: the kubelet sets ${quota.cpuQuotaUs} (a container holds exclusive CPUs and none runs in a pod shared pool); the documentation describes ${quota.documentedCpuQuotaUs} per ${quota.cpuPeriodUs} us (${REFERENCES.podLevelManagers})`,
    );
  return [...new Set(notes)];
}

/** Device behaviour worth a note: deferred choice on the pod-level path, no alignment at all. */
export function deviceNotes(node: Node, pod: Pod, result: AdmissionResult, before: DeviceSnapshot): string[] {
  const isPlugin = (r: string) => node.deviceManager.isDevicePluginResource(r);
  const request = [...podDeviceRequest(pod, isPlugin)].filter(([, n]) => n > 0);
  if (request.length === 0) return [];
  const notes: string[] = [];
  if (result.trace.path === "pod-level")
    notes.push(
      `devices on the pod-level path (KEP-5526, ${REFERENCES.kep5526}): the Device Manager's hints join the pod's NUMA choice, but no device is reserved at admission; each container gets its devices when it is created, aligned only by the stored pod hint, and until then other pods may take them`,
    );
  if (node.config.topologyManagerPolicy === "none")
    notes.push(
      "topologyManagerPolicy none: no hints are asked, so devices are chosen without regard to the NUMA nodes of the CPUs and memory",
    );
  for (const [resource] of request) {
    const r = before.get(resource);
    if (r && !r.hasTopology)
      notes.push(
        `${resource}: no device reports a NUMA node, so the Device Manager states no preference and the devices are not aligned with the CPUs and memory`,
      );
  }
  return notes;
}
