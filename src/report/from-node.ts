import type { AdmissionResult } from "../node/index.js";
import type { DecisionRow } from "./decisions.js";
import type { PodState } from "./ownership.js";

/**
 * The pod's part of the node state as its admission left it; null for a rejected pod. Containers
 * without their own CPU assignment run in the node shared pool and get `cpus: null`.
 */
export function podStateFromAdmission(r: AdmissionResult): PodState | null {
  if (!r.admitted || r.containers === null) return null;
  return {
    uid: r.pod.uid,
    name: r.pod.name,
    namespace: r.pod.namespace,
    bubble: r.podDecision?.bubble ?? null,
    podSharedPool: r.podDecision?.podSharedPool ?? null,
    memory: r.podDecision?.memory ?? null,
    containers: r.containers.map((c) => ({
      name: c.name,
      kind: c.kind,
      assignmentType: c.assignmentType,
      cpus: c.hasCPUAssignment ? c.cpus : null,
      memory: c.memory,
    })),
  };
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
    })),
  };
}
