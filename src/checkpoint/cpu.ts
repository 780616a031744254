/**
 * The CPU Manager's checkpoint file, `cpu_manager_state` (checkpoints.md §3): reading every
 * version with the kubelet's load order, verification, migration and restore errors, and writing
 * the version the Kubernetes version and gates select, byte for byte as the kubelet does.
 */
import { CPUSet } from "../core/index.js";
import { dataChecksum, structChecksum } from "./checksum.js";
import { CORRUPTED, CPU_CHECKPOINT_FILE, DEFAULT_STATE_DIR, limitError, restoreError } from "./errors.js";
import {
  CheckpointLimitError,
  MAX_CONTAINERS_PER_POD,
  MAX_PODS,
  checkCount,
  checkId,
  checkSize,
  withCPUBudget,
} from "./limits.js";
import { parseGoCPUSet } from "./gocpuset.js";
import { encodeGo, unmarshalInto } from "./gojson.js";
import { hasMember } from "./gojson-parse.js";
import { compareGoStrings, goQuote, plural } from "./gostring.js";
import type { GoMap, GoStruct, GoType, GoValue } from "./gotype.js";
import {
  CPU_DATA,
  CPU_V1,
  CPU_V2,
  CPU_V3,
  CPU_V4,
  CPU_V4_DATA_ONLY,
  HISTORICAL_CPU_NAME,
  cpusetOf,
  cpusetValue,
  newCPUData,
  newCPUV1,
  newCPUV2,
  newCPUV3,
  newCPUV4,
  newCPUV4DataOnly,
} from "./kubelet-types.js";
import { type CheckpointSettings, type ParsedText, type ReadOptions, parseOnce } from "./settings.js";
import type { CPUStateData } from "../managers/cpu/index.js";

/**
 * `v4-data-only` is the earlier V4 iteration `{"data": "<json>", "checksum": N}` that the kubelet's
 * state tests use; `v4` is the dual layout the kubelet writes (podlevel README, disagreement 3).
 */
export type CPUCheckpointFormat = "none" | "v1" | "v2" | "v3" | "v4" | "v4-data-only";
export type CPUWriteFormat = "v2" | "v3" | "v4";

/** Container ID -> the pod and container it belongs to (`containermap.ContainerMap`), for V1 files. */
export type InitialContainers = ReadonlyMap<string, { podUID: string; containerName: string }>;

export interface CPUReadOptions extends ReadOptions {
  initialContainers?: InitialContainers;
}

export interface CPUReadResult {
  state: CPUStateData;
  format: CPUCheckpointFormat;
  /** Accepted quirks a `checkpoint verify` should report (checkpoints.md §2.1 "Damaged files"). */
  warnings: string[];
}

/** What a successful load hands to restore: the newest checkpoint data, migrated. */
interface Loaded {
  format: CPUCheckpointFormat;
  policyName: string;
  defaultCpuSet: string;
  entries: GoMap | null;
  podEntries: GoMap | null;
}

type Load = { ok: true; cp: Loaded } | { ok: false; error: string; final?: boolean };

interface LoadContext {
  parsed: ParsedText;
  gateOn: boolean;
  ignoreChecksums: boolean;
  initialContainers: InitialContainers;
  warnings: string[];
}

function unmarshal(p: ParsedText, t: GoType & { kind: "struct" }, target: GoStruct): string | null {
  return "syntaxError" in p ? p.syntaxError : withCPUBudget(() => unmarshalInto(p.node, t, target));
}

/** A checksum that does not verify: an error, or a warning under `ignoreChecksums`. */
function mismatch(ctx: LoadContext, what: string, stored: bigint, computed: number): string | null {
  if (!ctx.ignoreChecksums) return CORRUPTED;
  ctx.warnings.push(`${what} ${stored} does not match the content (computed ${computed}); accepted as asked`);
  return null;
}

function loaded(format: CPUCheckpointFormat, cp: GoStruct): Loaded {
  return {
    format,
    policyName: cp.PolicyName as string,
    defaultCpuSet: cp.DefaultCPUSet as string,
    entries: cp.Entries as GoMap | null,
    podEntries: (cp.PodEntries as GoMap | null | undefined) ?? null,
  };
}

/** The earlier V4 layout has `data` and none of the dual layout's other members. */
function isDataOnlyLayout(p: ParsedText): boolean {
  if ("syntaxError" in p) return false;
  const n = p.node;
  return (
    hasMember(n, "data") &&
    !hasMember(n, "dataChecksum") &&
    !hasMember(n, "policyName") &&
    !hasMember(n, "defaultCpuSet")
  );
}

function loadV4(ctx: LoadContext): Load {
  if (isDataOnlyLayout(ctx.parsed)) return loadV4DataOnly(ctx);
  const cp = newCPUV4();
  let err = unmarshal(ctx.parsed, CPU_V4, cp);
  if (err !== null) err = `failed to deserialize cpu manager checkpoint: ${err}`;
  const data = newCPUData();
  if (err === null) {
    const e = withCPUBudget(() => unmarshalInto(cp.Data as string, CPU_DATA, data));
    if (e !== null) err = `failed to deserialize cpu manager checkpoint data: ${e}`;
  }
  if (err === null) {
    const computed = dataChecksum(cp.Data as string);
    if (BigInt(computed) !== cp.DataChecksum)
      err = mismatch(ctx, "dataChecksum", cp.DataChecksum as bigint, computed);
  }
  if (err === null) {
    warnDualLayout(ctx, cp, data);
    return { ok: true, cp: loaded("v4", data) };
  }
  if ((cp.Data as string).length > 0 || cp.DataChecksum !== 0n) {
    // A V4 file that fails is never read as an older version (checkpoints.md §3.5).
    return { ok: false, error: `could not load v4 checkpoint: ${err}`, final: true };
  }
  return loadV3(ctx);
}

function warnDualLayout(ctx: LoadContext, cp: GoStruct, data: GoStruct): void {
  if (cp.Checksum !== 0n) {
    ctx.warnings.push(
      `top-level checksum is ${cp.Checksum}, not 0: ignored (only dataChecksum over data is verified), but kubelets older than 1.37 verify it and will refuse this file`,
    );
  }
  const inline = {
    PolicyName: cp.PolicyName,
    DefaultCPUSet: cp.DefaultCPUSet,
    Entries: cp.Entries,
    PodEntries: cp.PodEntries,
  };
  if (encodeGo(inline, CPU_DATA) !== encodeGo(data, CPU_DATA)) {
    ctx.warnings.push(
      "the top-level copy of the state differs from data: kubelets older than 1.37 restore the top-level copy",
    );
  }
}

function loadV4DataOnly(ctx: LoadContext): Load {
  const cp = newCPUV4DataOnly();
  let err = unmarshal(ctx.parsed, CPU_V4_DATA_ONLY, cp);
  const data = newCPUData();
  if (err === null) err = withCPUBudget(() => unmarshalInto(cp.Data as string, CPU_DATA, data));
  if (err === null) {
    const computed = dataChecksum(cp.Data as string);
    if (BigInt(computed) !== cp.Checksum) err = mismatch(ctx, "checksum", cp.Checksum as bigint, computed);
  }
  if (err === null) return { ok: true, cp: loaded("v4-data-only", data) };
  // This layout falls back to the older versions even with `data` present: the kubelet's test
  // "Fail to restore checkpoint without checksum section (fall back to empty v2 version)".
  return loadV3(ctx);
}

function loadV3(ctx: LoadContext): Load {
  const cp = newCPUV3();
  let err = unmarshal(ctx.parsed, CPU_V3, cp);
  if (err === null) {
    // The kubelet tries the plain form (type name `CPUManagerCheckpointV3`), then the historical
    // name; either verifies. The historical one, which kubelets write, is computed first and the
    // second dump only when it does not verify (each walks every id of the pod bubbles).
    const historical = structChecksum(cp, CPU_V3, {
      from: "CPUManagerCheckpointV3",
      to: HISTORICAL_CPU_NAME,
    });
    if (BigInt(historical) !== cp.Checksum && BigInt(structChecksum(cp, CPU_V3)) !== cp.Checksum)
      err = mismatch(ctx, "checksum", cp.Checksum as bigint, historical);
  }
  if (err === null) return { ok: true, cp: loaded("v3", cp) };
  return loadV2(ctx);
}

function loadV2(ctx: LoadContext): Load {
  const cp = newCPUV2();
  let err = unmarshal(ctx.parsed, CPU_V2, cp);
  if (err === null) {
    if (cp.Checksum === 0n) {
      ctx.warnings.push(
        "checksum is 0: accepted without verification (compatibility with the old file backend)",
      );
    } else {
      const historical = structChecksum(cp, CPU_V2, {
        from: "CPUManagerCheckpointV2",
        to: HISTORICAL_CPU_NAME,
      });
      const plain = structChecksum(cp, CPU_V2);
      if (BigInt(historical) === cp.Checksum) {
        // verified
      } else if (!ctx.gateOn && BigInt(plain) === cp.Checksum) {
        ctx.warnings.push(
          "checksum was computed with the interim type name CPUManagerCheckpointV2: kubelets with PodLevelResourceManagers on refuse this file",
        );
      } else err = mismatch(ctx, "checksum", cp.Checksum as bigint, historical);
    }
  }
  if (err === null) return { ok: true, cp: loaded("v2", cp) };
  const v1 = loadV1(ctx);
  // OPEN CK-3 (checkpoints.md §8) yields to the data: the kubelet's test "Restore checkpoint from
  // checkpoint with v1 checksum" still restores a V1 file, so V1 is the last resort. When V1 fails
  // too, the V2 error is reported: it is the one that describes a file of the current era.
  if (v1.ok || v1.final) return v1;
  return { ok: false, error: err };
}

function loadV1(ctx: LoadContext): Load {
  const cp = newCPUV1();
  let err = unmarshal(ctx.parsed, CPU_V1, cp);
  if (err === null && cp.Checksum !== 0n) {
    const historical = structChecksum(cp, CPU_V1, {
      from: "CPUManagerCheckpointV1",
      to: HISTORICAL_CPU_NAME,
    });
    if (BigInt(historical) !== cp.Checksum)
      err = mismatch(ctx, "checksum", cp.Checksum as bigint, historical);
  }
  if (err !== null) return { ok: false, error: err };
  const entries: GoMap = new Map();
  const v1Entries = (cp.Entries as GoMap | null) ?? new Map();
  for (const containerID of sortedKeys(v1Entries)) {
    const ref = ctx.initialContainers.get(containerID as string);
    if (!ref) {
      return {
        ok: false,
        final: true,
        error: `failed to migrate checkpoint from v1 to v2: containerID '${containerID}' not found in initial containers list`,
      };
    }
    let pod = entries.get(ref.podUID) as GoMap | undefined;
    if (!pod) entries.set(ref.podUID, (pod = new Map()));
    pod.set(ref.containerName, v1Entries.get(containerID)!);
  }
  ctx.warnings.push(
    "CPU Manager V1 checkpoint (entries keyed by container ID) migrated to the current format",
  );
  return { ok: true, cp: { ...loaded("v1", cp), entries } };
}

function sortedKeys(m: GoMap): Array<string | bigint> {
  return [...m.keys()].sort((a, b) => compareGoStrings(String(a), String(b)));
}

/** podpin's bounds on what a file holds (docs/limits.md): counts and identifier lengths. */
function checkBounds(cp: Loaded): void {
  const raw = cp.entries ?? new Map();
  const pods = cp.podEntries ?? new Map();
  checkCount("pods in entries", raw.size, MAX_PODS);
  checkCount("pods in podEntries", pods.size, MAX_PODS);
  checkId("policy name", cp.policyName);
  for (const [pod, containers] of raw) {
    checkId("pod UID", String(pod));
    const m = (containers as GoMap | null) ?? new Map();
    checkCount(`containers in pod ${String(pod)}`, m.size, MAX_CONTAINERS_PER_POD);
    for (const name of m.keys()) checkId("container name", String(name));
  }
  for (const pod of pods.keys()) checkId("pod UID", String(pod));
}

function restore(cp: Loaded, opts: CPUReadOptions, warnings: string[]): CPUStateData | string {
  checkBounds(cp);
  return withCPUBudget(() => restoreChecked(cp, opts, warnings));
}

function restoreChecked(cp: Loaded, opts: CPUReadOptions, warnings: string[]): CPUStateData | string {
  if (opts.configuredPolicy !== cp.policyName) {
    return `configured policy ${goQuote(opts.configuredPolicy)} differs from state checkpoint policy ${goQuote(cp.policyName)}`;
  }
  const def = parseGoCPUSet(cp.defaultCpuSet);
  if ("error" in def) return `could not parse default cpu set ${goQuote(cp.defaultCpuSet)}: ${def.error}`;
  const entries = new Map<string, Map<string, CPUSet>>();
  const raw = cp.entries ?? new Map();
  // The kubelet walks Go maps in random order; ascending order makes the first error stable.
  for (const pod of sortedKeys(raw) as string[]) {
    const containers = (raw.get(pod) as GoMap | null) ?? new Map();
    const out = new Map<string, CPUSet>();
    for (const name of sortedKeys(containers) as string[]) {
      const text = containers.get(name) as string;
      const set = parseGoCPUSet(text);
      if ("error" in set) {
        return `could not parse cpuset ${goQuote(text)} for container ${goQuote(name)} in pod ${goQuote(pod)}: ${set.error}`;
      }
      out.set(name, set.set);
    }
    entries.set(pod, out);
  }
  const podEntries = new Map<string, CPUSet>();
  const rawPods = cp.podEntries ?? new Map();
  if (opts.gates.PodLevelResourceManagers) {
    for (const pod of sortedKeys(rawPods) as string[]) {
      podEntries.set(pod, cpusetOf((rawPods.get(pod) as GoStruct).CPUSet));
    }
  } else if (rawPods.size > 0) {
    warnings.push(
      `${plural(rawPods.size, "pod-level entry", "pod-level entries")} ignored: PodLevelResourceManagers is off`,
    );
  }
  return { policyName: cp.policyName, defaultCpuSet: def.set, entries, podEntries };
}

/** A CPU V1 file (container-ID keys) is refused by the current load order; say why (CK-3). */
function v1Hint(p: ParsedText): string | null {
  if ("syntaxError" in p || p.node.t !== "object") return null;
  const entries = p.node.members.find(([k]) => k.toLowerCase() === "entries")?.[1];
  if (entries?.t !== "object" || !entries.members.some(([, v]) => v.t === "string")) return null;
  return "this is a CPU Manager V1 checkpoint (entries keyed by container ID): only a kubelet that still runs the containers can migrate it (pass their IDs as initial containers), otherwise drain the node and delete the file";
}

/**
 * Restores CPU Manager state from the text of `cpu_manager_state` (`null`: there is no file, and
 * the state starts empty). Throws `CheckpointError` with the kubelet's message when the kubelet
 * would refuse to start.
 */
export function readCPUCheckpoint(text: string | null, opts: CPUReadOptions): CPUReadResult {
  const path = opts.path ?? `${DEFAULT_STATE_DIR}/${CPU_CHECKPOINT_FILE}`;
  try {
    if (text !== null) checkSize(Buffer.byteLength(text, "utf8"));
    const result = readCPUCheckpointUnbounded(text, opts, path);
    if (text !== null) result.warnings.push(...sharedCPUWarnings(result.state));
    return result;
  } catch (err) {
    if (err instanceof CheckpointLimitError) throw limitError("cpu", path, err);
    throw err;
  }
}

/**
 * Two pods holding the same CPU: the kubelet's `validateState` checks container sets only
 * against the default set, so it starts with such a file; the pods would share CPUs each was
 * promised exclusively.
 */
function sharedCPUWarnings(s: CPUStateData): string[] {
  const sets = new Map<string, CPUSet>();
  for (const pod of new Set<string>([...s.entries.keys(), ...s.podEntries.keys()])) {
    const own = [...(s.entries.get(pod)?.values() ?? [])];
    const bubble = s.podEntries.get(pod);
    if (bubble) own.push(bubble);
    sets.set(pod, CPUSet.empty.union(...own));
  }
  // A sweep over every pod's runs, by start: linear in the runs, not in pods × CPUs.
  const runs: Array<[number, number, string]> = [];
  for (const [pod, set] of sets) for (const [a, b] of set.ranges()) runs.push([a, b, pod]);
  runs.sort((x, y) => x[0] - y[0] || x[1] - y[1] || compareGoStrings(x[2], y[2]));
  const pairs = new Map<string, [string, string]>();
  let reach: [number, string] | null = null;
  for (const [a, b, pod] of runs) {
    if (reach && a <= reach[0] && reach[1] !== pod && pairs.size < 10) {
      const pair: [string, string] = [reach[1], pod].sort(compareGoStrings) as [string, string];
      pairs.set(pair.join("\u0000"), pair);
    }
    if (!reach || b > reach[0]) reach = [b, pod];
  }
  return [...pairs.values()].map(
    ([p, q]) =>
      `pods ${p} and ${q} both hold CPUs ${sets.get(p)!.intersect(sets.get(q)!)}: the kubelet does not check this at start-up and starts with the CPUs shared`,
  );
}

function readCPUCheckpointUnbounded(text: string | null, opts: CPUReadOptions, path: string): CPUReadResult {
  const warnings: string[] = [];
  if (text === null) {
    const state = {
      policyName: opts.configuredPolicy,
      defaultCpuSet: CPUSet.empty,
      entries: new Map(),
      podEntries: new Map(),
    };
    return { state, format: "none", warnings };
  }
  const gateOn = opts.gates.PodLevelResourceManagers;
  const parsed = parseOnce(text);
  const ctx: LoadContext = {
    parsed,
    gateOn,
    ignoreChecksums: opts.ignoreChecksums ?? false,
    initialContainers: opts.initialContainers ?? new Map(),
    warnings,
  };
  const load = opts.version === "1.37" ? loadV4(ctx) : gateOn ? loadV3(ctx) : loadV2(ctx);
  if (!load.ok) throw restoreError("cpu", path, load.error, v1Hint(ctx.parsed));
  if (opts.version === "1.36" && "node" in parsed && hasMember(parsed.node, "data")) {
    warnings.push(
      "a 1.37 (V4) checkpoint read as 1.36 reads it: the top-level copy is restored and pod entries are lost",
    );
  }
  if (load.cp.format === "v4-data-only") {
    warnings.push(
      'V4 checkpoint in the earlier {"data", "checksum"} layout; the kubelet now writes the dual-checksum layout',
    );
  }
  const state = restore(load.cp, opts, warnings);
  if (typeof state === "string") throw restoreError("cpu", path, state);
  return { state, format: load.cp.format, warnings };
}

// ---- writing ----

/** 1.36: V2 with the gate off, V3 with it on; 1.37: V4 (README.md version table). */
export function cpuWriteFormat(settings: CheckpointSettings): CPUWriteFormat {
  if (settings.version === "1.37") return "v4";
  return settings.gates.PodLevelResourceManagers ? "v3" : "v2";
}

function entriesValue(state: CPUStateData): GoMap {
  const entries: GoMap = new Map();
  for (const [pod, containers] of state.entries) {
    const m: GoMap = new Map();
    for (const [name, set] of containers) m.set(name, set.toString());
    entries.set(pod, m);
  }
  return entries;
}

function podEntriesValue(state: CPUStateData): GoMap {
  const pods: GoMap = new Map();
  for (const [pod, set] of state.podEntries) pods.set(pod, { CPUSet: cpusetValue(set) } as GoValue);
  return pods;
}

/**
 * The file content in `format`. Pod entries are written in V3, and in V4 when `podEntries` is set
 * (the kubelet writes them only with PodLevelResourceManagers on).
 */
export function encodeCPUCheckpoint(state: CPUStateData, format: CPUWriteFormat, podEntries = true): string {
  const base: GoStruct = {
    PolicyName: state.policyName,
    DefaultCPUSet: state.defaultCpuSet.toString(),
    Entries: entriesValue(state),
  };
  if (format === "v2") {
    const cp = { ...base, Checksum: 0n };
    cp.Checksum = BigInt(
      structChecksum(cp, CPU_V2, { from: "CPUManagerCheckpointV2", to: HISTORICAL_CPU_NAME }),
    );
    return encodeGo(cp, CPU_V2);
  }
  if (format === "v3") {
    const cp = { ...base, PodEntries: podEntriesValue(state), Checksum: 0n };
    cp.Checksum = BigInt(
      structChecksum(cp, CPU_V3, { from: "CPUManagerCheckpointV3", to: HISTORICAL_CPU_NAME }),
    );
    return encodeGo(cp, CPU_V3);
  }
  const data: GoStruct = { ...base, PodEntries: podEntries ? podEntriesValue(state) : new Map() };
  const text = encodeGo(data, CPU_DATA);
  // The top level repeats the data for older kubelets with checksum 0, which they accept.
  return encodeGo({ ...data, Checksum: 0n, Data: text, DataChecksum: BigInt(dataChecksum(text)) }, CPU_V4);
}

/** The content the kubelet of `settings` writes for `state`. */
export function writeCPUCheckpoint(state: CPUStateData, settings: CheckpointSettings): string {
  return encodeCPUCheckpoint(state, cpuWriteFormat(settings), settings.gates.PodLevelResourceManagers);
}
