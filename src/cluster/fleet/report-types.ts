/**
 * The fleet report (`podpin fleet -o json`): plain data, the same for every worker count. Its
 * shape is documented in docs/fleet.md; a field is never renamed or removed within
 * `podpin.io/v1alpha1`.
 */

export type ScenarioName = "allocatable" | "numa-aware";

/** Per-node values over a set of nodes: the sum, and the smallest, median and largest node. */
export interface Distribution {
  total: number;
  min: number;
  /** The ⌈n/2⌉-th smallest value. */
  median: number;
  max: number;
}

export interface AlignmentSummary {
  /** Guaranteed pods the kubelets admitted. */
  guaranteedAdmitted: number;
  /** ... whose CPUs, memory and devices sit on one NUMA node. */
  singleNumaNode: number;
  /** ... on no more NUMA nodes than the fewest that could hold their requests. */
  minimalNumaNodes: number;
  /** singleNumaNode / guaranteedAdmitted, 4 decimals; null without Guaranteed pods. */
  alignmentRate: number | null;
  minimalAlignmentRate: number | null;
}

export interface GroupSummary {
  name: string;
  nodes: number;
  /** The machine preset or file (the group's); "" for the total. */
  machine: string;
  topologyManagerPolicy: string;
  /** Allocatable CPUs, whole, over the nodes. */
  allocatableCPUs: number;
  /** Pods the scheduler bound to the group's nodes. */
  bound: number;
  admitted: number;
  rejected: number;
  alignment: AlignmentSummary;
  /** Allocatable CPUs no admitted pod requests, whole CPUs per node. */
  freeCPUs: Distribution;
  /** Free CPUs on nodes where no rejected or unschedulable pod shape (asking for CPU) would be placed and admitted. */
  strandedCPUs: Distribution;
  /** Nodes with stranded CPUs. */
  strandedNodes: number;
}

export interface RejectionExample {
  pod: string;
  workload: string;
  node: string;
  reason: string;
  message: string;
}

export interface UnschedulableExample {
  pod: string;
  workload: string;
  message: string;
}

export interface WorkloadSummary {
  name: string;
  pods: number;
  admitted: number;
  rejected: number;
  unschedulable: number;
}

export interface ScenarioReport {
  scenario: ScenarioName;
  /** One line on what the scheduler saw. */
  description: string;
  pods: { total: number; bound: number; admitted: number; rejected: number; unschedulable: number };
  /** Kubelet rejections: counts by reason (names ascending), and the first few with the kubelet's message. */
  rejections: { byReason: Record<string, number>; examples: RejectionExample[] };
  /** Pods no node passed the scheduler's filters for: the first few with the scheduler's message. */
  unschedulable: { examples: UnschedulableExample[] };
  workloads: WorkloadSummary[];
  groups: GroupSummary[];
  total: GroupSummary;
}

export interface FleetReport {
  apiVersion: "podpin.io/v1alpha1";
  kind: "FleetReport";
  fleet: string;
  nodes: number;
  pods: number;
  /** `allocatable` (the scheduler sees node allocatable only) first, then `numa-aware`. */
  scenarios: ScenarioReport[];
}

/** How many rejected or unschedulable pods a report names. */
export const MAX_EXAMPLES = 5;
