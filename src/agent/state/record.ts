/**
 * `podpin_agent_state`: podpin's own record beside the kubelet's checkpoints, and the write-ahead
 * log that keeps the directory consistent across a crash. It carries what the kubelet's files do
 * not (each admitted pod's object as it was sent, in admission order; the device lists the
 * plugins reported; the Device Manager's in-use sets) and, per checkpoint file, the hash of the
 * content of this generation, the hashes of the versions that may still be on disk from earlier
 * ones, and, when there are such versions, the content itself, so that a start after a crash can
 * finish the interrupted write.
 *
 * Layout: `{"apiVersion":"podpin/v1","kind":"PodpinAgentState","data":"<JSON>","dataChecksum":"sha256:<hex>"}`
 * where the checksum covers the exact bytes of `data` (the scheme of the kubelet's V4 files, with
 * a cryptographic hash: the record is podpin's alone).
 */
import { z } from "zod";
import type { DeviceSpec } from "../../machine/index.js";
import { type CheckpointFileName, contentHash } from "./files.js";
import { StateDirError, quoted } from "./errors.js";

export const RECORD_API_VERSION = "podpin/v1";
export const RECORD_KIND = "PodpinAgentState";
/** podpin reads no larger record (about 1,000 times what a full node's pods take). */
export const MAX_RECORD_BYTES = 128 * 1024 * 1024;

export interface RecordedFile {
  /** The content's hash in this generation. */
  hash: string;
  /** Hashes of the versions that may still be on disk (null: no file). */
  previous: (string | null)[];
  /** This generation's content, when `previous` is not empty (to finish an interrupted write). */
  content?: string;
}

/** A pod the record knows by its object, or (restored from a kubelet's files) by its state only. */
export type RecordedPod =
  | { uid: string; object: unknown }
  | { uid: string; fromCheckpoints: { name: string; namespace: string; containers: string[] } };

export interface StateRecord {
  generation: number;
  /** The configuration the files were written for (informational). */
  kubernetesVersion: string;
  podLevelResourceManagers: boolean;
  files: Record<CheckpointFileName, RecordedFile>;
  /** Admitted pods in admission order. */
  pods: RecordedPod[];
  /** The last device list of each resource a plugin reported (replacing the machine's). */
  devices: Record<string, DeviceSpec[]>;
  /** The Device Manager's in-use sets (they can differ from its records until the next purge). */
  devicesInUse: Record<string, string[]>;
}

const hash = z.string().regex(/^sha256:[0-9a-f]{64}$/, "a sha256:<hex> hash");
const fileSchema = z.strictObject({
  hash,
  previous: z.array(hash.nullable()),
  content: z.string().optional(),
});
const podSchema = z.union([
  z.strictObject({ uid: z.string().min(1), object: z.unknown() }),
  z.strictObject({
    uid: z.string().min(1),
    fromCheckpoints: z.strictObject({
      name: z.string(),
      namespace: z.string(),
      containers: z.array(z.string()),
    }),
  }),
]);
const deviceSchema = z.strictObject({
  id: z.string().min(1),
  numaNodes: z.array(z.number().int().min(0)).nullable(),
  healthy: z.boolean(),
});
const bodySchema = z.strictObject({
  generation: z.number().int().min(1),
  kubernetesVersion: z.string(),
  podLevelResourceManagers: z.boolean(),
  files: z.strictObject({
    cpu_manager_state: fileSchema,
    memory_manager_state: fileSchema,
    "device-plugins/kubelet_internal_checkpoint": fileSchema,
  }),
  pods: z.array(podSchema),
  devices: z.record(z.string(), z.array(deviceSchema)),
  devicesInUse: z.record(z.string(), z.array(z.string())),
});
const outerSchema = z.strictObject({
  apiVersion: z.literal(RECORD_API_VERSION),
  kind: z.literal(RECORD_KIND),
  data: z.string(),
  dataChecksum: hash,
});

/** JSON of values a pod object may hold (a YAML reader's bigints become numbers, or text when too large). */
export function jsonOf(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    typeof v === "bigint"
      ? v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(v)
        : v.toString()
      : v,
  );
}

export function encodeRecord(record: StateRecord): string {
  const data = jsonOf(record);
  return `${JSON.stringify({
    apiVersion: RECORD_API_VERSION,
    kind: RECORD_KIND,
    data,
    dataChecksum: contentHash(data),
  })}\n`;
}

/** What to do about an unusable record: one line, for `corrupted` errors. */
export function recordAdvice(): string {
  return "restore it from a backup, or delete it to start from the kubelet checkpoint files alone (pods are then known by UID only)";
}

function corrupted(path: string, what: string): StateDirError {
  return new StateDirError(
    `podpin agent state ${quoted(path)} is corrupted: ${what}; ${recordAdvice()}`,
    "corrupted",
    path,
  );
}

/** `files.cpu_manager_state.hash: a sha256:<hex> hash` for the first problem zod found. */
function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  const where = issue.path.map(String).join(".");
  return `${where === "" ? "" : `${where}: `}${issue.message}`;
}

/** The record in `text` (the file at `path`); a `StateDirError` naming the file when it is unusable. */
export function decodeRecord(text: string, path: string): StateRecord {
  if (text.length === 0) throw corrupted(path, "the file is empty");
  let outer: unknown;
  try {
    outer = JSON.parse(text);
  } catch (err) {
    throw corrupted(path, `not JSON (${(err as Error).message})`);
  }
  const o = outerSchema.safeParse(outer);
  if (!o.success) throw corrupted(path, firstIssue(o.error));
  const actual = contentHash(o.data.data);
  if (actual !== o.data.dataChecksum)
    throw corrupted(path, `dataChecksum ${o.data.dataChecksum} does not match its data (${actual})`);
  let body: unknown;
  try {
    body = JSON.parse(o.data.data);
  } catch (err) {
    throw corrupted(path, `data is not JSON (${(err as Error).message})`);
  }
  const b = bodySchema.safeParse(body);
  if (!b.success) throw corrupted(path, `data: ${firstIssue(b.error)}`);
  for (const [name, f] of Object.entries(b.data.files))
    if (f.previous.length > 0 && f.content === undefined)
      throw corrupted(path, `data: files.${name}: content missing for a file with earlier versions`);
  return b.data as StateRecord;
}
