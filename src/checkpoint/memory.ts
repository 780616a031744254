/**
 * The Memory Manager's checkpoint file, `memory_manager_state` (checkpoints.md §4): reading V1, V2
 * and V3 with the kubelet's load order and errors, and writing the version the Kubernetes version
 * and gates select, byte for byte as the kubelet does. Pod entries are `{"memoryBlocks": [...]}`
 * in every version (CK-2, settled); a bare block list is refused as the kubelet refuses it.
 */
import { dataChecksum, structChecksum } from "./checksum.js";
import { CORRUPTED, DEFAULT_STATE_DIR, MEMORY_CHECKPOINT_FILE, limitError, restoreError } from "./errors.js";
import {
  CheckpointLimitError,
  MAX_CONTAINERS_PER_POD,
  MAX_NUMA_NODES,
  MAX_PODS,
  checkCount,
  checkId,
  checkSize,
} from "./limits.js";
import { encodeGo, unmarshalInto } from "./gojson.js";
import { hasMember } from "./gojson-parse.js";
import { compareGoStrings, goQuote, plural } from "./gostring.js";
import { bareListHint } from "./memory-shape.js";
import type { GoMap, GoStruct, GoType, GoValue } from "./gotype.js";
import {
  HISTORICAL_MEMORY_NAME,
  MEMORY_DATA,
  MEMORY_V1,
  MEMORY_V2,
  MEMORY_V3,
  newMemoryData,
  newMemoryV1,
  newMemoryV2,
  newMemoryV3,
} from "./kubelet-types.js";
import { type CheckpointSettings, type ParsedText, type ReadOptions, parseOnce } from "./settings.js";
import type {
  MemoryBlock,
  MemoryStateData,
  MemoryTable,
  NUMANodeMap,
  NUMANodeState,
} from "../managers/memory/index.js";

export type MemoryCheckpointFormat = "none" | "v1" | "v2" | "v3";
export type MemoryWriteFormat = "v1" | "v2" | "v3";

export interface MemoryReadResult {
  state: MemoryStateData;
  format: MemoryCheckpointFormat;
  /** Accepted quirks a `checkpoint verify` should report (checkpoints.md §2.1 "Damaged files"). */
  warnings: string[];
}

interface Loaded {
  format: MemoryCheckpointFormat;
  policyName: string;
  machineState: GoMap | null;
  entries: GoMap | null;
  podEntries: GoMap | null;
}

type Load = { ok: true; cp: Loaded } | { ok: false; error: string };

interface LoadContext {
  parsed: ParsedText;
  ignoreChecksums: boolean;
  warnings: string[];
}

type StructType = GoType & { kind: "struct" };

function unmarshal(p: ParsedText, t: StructType, target: GoStruct): string | null {
  return "syntaxError" in p ? p.syntaxError : unmarshalInto(p.node, t, target);
}

function loaded(format: MemoryCheckpointFormat, cp: GoStruct): Loaded {
  return {
    format,
    policyName: cp.PolicyName as string,
    machineState: cp.MachineState as GoMap | null,
    entries: cp.Entries as GoMap | null,
    podEntries: (cp.PodEntries as GoMap | null | undefined) ?? null,
  };
}

/** Verifies a legacy checksum (historical type name); `acceptZero` for V1's "no checksum". */
function verifyLegacy(ctx: LoadContext, cp: GoStruct, t: StructType, acceptZero: boolean): string | null {
  if (acceptZero && cp.Checksum === 0n) {
    ctx.warnings.push(
      "checksum is 0: accepted without verification (compatibility with the old file backend)",
    );
    return null;
  }
  const computed = structChecksum(cp, t, { from: t.name.slice("state.".length), to: HISTORICAL_MEMORY_NAME });
  if (BigInt(computed) === cp.Checksum) return null;
  if (!ctx.ignoreChecksums) return CORRUPTED;
  ctx.warnings.push(
    `checksum ${cp.Checksum} does not match the content (computed ${computed}); accepted as asked`,
  );
  return null;
}

function loadV3(ctx: LoadContext): Load {
  const cp = newMemoryV3();
  let err = unmarshal(ctx.parsed, MEMORY_V3, cp);
  if (err !== null) err = `failed to deserialize memory manager checkpoint: ${err}`;
  const data = newMemoryData();
  if (err === null) {
    const e = unmarshalInto(cp.Data as string, MEMORY_DATA, data);
    if (e !== null) err = `failed to deserialize memory manager checkpoint data: ${e}`;
  }
  if (err === null) {
    const computed = dataChecksum(cp.Data as string);
    if (BigInt(computed) !== cp.DataChecksum) {
      if (ctx.ignoreChecksums) {
        ctx.warnings.push(
          `dataChecksum ${cp.DataChecksum} does not match data (computed ${computed}); accepted as asked`,
        );
      } else err = CORRUPTED;
    }
  }
  if (err === null) {
    warnDualLayout(ctx, cp, data);
    return { ok: true, cp: loaded("v3", data) };
  }
  if ((cp.Data as string).length > 0 || cp.DataChecksum !== 0n) {
    // A V3 file that fails is never read as an older version (checkpoints.md §4.4).
    return { ok: false, error: `could not load v3 checkpoint: ${err}` };
  }
  return loadV2(ctx);
}

function warnDualLayout(ctx: LoadContext, cp: GoStruct, data: GoStruct): void {
  const inline = {
    PolicyName: cp.PolicyName,
    MachineState: cp.MachineState,
    Entries: cp.Entries,
    Checksum: 0n,
  };
  const legacy = structChecksum(inline, MEMORY_V1, {
    from: "MemoryManagerCheckpointV1",
    to: HISTORICAL_MEMORY_NAME,
  });
  if (cp.Checksum !== 0n && BigInt(legacy) !== cp.Checksum) {
    ctx.warnings.push(
      `top-level checksum ${cp.Checksum} does not match the top-level copy (computed ${legacy}): ignored (only dataChecksum is verified), but kubelets older than 1.37 will refuse this file`,
    );
  }
  const same =
    encodeGo({ ...inline, PodEntries: null }, MEMORY_DATA) ===
    encodeGo({ ...data, PodEntries: null }, MEMORY_DATA);
  if (!same) {
    ctx.warnings.push(
      "the top-level copy of the state differs from data: kubelets older than 1.37 restore the top-level copy",
    );
  }
}

function loadV2(ctx: LoadContext): Load {
  const cp = newMemoryV2();
  const decodeError = unmarshal(ctx.parsed, MEMORY_V2, cp);
  // V2 has no "empty checksum" exception: a zeroed V2 file is read as V1 below.
  const err = decodeError ?? verifyLegacy(ctx, cp, MEMORY_V2, false);
  if (err === null) return { ok: true, cp: loaded("v2", cp) };
  const v1 = loadV1(ctx);
  const dropped = (cp.PodEntries as GoMap | null)?.size ?? 0;
  if (v1.ok && dropped > 0) {
    const why = decodeError === null ? "with checksum 0" : `that cannot be decoded (${decodeError})`;
    ctx.warnings.push(
      `V2 checkpoint ${why} is read as V1: its ${plural(dropped, "pod-level entry is", "pod-level entries are")} dropped`,
    );
  }
  return v1;
}

function loadV1(ctx: LoadContext): Load {
  const cp = newMemoryV1();
  const err = unmarshal(ctx.parsed, MEMORY_V1, cp) ?? verifyLegacy(ctx, cp, MEMORY_V1, true);
  return err === null ? { ok: true, cp: loaded("v1", cp) } : { ok: false, error: err };
}

// ---- restore: Go values -> MemoryStateData ----

function sortedKeys(m: GoMap): Array<string | bigint> {
  return [...m.keys()].sort((a, b) =>
    typeof a === "bigint" && typeof b === "bigint"
      ? a < b
        ? -1
        : a > b
          ? 1
          : 0
      : compareGoStrings(String(a), String(b)),
  );
}

class RestoreFailure extends Error {}

function safeInt(v: GoValue, what: string): number {
  const n = v as bigint;
  if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new RestoreFailure(`${what} ${n} is out of the supported range`);
  }
  return Number(n);
}

function ints(v: GoValue, what: string): number[] {
  return ((v as GoValue[] | null) ?? []).map((x) => safeInt(x, what));
}

function blocksOf(v: GoValue, where: string): MemoryBlock[] {
  return ((v as GoValue[] | null) ?? []).map((b) => {
    const s = b as GoStruct;
    return {
      numaAffinity: ints(s.NUMAAffinity, `NUMA node id in ${where}`),
      type: s.Type as string,
      size: s.Size as bigint,
    };
  });
}

function machineStateOf(raw: GoMap | null): NUMANodeMap {
  const out: NUMANodeMap = new Map();
  if (!raw) return out;
  for (const id of sortedKeys(raw)) {
    const node = raw.get(id) as GoStruct | null;
    const nodeId = safeInt(id, "NUMA node id");
    if (node === null) throw new RestoreFailure(`machine state of NUMA node ${nodeId} is null`);
    const memoryMap = new Map<string, MemoryTable>();
    const tables = (node.MemoryMap as GoMap | null) ?? new Map();
    for (const resource of sortedKeys(tables) as string[]) {
      const t = tables.get(resource) as GoStruct | null;
      if (t === null)
        throw new RestoreFailure(
          `machine state of NUMA node ${nodeId} has a null ${goQuote(resource)} table`,
        );
      memoryMap.set(resource, {
        total: t.TotalMemSize as bigint,
        systemReserved: t.SystemReserved as bigint,
        allocatable: t.Allocatable as bigint,
        reserved: t.Reserved as bigint,
        free: t.Free as bigint,
      });
    }
    const state: NUMANodeState = {
      numberOfAssignments: safeInt(node.NumberOfAssignments, `numberOfAssignments of NUMA node ${nodeId}`),
      memoryMap,
      cells: node.Cells === null ? null : ints(node.Cells, `cells of NUMA node ${nodeId}`),
    };
    out.set(nodeId, state);
  }
  return out;
}

/** podpin's bounds on what a file holds (docs/limits.md): counts and identifier lengths. */
function checkBounds(cp: Loaded): void {
  const raw = cp.entries ?? new Map();
  const pods = cp.podEntries ?? new Map();
  checkId("policy name", cp.policyName);
  checkCount("NUMA nodes in machineState", cp.machineState?.size ?? 0, MAX_NUMA_NODES);
  checkCount("pods in entries", raw.size, MAX_PODS);
  checkCount("pods in podEntries", pods.size, MAX_PODS);
  for (const [pod, containers] of raw) {
    checkId("pod UID", String(pod));
    const m = (containers as GoMap | null) ?? new Map();
    checkCount(`containers in pod ${String(pod)}`, m.size, MAX_CONTAINERS_PER_POD);
    for (const name of m.keys()) checkId("container name", String(name));
  }
  for (const pod of pods.keys()) checkId("pod UID", String(pod));
}

function restore(cp: Loaded, opts: ReadOptions, warnings: string[]): MemoryStateData | string {
  checkBounds(cp);
  if (opts.configuredPolicy !== cp.policyName) {
    return `[memorymanager] configured policy ${goQuote(opts.configuredPolicy)} differs from state checkpoint policy ${goQuote(cp.policyName)}`;
  }
  try {
    const machineState = machineStateOf(cp.machineState);
    const entries = new Map<string, Map<string, MemoryBlock[]>>();
    const raw = cp.entries ?? new Map();
    for (const pod of sortedKeys(raw) as string[]) {
      const containers = (raw.get(pod) as GoMap | null) ?? new Map();
      const out = new Map<string, MemoryBlock[]>();
      for (const name of sortedKeys(containers) as string[]) {
        out.set(name, blocksOf(containers.get(name)!, `container ${goQuote(name)} of pod ${goQuote(pod)}`));
      }
      entries.set(pod, out);
    }
    const podEntries = new Map<string, MemoryBlock[]>();
    const rawPods = cp.podEntries ?? new Map();
    if (opts.gates.PodLevelResourceManagers) {
      for (const pod of sortedKeys(rawPods) as string[]) {
        const entry = rawPods.get(pod) as GoStruct;
        podEntries.set(pod, blocksOf(entry.MemoryBlocks, `pod ${goQuote(pod)}`));
      }
    } else if (rawPods.size > 0) {
      warnings.push(
        `${plural(rawPods.size, "pod-level entry", "pod-level entries")} ignored: PodLevelResourceManagers is off`,
      );
    }
    return { policyName: cp.policyName, machineState, entries, podEntries };
  } catch (err) {
    if (err instanceof RestoreFailure) return err.message;
    throw err;
  }
}

/**
 * Restores Memory Manager state from the text of `memory_manager_state` (`null`: there is no file,
 * and the state starts empty). Throws `CheckpointError` with the kubelet's message when the kubelet
 * would refuse to start.
 */
export function readMemoryCheckpoint(text: string | null, opts: ReadOptions): MemoryReadResult {
  const path = opts.path ?? `${DEFAULT_STATE_DIR}/${MEMORY_CHECKPOINT_FILE}`;
  try {
    if (text !== null) checkSize(Buffer.byteLength(text, "utf8"));
    return readMemoryCheckpointUnbounded(text, opts, path);
  } catch (err) {
    if (err instanceof CheckpointLimitError) throw limitError("memory", path, err);
    throw err;
  }
}

function readMemoryCheckpointUnbounded(
  text: string | null,
  opts: ReadOptions,
  path: string,
): MemoryReadResult {
  const warnings: string[] = [];
  if (text === null) {
    const state = {
      policyName: opts.configuredPolicy,
      machineState: new Map(),
      entries: new Map(),
      podEntries: new Map(),
    };
    return { state, format: "none", warnings };
  }
  const parsed = parseOnce(text);
  const ctx: LoadContext = { parsed, ignoreChecksums: opts.ignoreChecksums ?? false, warnings };
  const gateOn = opts.gates.PodLevelResourceManagers;
  const load = opts.version === "1.37" ? loadV3(ctx) : gateOn ? loadV2(ctx) : loadV1(ctx);
  if (!load.ok) throw restoreError("memory", path, load.error, bareListHint(parsed));
  if (opts.version === "1.36" && "node" in parsed && hasMember(parsed.node, "data")) {
    warnings.push(
      "a 1.37 (V3) checkpoint read as 1.36 reads it: the top-level copy is restored and pod entries are lost",
    );
  }
  const state = restore(load.cp, opts, warnings);
  if (typeof state === "string") throw restoreError("memory", path, state);
  return { state, format: load.cp.format, warnings };
}

// ---- writing ----

/** 1.36: V1 with the gate off (OPEN CK-5, checkpoints.md §8), V2 with it on; 1.37: V3. */
export function memoryWriteFormat(settings: CheckpointSettings): MemoryWriteFormat {
  if (settings.version === "1.37") return "v3";
  return settings.gates.PodLevelResourceManagers ? "v2" : "v1";
}

function blocksValue(blocks: readonly MemoryBlock[]): GoValue[] {
  return blocks.map((b) => ({
    NUMAAffinity: b.numaAffinity.map((n) => BigInt(n)),
    Type: b.type,
    Size: b.size,
  }));
}

/**
 * The machine state as the kubelet's state store hands it out: a clone, in which every `cells`
 * list is a non-nil (possibly empty) slice.
 */
function machineStateValue(ms: NUMANodeMap): GoMap {
  const out: GoMap = new Map();
  for (const [id, node] of ms) {
    const tables: GoMap = new Map();
    for (const [resource, t] of node.memoryMap) {
      tables.set(resource, {
        TotalMemSize: t.total,
        SystemReserved: t.systemReserved,
        Allocatable: t.allocatable,
        Reserved: t.reserved,
        Free: t.free,
      });
    }
    out.set(BigInt(id), {
      NumberOfAssignments: BigInt(node.numberOfAssignments),
      MemoryMap: tables,
      Cells: (node.cells ?? []).map((c) => BigInt(c)),
    });
  }
  return out;
}

function entriesValue(state: MemoryStateData): GoMap {
  const out: GoMap = new Map();
  for (const [pod, containers] of state.entries) {
    const m: GoMap = new Map();
    for (const [name, blocks] of containers) m.set(name, blocksValue(blocks));
    out.set(pod, m);
  }
  return out;
}

/**
 * Pod entries as the kubelet's `state.PodEntry` values: `{"memoryBlocks": [...]}`. The field is
 * `omitempty`, so an entry without blocks is written `{}` and read back as a nil list; it is
 * hashed as nil too, so that a V2 file with such an entry still verifies when it is read.
 */
function podEntriesValue(state: MemoryStateData): GoMap {
  const out: GoMap = new Map();
  for (const [pod, blocks] of state.podEntries)
    out.set(pod, { MemoryBlocks: blocks.length === 0 ? null : blocksValue(blocks) });
  return out;
}

export interface MemoryEncodeOptions {
  /** Write pod entries (V2 always has them; V3 only with PodLevelResourceManagers on). */
  podEntries?: boolean;
}

export function encodeMemoryCheckpoint(
  state: MemoryStateData,
  format: MemoryWriteFormat,
  options: MemoryEncodeOptions = {},
): string {
  const base: GoStruct = {
    PolicyName: state.policyName,
    MachineState: machineStateValue(state.machineState),
    Entries: entriesValue(state),
  };
  const rename = (t: StructType) => ({ from: t.name.slice("state.".length), to: HISTORICAL_MEMORY_NAME });
  if (format === "v1") {
    const cp = { ...base, Checksum: 0n };
    cp.Checksum = BigInt(structChecksum(cp, MEMORY_V1, rename(MEMORY_V1)));
    return encodeGo(cp, MEMORY_V1);
  }
  if (format === "v2") {
    const cp = {
      ...base,
      PodEntries: podEntriesValue(state),
      Checksum: 0n,
    };
    cp.Checksum = BigInt(structChecksum(cp, MEMORY_V2, rename(MEMORY_V2)));
    return encodeGo(cp, MEMORY_V2);
  }
  const pods = (options.podEntries ?? true) ? podEntriesValue(state) : new Map();
  const text = encodeGo({ ...base, PodEntries: pods }, MEMORY_DATA);
  // The top level is a V1 checkpoint with a legacy checksum, which older kubelets verify and read.
  const v1 = { ...base, Checksum: 0n };
  v1.Checksum = BigInt(structChecksum(v1, MEMORY_V1, rename(MEMORY_V1)));
  return encodeGo({ ...v1, Data: text, DataChecksum: BigInt(dataChecksum(text)) }, MEMORY_V3);
}

/** The content the kubelet of `settings` writes for `state`. */
export function writeMemoryCheckpoint(state: MemoryStateData, settings: CheckpointSettings): string {
  return encodeMemoryCheckpoint(state, memoryWriteFormat(settings), {
    podEntries: settings.gates.PodLevelResourceManagers,
  });
}
