import { createHash } from "node:crypto";

/**
 * The UUID namespace of podpin's generated pod UIDs (a fixed, arbitrary version-4 UUID). Changing it
 * would change every generated UID, and with them the keys of saved checkpoints.
 */
const PODPIN_POD_UID_NAMESPACE = "3f8a2c1e-5b7d-4e96-9c0a-6d2b8e4f1a73";

function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replace(/-/g, ""), "hex");
}

/**
 * A deterministic pod UID for a manifest without `metadata.uid`: the RFC 4122 version-5 (SHA-1,
 * name-based) UUID of `<namespace>/<name>` in podpin's namespace. The same pod always gets the same
 * UID, on every run and machine, and distinct pods get distinct ones.
 */
export function podUIDFor(namespace: string, name: string): string {
  const hash = createHash("sha1")
    .update(uuidBytes(PODPIN_POD_UID_NAMESPACE))
    .update(`${namespace}/${name}`, "utf8")
    .digest();
  const b = hash.subarray(0, 16);
  b[6] = (b[6] & 0x0f) | 0x50;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = b.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
