import type { AdmissionResult, ContainerDecision, PodDecision, PodRef } from "../node/index.js";
import type { DecisionRow } from "./decisions.js";
import type { PodState } from "./ownership.js";

/** A pod's decisions in the picture's shape; containers in the node shared pool get `cpus: null`. */
export function podStateOf(
  pod: PodRef,
  containers: readonly ContainerDecision[],
  podDecision: PodDecision | null,
): PodState {
  return {
    uid: pod.uid,
    name: pod.name,
    namespace: pod.namespace,
    bubble: podDecision?.bubble ?? null,
    podSharedPool: podDecision?.podSharedPool ?? null,
    memory: podDecision?.memory ?? null,
    containers: containers.map((c) => ({
      name: c.name,
      kind: c.kind,
      assignmentType: c.assignmentType,
      cpus: c.hasCPUAssignment ? c.cpus : null,
      memory: c.memory,
    })),
  };
}

/** The pod's part of the node state as its admission left it; null for a rejected pod. */
export function podStateFromAdmission(r: AdmissionResult): PodState | null {
  if (!r.admitted || r.containers === null) return null;
  return podStateOf(r.pod, r.containers, r.podDecision);
}

/** The decisions-table row of one admission. */
export function decisionRowFromAdmission(r: AdmissionResult): DecisionRow {
  return {
    pod: { ...r.pod },
    admitted: r.admitted,
    reason: r.reason,
    message: r.message,
    bubble: r.podDecision?.bubble ?? null,
    podSharedPool: r.podDecision?.podSharedPool ?? null,
    podMemory: r.podDecision?.memory ?? null,
    podCpuQuotaUs: r.podDecision?.cgroup.cpuQuotaUs ?? null,
    devicesDeferred: (r.deferredDevices ?? []).some(
      (d) => d.error !== null || d.devicesToAllocate.length > 0,
    ),
    warnings: [...r.warnings],
    containers: (r.containers ?? []).map((c) => ({
      name: c.name,
      kind: c.kind,
      assignmentType: c.assignmentType,
      memoryAssignmentType: c.memoryAssignmentType,
      cpus: c.cpus,
      hasCPUAssignment: c.hasCPUAssignment,
      numaAffinity: c.numaAffinity,
      cpusetMems: c.cpusetMems,
      memory: c.memory,
      cfsQuotaUs: c.cfsQuotaUs,
      devices: c.devices,
      deviceError: c.deviceError,
    })),
  };
}
