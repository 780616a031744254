import type { Command } from "commander";
import { DEVICE_CHECKPOINT_FILE, type Outcome, readStateDir } from "../checkpoint/index.js";
import type {
  CPUReadResult,
  ContainerAllocateResponse,
  DeviceReadResult,
  MemoryReadResult,
  RestoredDeviceState,
} from "../checkpoint/index.js";
import type { MemoryBlock } from "../managers/memory/index.js";
import {
  buildNodeView,
  formatBytes,
  formatData,
  nodeStateOf,
  renderHtmlReport,
  renderTable,
} from "../report/index.js";
import { type CommandOutput, runCommand, UsageError, writeOutputFile } from "./errors.js";
import { loadNodeInputs, type NodeInputOptions } from "./inputs.js";
import { flagOption, outputOption, valueOption } from "./options.js";
import { addNodeOptions } from "./simulate.js";
import { registerMigrate } from "./checkpoint-migrate.js";
import { registerVerify } from "./checkpoint-verify.js";
import { type RestoredStates, nodeFromRestored } from "./state.js";
import type { Machine } from "../machine/index.js";
import { type NodeConfig, NodeConfigError } from "../node/index.js";

interface CheckpointOptions extends NodeInputOptions {
  output: "table" | "json" | "yaml";
  ignoreChecksum?: boolean;
  html?: string;
  /**
   * False when no machine was named: the start-up validation compares the files with the node's
   * CPUs and memory, and a default machine would refuse a real node's files for no reason.
   */
  machineGiven?: boolean;
}

/** One state file as the configured kubelet would read it. */
interface FileVerdict {
  file: "cpu_manager_state" | "memory_manager_state" | typeof DEVICE_CHECKPOINT_FILE;
  /**
   * `ok`: restored; `refused`: the kubelet would not start with it; `absent`: no file;
   * `not restored`: the kubelet logs the error and starts without it (the device file; OPEN CK-6,
   * checkpoints.md §9.7).
   */
  verdict: "ok" | "refused" | "absent" | "not restored";
  format: string | null;
  warnings: string[];
  error: string | null;
  hint: string | null;
}

function verdictOf(file: FileVerdict["file"], o: Outcome<CPUReadResult | MemoryReadResult>): FileVerdict {
  if (!o.ok)
    return {
      file,
      verdict: "refused",
      format: null,
      warnings: [],
      error: o.error.message,
      hint: o.error.hint,
    };
  const absent = o.result.format === "none";
  return {
    file,
    verdict: absent ? "absent" : "ok",
    format: absent ? null : o.result.format,
    warnings: o.result.warnings,
    error: null,
    hint: null,
  };
}

/** The device file: never a refusal; a file the kubelet cannot restore leaves it without device state. */
function deviceVerdictOf(o: Outcome<DeviceReadResult>): FileVerdict {
  const file = DEVICE_CHECKPOINT_FILE;
  if (!o.ok)
    return {
      file,
      verdict: "refused",
      format: null,
      warnings: [],
      error: o.error.message,
      hint: o.error.hint,
    };
  const r = o.result;
  if (r.error)
    return {
      file,
      verdict: "not restored",
      format: null,
      warnings: [],
      error: r.error.message,
      hint: r.error.hint,
    };
  const absent = r.format === "none";
  return {
    file,
    verdict: absent ? "absent" : "ok",
    format: absent ? null : r.format,
    warnings: r.warnings,
    error: null,
    hint: null,
  };
}

/**
 * The CPU and Memory Managers' start with the restored state (`validateState` of the static CPU
 * policy, the Memory Manager's machine-state check), run by the engine exactly as a node restart
 * runs it: each file on its own, so that each refusal is the one its manager gives. Null where the
 * manager starts; nothing is checked when the configuration alone does not start.
 */
export function startupRefusals(
  machine: Machine,
  config: NodeConfig,
  cpu: CPUReadResult | null,
  memory: MemoryReadResult | null,
): { cpu: string | null; memory: string | null } {
  const refusal = (restored: RestoredStates): string | null => {
    try {
      nodeFromRestored(machine, config, restored);
      return null;
    } catch (err) {
      if (err instanceof NodeConfigError) return err.message;
      throw err;
    }
  };
  if (refusal({}) !== null) return { cpu: null, memory: null };
  return {
    cpu: cpu ? refusal({ cpu: cpu.state }) : null,
    memory: memory ? refusal({ memory: memory.state }) : null,
  };
}

function refuse(v: FileVerdict, message: string, machineName: string): void {
  v.verdict = "refused";
  v.error = message;
  v.hint = `the kubelet's start-up validation against the machine ${JSON.stringify(machineName)} (-m): pass the node's own machine (-m this on the node) to check a real node's files`;
}

/** `gpu-1 gpu-2 @0; gpu-3 @none`: a record's devices by NUMA node (-1: no NUMA information). */
function devicesText(ids: ReadonlyMap<number, readonly string[]>): string {
  const parts = [...ids]
    .sort((a, b) => a[0] - b[0])
    .map(([n, list]) => `${list.join(" ")} @${n < 0 ? "none" : n}`);
  return parts.join("; ") || "-";
}

/** `2 envs, 5 device nodes, 1 mount`: what the plugin's answer gives the container. */
function answerText(r: ContainerAllocateResponse): string {
  const parts: string[] = [];
  const count = (n: number, one: string) => {
    if (n > 0) parts.push(`${n} ${one}${n === 1 ? "" : "s"}`);
  };
  count(r.envs.size, "env");
  count(r.devices.length, "device node");
  count(r.mounts.length, "mount");
  count(r.annotations.size, "annotation");
  count(r.cdiDevices.length, "CDI device");
  return parts.join(", ") || "empty";
}

function deviceTable(d: RestoredDeviceState): string {
  const out = [`Device state: registered ${d.state.registeredResources.join(", ") || "-"}`];
  const rows = d.entries.map((e) => [
    e.podUID,
    e.containerName,
    e.resourceName,
    devicesText(e.deviceIDs),
    answerText(e.response),
  ]);
  if (rows.length > 0)
    out.push(renderTable(["POD UID", "CONTAINER", "RESOURCE", "DEVICES", "PLUGIN ANSWER"], rows));
  for (const [r, ids] of d.allocatedDevices) out.push(`in use ${r}: ${ids.join(" ") || "-"}`);
  return out.join("\n");
}

/** The restored device state for `-o json|yaml`, with the plugins' answers decoded. */
function deviceData(d: RestoredDeviceState) {
  return {
    registeredResources: d.state.registeredResources,
    podDevices: d.entries.map((e) => ({
      podUID: e.podUID,
      containerName: e.containerName,
      resourceName: e.resourceName,
      deviceIDs: Object.fromEntries([...e.deviceIDs].map(([k, v]) => [String(k), v])),
      allocResp: {
        envs: Object.fromEntries(e.response.envs),
        mounts: e.response.mounts,
        devices: e.response.devices,
        annotations: Object.fromEntries(e.response.annotations),
        cdiDevices: e.response.cdiDevices,
      },
    })),
    allocatedDevices: Object.fromEntries(d.allocatedDevices),
    skippedEntries: d.skippedEntries,
  };
}

/** `memory 12Gi @0, hugepages-2Mi 1Gi @0,1`: every block with its type. */
function blocksText(blocks: readonly MemoryBlock[]): string {
  return blocks.map((x) => `${x.type} ${formatBytes(x.size)} @${x.numaAffinity.join(",")}`).join(", ");
}

function summaryTable(cpu: CPUReadResult | null, memory: MemoryReadResult | null): string {
  const out: string[] = [];
  if (cpu) {
    const s = cpu.state;
    out.push(
      `CPU state: policy ${s.policyName || "-"}, default CPU set ${s.defaultCpuSet.toString() || "-"}`,
    );
    const rows: string[][] = [];
    for (const [uid, bubble] of s.podEntries) rows.push([uid, "(pod bubble)", bubble.toString()]);
    for (const [uid, ctrs] of s.entries)
      for (const [name, set] of ctrs) rows.push([uid, name, set.toString()]);
    if (rows.length > 0) out.push(renderTable(["POD UID", "CONTAINER", "CPUS"], rows));
  }
  if (memory) {
    const s = memory.state;
    out.push(`Memory state: policy ${s.policyName || "-"}`);
    const rows: string[][] = [];
    for (const [id, n] of s.machineState)
      for (const [r, t] of n.memoryMap)
        rows.push([
          String(id),
          r,
          formatBytes(t.allocatable),
          formatBytes(t.reserved),
          formatBytes(t.free),
          String(n.numberOfAssignments),
          (n.cells ?? []).join(","),
        ]);
    if (rows.length > 0)
      out.push(
        renderTable(["NUMA", "RESOURCE", "ALLOCATABLE", "RESERVED", "FREE", "ASSIGNMENTS", "CELLS"], rows),
      );
    const blocks: string[][] = [];
    for (const [uid, b] of s.podEntries) blocks.push([uid, "(pod)", blocksText(b)]);
    for (const [uid, ctrs] of s.entries)
      for (const [name, b] of ctrs) blocks.push([uid, name, blocksText(b) || "-"]);
    if (blocks.length > 0) out.push(renderTable(["POD UID", "CONTAINER", "MEMORY BLOCKS"], blocks));
  }
  return out.join("\n\n");
}

function plain(v: unknown): unknown {
  return JSON.parse(
    JSON.stringify(v, (_k, x) => {
      if (typeof x === "bigint") return x <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(x) : x.toString();
      if (x instanceof Map) return Object.fromEntries(x);
      return x;
    }),
  );
}

/**
 * `podpin checkpoint DIR`: reads a kubelet state directory as the configured kubelet would (version,
 * gates, policies), says whether it would start with each file, which format and which accepted
 * quirks it found, and shows the state; `--html` draws the node it describes.
 */
export function checkpoint(
  dir: string,
  opts: CheckpointOptions,
): { exitCode: number; stdout: string; html: string | null } {
  const { machine, config } = loadNodeInputs(opts);
  const read = readStateDir(dir, {
    version: config.kubernetesVersion,
    gates: config.featureGates,
    cpuPolicy: config.cpuManagerPolicy,
    memoryPolicy: config.memoryManagerPolicy,
    ignoreChecksums: opts.ignoreChecksum,
  });
  const verdicts = [
    verdictOf("cpu_manager_state", read.cpu),
    verdictOf("memory_manager_state", read.memory),
    deviceVerdictOf(read.device),
  ];
  const cpu = read.cpu.ok && read.cpu.result.format !== "none" ? read.cpu.result : null;
  const memory = read.memory.ok && read.memory.result.format !== "none" ? read.memory.result : null;
  // The files decode: now the managers' start-up validation, as the kubelet runs it next.
  if (opts.machineGiven === false) {
    for (const v of verdicts.slice(0, 2))
      if (v.verdict === "ok")
        v.warnings.push(
          "the managers' start-up validation (CPUs and memory against the machine) did not run: name the node's machine with -m (-m this on the node, or a machine file)",
        );
  } else {
    const startup = startupRefusals(machine, config, cpu, memory);
    if (startup.cpu) refuse(verdicts[0], startup.cpu, machine.name);
    if (startup.memory) refuse(verdicts[1], startup.memory, machine.name);
  }
  const device = read.device.ok ? read.device.result.verdict.restored : null;
  const hasDevice = device !== null && read.device.ok && read.device.result.format !== "none";
  if (verdicts.every((v) => v.verdict === "absent"))
    throw new UsageError(
      `${dir}: no cpu_manager_state, memory_manager_state or ${DEVICE_CHECKPOINT_FILE} file in this directory`,
    );
  const refused = verdicts.some((v) => v.verdict === "refused");
  let stdout: string;
  if (opts.output === "table") {
    const lines = verdicts.map((v) => {
      const head = `${v.file}: ${v.verdict === "ok" ? `ok (${v.format})` : v.verdict}`;
      const extra = [
        ...v.warnings.map((w) => `  warning: ${w}`),
        ...(v.error ? [`  ${v.error}`] : []),
        ...(v.hint ? [`  hint: ${v.hint}`] : []),
      ];
      return [head, ...extra].join("\n");
    });
    const summary = [summaryTable(cpu, memory), hasDevice ? deviceTable(device) : ""].filter((x) => x !== "");
    stdout = `${lines.join("\n")}\n\n${summary.join("\n\n")}\n`;
  } else {
    stdout = formatData(
      {
        apiVersion: "podpin/v1",
        kind: "CheckpointReport",
        kubernetesVersion: config.kubernetesVersion,
        files: verdicts,
        cpu: cpu ? plain(cpu.state) : null,
        memory: memory ? plain(memory.state) : null,
        device: hasDevice ? deviceData(device) : null,
      },
      opts.output,
    );
  }
  let html: string | null = null;
  if (opts.html && !refused) {
    // The state just read (checksums ignored when asked), not a second read that could differ.
    const node = nodeFromRestored(machine, config, {
      cpu: cpu?.state,
      memory: memory?.state,
      device: read.device.ok && read.device.result.format !== "none" ? read.device.result.state : undefined,
    });
    html = renderHtmlReport({
      title: `podpin · ${machine.name} · ${dir}`,
      view: buildNodeView(machine, nodeStateOf(node)),
      decisions: [],
      summary: [
        `state from ${dir} (pods are known by UID only)`,
        ...(opts.ignoreChecksum ? ["checksums not verified (--ignore-checksum)"] : []),
      ],
      notes: machine.notes,
    });
  }
  return { exitCode: refused ? 1 : 0, stdout, html };
}

/** Writes the `--html` page; a file that cannot be written is bad input, reported on one line. */
export function writeHtmlReport(file: string, html: string): void {
  writeOutputFile({ option: "--html", path: file, content: html });
}

export function registerCheckpoint(program: Command): void {
  const checkpointCommand = addNodeOptions(
    program
      .command("checkpoint")
      .description(
        "Read a kubelet state directory (cpu_manager_state, memory_manager_state, device-plugins/kubelet_internal_checkpoint) as the configured kubelet would at start-up: formats, checksums, the managers' validation against the machine (-m), accepted quirks, the state, and a picture",
      )
      .argument("<dir>", "a kubelet root directory, e.g. /var/lib/kubelet"),
  )
    .addOption(outputOption())
    .addOption(
      flagOption("--ignore-checksum", "accept files whose checksum does not verify (reported as warnings)"),
    )
    .addOption(
      valueOption(
        "--html <file>",
        "draw the node the state describes (needs --machine for the real machine, e.g. -m this)",
        { without: "none" },
      ),
    )
    .addHelpText(
      "after",
      "\nExit status: 0 when the kubelet would restore every file, 1 when it would refuse one, 2 on bad input.\n",
    )
    .action((dir: string, opts: CheckpointOptions, command: Command) =>
      runCommand((): CommandOutput => {
        const run = checkpoint(dir, {
          ...opts,
          machineGiven: command.getOptionValueSource("machine") === "cli",
        });
        const files =
          opts.html && run.html !== null ? [{ option: "--html", path: opts.html, content: run.html }] : [];
        const notes =
          opts.html && run.html === null
            ? [`--html ${opts.html}: not written: the kubelet would not start with this state`]
            : [];
        return { exitCode: run.exitCode, stdout: run.stdout, files, notes };
      }),
    );
  // `checkpoint verify DIR` and `checkpoint migrate DIR`; a DIR of another name is read as before.
  // Their options follow their names, so neither `podpin` nor `checkpoint` may take them first.
  program.enablePositionalOptions();
  checkpointCommand.enablePositionalOptions();
  registerVerify(checkpointCommand);
  registerMigrate(checkpointCommand);
}
