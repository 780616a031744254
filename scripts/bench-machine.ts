import { availableParallelism, cpus, loadavg, release, type } from "node:os";

/** The machine a benchmark ran on, as the README's table names it. */
export interface MachineDescription {
  cpuModel: string;
  /** Logical CPUs the OS shows, and how many this process may use. */
  logicalCPUs: number;
  availableParallelism: number;
  node: string;
  os: string;
  arch: string;
  /** ISO 8601, when the run started. */
  date: string;
  /** The 1-minute load average when the run started: other work on the machine shows here. */
  loadAverage: number;
  /** Free text given with `--note` (e.g. that the machine was shared). */
  note?: string;
}

export function describeMachine(note?: string): MachineDescription {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim().replace(/\s+/g, " ") || "unknown CPU",
    logicalCPUs: list.length,
    availableParallelism: availableParallelism(),
    node: process.version,
    os: `${type()} ${release()}`,
    arch: process.arch,
    date: new Date().toISOString(),
    loadAverage: Number(loadavg()[0].toFixed(2)),
    ...(note ? { note } : {}),
  };
}

/** One line for people: "Intel(R) Xeon(R) ..., 2 logical CPUs, Node v20.20.2, Linux 6.1 x64, 2025-01-01". */
export function machineLine(m: MachineDescription): string {
  const parts = [
    m.cpuModel,
    `${m.logicalCPUs} logical CPUs`,
    `Node ${m.node}`,
    `${m.os} ${m.arch}`,
    m.date.slice(0, 10),
    `load average ${m.loadAverage} at the start`,
  ];
  return parts.join(", ") + (m.note ? `; ${m.note}` : "");
}
