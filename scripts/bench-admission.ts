import { performance } from "node:perf_hooks";
import { BLOG_DATABASE_POD } from "../src/k8s/blog-pods.cases.js";
import { type Pod, parsePods } from "../src/k8s/index.js";
import { type Machine, presetMachine } from "../src/machine/index.js";
import { Node, type TopologyManagerPolicyName, type TopologyManagerScopeName } from "../src/node/index.js";
import { testPod, workedExampleConfig } from "../src/node/test-support.js";
import { admissionTarget, type BenchOptions, type Target } from "./bench-targets.js";
import { type MeasureOptions, measureInterleaved, type Timing } from "./bench-timing.js";

/**
 * One admission (`Node.admit`: the Topology Manager with the CPU and Memory Managers as hint
 * providers, then allocation) per machine × Topology Manager policy × scope × pod, on the worked
 * examples' kubelet configuration. Only `admit` is timed; each sample then removes the pod, which
 * gives the next sample the same node. A machine's cells are measured in turns (ten passes), so a
 * drift in the host's speed weighs on all of them alike. Ratios are against the 2-NUMA classic
 * pod under `none` of the same scope, measured in the same run.
 */

export const ADMISSION_MACHINES = [
  { numaNodes: 2, preset: "worked-example" },
  { numaNodes: 8, preset: "synthetic-8n-512c" },
  { numaNodes: 16, preset: "synthetic-16n" },
  { numaNodes: 34, preset: "nvidia-gb200-tray" },
  { numaNodes: 64, preset: "synthetic-64n" },
] as const;

export const POLICIES: readonly TopologyManagerPolicyName[] = [
  "none",
  "best-effort",
  "restricted",
  "single-numa-node",
];
export const SCOPES: readonly TopologyManagerScopeName[] = ["container", "pod"];

export type AdmissionPodKind = "classic" | "pod-level" | "spanning";
export const POD_KINDS: readonly AdmissionPodKind[] = ["classic", "pod-level", "spanning"];

export interface AdmissionRow {
  numaNodes: number;
  machine: string;
  pod: AdmissionPodKind;
  /** What the pod asks for on this machine. */
  podShape: string;
  scope: TopologyManagerScopeName;
  policy: TopologyManagerPolicyName;
  /** The kubelet's answer: admitted, or the rejection reason (the spanning pod under single-numa-node). */
  outcome: string;
  timing: Timing;
  /** p50 over the p50 of the 2-NUMA classic pod under `none`, same scope. */
  vsBaseline: number | null;
  target: Target | null;
}

/** Exclusive CPUs of the classic Guaranteed pod: whole cores on every preset. */
const CLASSIC_CPUS = 4;

/** The NUMA nodes with CPUs, and the CPUs and memory of the first of them. */
function cpuNodeShape(machine: Machine): { cpuNodes: number; cpusPerNode: number; memoryGiB: number } {
  const withCPUs = machine.topology.numaNodes().filter((n) => machine.topology.cpusInNUMANodes([n]).size > 0);
  const first = withCPUs[0];
  const memory = machine.memory.get(first)?.memory ?? 0n;
  return {
    cpuNodes: withCPUs.length,
    cpusPerNode: machine.topology.cpusInNUMANodes([first]).size,
    memoryGiB: Number(memory / (1024n * 1024n * 1024n)),
  };
}

/**
 * A Guaranteed pod too big for one NUMA node: 2.5 nodes' worth of CPUs and memory where the
 * machine has three CPU nodes or more (it spans 3), 1.5 nodes' worth otherwise (it spans 2).
 */
function spanningPod(machine: Machine): { pod: Pod; shape: string } {
  const { cpuNodes, cpusPerNode, memoryGiB } = cpuNodeShape(machine);
  const factor = cpuNodes >= 3 ? 2.5 : 1.5;
  const perCore = machine.topology.cpusPerCore;
  const cpus = Math.ceil((cpusPerNode * factor) / perCore) * perCore;
  const memory = Math.ceil(memoryGiB * factor);
  const pod = testPod("spanning", {
    containers: [{ name: "app", cpu: String(cpus), memory: `${memory}Gi` }],
  });
  return { pod, shape: `${cpus} CPUs, ${memory}Gi (${factor} NUMA nodes' worth)` };
}

export function podFor(kind: AdmissionPodKind, machine: Machine): { pod: Pod; shape: string } {
  if (kind === "classic")
    return {
      pod: testPod("classic", { containers: [{ name: "app", cpu: String(CLASSIC_CPUS), memory: "4Gi" }] }),
      shape: `one container, ${CLASSIC_CPUS} CPUs, 4Gi`,
    };
  if (kind === "pod-level") {
    const [pod] = parsePods(BLOG_DATABASE_POD, "tightly-coupled-database");
    return {
      pod,
      shape: "tightly-coupled-database: pod budget 8 CPUs, 16Gi; database 6 CPUs, 12Gi; 2 sidecars",
    };
  }
  return spanningPod(machine);
}

function nodeFor(
  machine: Machine,
  numaNodes: number,
  scope: TopologyManagerScopeName,
  policy: TopologyManagerPolicyName,
) {
  return new Node({
    machine,
    config: workedExampleConfig(scope, {
      topologyManagerPolicy: policy,
      topologyManagerPolicyOptions: numaNodes > 8 ? { "max-allowable-numa-nodes": String(numaNodes) } : {},
    }),
  });
}

function admissionSample(node: Node, pod: Pod): () => number {
  return () => {
    const t0 = performance.now();
    node.admit(pod);
    const spent = performance.now() - t0;
    // A rejected pod may leave allocations behind (the kubelet does not roll back); removing it
    // gives the next sample the same node.
    node.remove(pod.uid);
    return spent;
  };
}

/** Per cell: enough samples for a p99 where admissions are quick, a few where they are slow. */
function cellOptions(opts: BenchOptions, probeMs: number): MeasureOptions {
  if (opts.quick) return { warmup: 2, minRuns: 5, maxRuns: 50, budgetMs: 20 };
  if (probeMs > 200) return { warmup: 0, minRuns: 3, maxRuns: 3, budgetMs: 0 };
  return { warmup: 20, minRuns: 100, maxRuns: 3000, budgetMs: 700 };
}

/** A few hundred admissions of the 2- and 8-NUMA cells first, so the first rows are not timed cold. */
function warmUp(opts: BenchOptions): void {
  const until = performance.now() + (opts.quick ? 100 : 1500);
  const machines = ADMISSION_MACHINES.slice(0, 2).map(({ preset, numaNodes }) => ({
    machine: presetMachine(preset) as Machine,
    numaNodes,
  }));
  while (performance.now() < until) {
    for (const { machine, numaNodes } of machines)
      for (const policy of POLICIES) {
        const sample = admissionSample(
          nodeFor(machine, numaNodes, "pod", policy),
          podFor("pod-level", machine).pod,
        );
        for (let i = 0; i < 20; i++) sample();
      }
  }
}

/** Passes over one machine's cells (see `measureInterleaved`). */
const ROUNDS = 10;

interface Cell {
  kind: AdmissionPodKind;
  shape: string;
  scope: TopologyManagerScopeName;
  policy: TopologyManagerPolicyName;
  outcome: string;
  sample: () => number;
  opts: MeasureOptions;
}

/** Every pod × scope × policy of one machine, each with its own node, probed once. */
function machineCells(machine: Machine, numaNodes: number, opts: BenchOptions): Cell[] {
  const cells: Cell[] = [];
  for (const kind of POD_KINDS) {
    const { pod, shape } = podFor(kind, machine);
    for (const scope of SCOPES) {
      for (const policy of POLICIES) {
        const node = nodeFor(machine, numaNodes, scope, policy);
        const probe = node.admit(pod);
        node.remove(pod.uid);
        const sample = admissionSample(node, pod);
        const t0 = performance.now();
        sample();
        const outcome = probe.admitted ? "admitted" : (probe.reason ?? "rejected");
        cells.push({
          kind,
          shape,
          scope,
          policy,
          outcome,
          sample,
          opts: cellOptions(opts, performance.now() - t0),
        });
      }
    }
  }
  return cells;
}

export function benchAdmissions(opts: BenchOptions): AdmissionRow[] {
  warmUp(opts);
  const rows: AdmissionRow[] = [];
  for (const { numaNodes, preset } of ADMISSION_MACHINES) {
    const machine = presetMachine(preset);
    if (!machine) throw new Error(`no preset ${preset}`);
    const cells = machineCells(machine, numaNodes, opts);
    const timings = measureInterleaved(cells, opts.quick ? 1 : ROUNDS);
    cells.forEach((cell, i) => {
      const timing = timings[i];
      const baseline = rows.find(
        (r) => r.numaNodes === 2 && r.pod === "classic" && r.policy === "none" && r.scope === cell.scope,
      )?.timing;
      rows.push({
        numaNodes,
        machine: preset,
        pod: cell.kind,
        podShape: cell.shape,
        scope: cell.scope,
        policy: cell.policy,
        outcome: cell.outcome,
        timing,
        vsBaseline: baseline ? timing.p50Ms / baseline.p50Ms : null,
        target: admissionTarget(numaNodes, cell.policy, timing.p50Ms),
      });
    });
  }
  return rows;
}
