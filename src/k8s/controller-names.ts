import { createHash } from "node:crypto";
import { dns1123SubdomainProblems } from "./name-validation.js";
import { podUIDFor } from "./uid.js";

/**
 * Names and UIDs shaped like the ones Kubernetes' controllers and the API server give the pods they
 * create, made deterministic (podpin reads no clock and no random source):
 * - `generateName`: the API server's `SimpleNameGenerator` truncates the base to 58 characters and
 *   appends 5 characters from apimachinery's vowel-free alphabet; podpin derives the 5 characters
 *   from the base and the pod's index instead of a random source;
 * - `pod-template-hash`: the deployment controller's `ComputeHash` — 32-bit FNV-1a, then
 *   `collisionCount` as 8 little-endian bytes when set, then `SafeEncodeString` of the decimal sum.
 *   The controller hashes go-spew's dump of the defaulted Go struct, whose text depends on every
 *   field of one release's PodTemplateSpec; podpin hashes the template as written (keys sorted), so
 *   the hash has the controller's shape and behaviour (same template, same hash; any change, a new
 *   one) but not its value.
 */

/** apimachinery `util/rand`'s alphabet: no vowels, no 0, 1 or 3, so no words are formed. */
const ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789";
const RANDOM_LENGTH = 5;
const MAX_NAME_LENGTH = 63;
/** `names.MaxGeneratedNameLength`. */
export const MAX_GENERATED_NAME_LENGTH = MAX_NAME_LENGTH - RANDOM_LENGTH;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** Go `hash/fnv.New32a` over `bytes`, continuing from `h`. */
function fnv1a32(bytes: Uint8Array, h = FNV_OFFSET): number {
  let out = h;
  for (const b of bytes) {
    out ^= b;
    out = Math.imul(out, FNV_PRIME) >>> 0;
  }
  return out >>> 0;
}

/** apimachinery `rand.SafeEncodeString`: each character mapped onto the alphabet by its code. */
export function safeEncodeString(s: string): string {
  let out = "";
  for (const ch of s) out += ALPHANUMS[(ch.codePointAt(0) ?? 0) % ALPHANUMS.length];
  return out;
}

/** JSON with object keys sorted, so the same template always gives the same text. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(",")}}`;
  }
  if (typeof value === "bigint") return value.toString();
  return JSON.stringify(value ?? null);
}

/** The deployment controller's `ComputeHash(template, collisionCount)` (see the file comment). */
export function podTemplateHash(template: unknown, collisionCount?: number): string {
  let h = fnv1a32(Buffer.from(stableStringify(template), "utf8"));
  if (collisionCount !== undefined) {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv1a32(bytes, h);
  }
  return safeEncodeString(String(h));
}

/**
 * Five characters of the alphabet for the `index`-th pod generated from `base` (and the `attempt`-th
 * try, after a clash), from a SHA-256 of the three: stable across runs, spread like random ones.
 */
export function randomSuffix(base: string, index: number, attempt = 0): string {
  const digest = createHash("sha256").update(`${base}\u0000${index}\u0000${attempt}`).digest();
  let out = "";
  for (let i = 0; i < RANDOM_LENGTH; i++) out += ALPHANUMS[digest[i] % ALPHANUMS.length];
  return out;
}

/** `SimpleNameGenerator.GenerateName`: the base truncated to 58 characters, then the suffix. */
export function generatedName(base: string, suffix: string): string {
  return `${base.slice(0, MAX_GENERATED_NAME_LENGTH)}${suffix}`;
}

/**
 * `getPodsPrefix` of the ReplicaSet, DaemonSet and Job controllers: `<name>-`, or the bare name when
 * that is not a valid generateName prefix.
 */
export function podsPrefix(controllerName: string): string {
  const prefix = `${controllerName}-`;
  const masked = `${prefix.slice(0, -2)}a`;
  return prefix.length > 1 && dns1123SubdomainProblems(masked).length === 0 ? prefix : controllerName;
}

/** The Job controller's `podGenerateNameWithIndex`: `<job>-<index>-`, the job name cut to fit. */
export function indexedPodPrefix(jobName: string, index: number): string {
  const tail = `-${index}-`;
  const prefix = `${jobName}${tail}`;
  if (prefix.length <= MAX_GENERATED_NAME_LENGTH) return prefix;
  return `${prefix.slice(0, MAX_GENERATED_NAME_LENGTH - tail.length)}${tail}`;
}

/**
 * Hands out generated names without repeats: the API server refuses a generated name that is taken
 * and the controller tries again, so a clash here moves to the next attempt.
 */
export class NameGenerator {
  private readonly taken = new Set<string>();

  next(prefix: string, index: number): string {
    for (let attempt = 0; ; attempt++) {
      const name = generatedName(prefix, randomSuffix(prefix, index, attempt));
      if (!this.taken.has(name)) {
        this.taken.add(name);
        return name;
      }
    }
  }
}

/**
 * A deterministic UID for an owner object given without `metadata.uid`. The resource is part of the
 * name, which no pod name can contain (`/`), so it never equals a pod's generated UID.
 */
export function ownerUIDFor(resource: string, namespace: string, name: string): string {
  return podUIDFor(namespace, `${resource}/${name}`);
}
