import { xxhash64, xxhash64String } from "./xxhash64.js";

/*
 * The pod-set fingerprint the topology exporters publish in the `nodeTopologyPodsFingerprint`
 * attribute (github.com/k8stopologyawareschedwg/podfingerprint, version v001), so a scheduler that
 * caches NodeResourceTopology objects can tell whether the object reflects the pods it knows of.
 * A pod is its namespace and name: each is hashed (the name seeded with the namespace's hash), the
 * hashes are sorted, and the fingerprint is the hash of their little-endian bytes.
 */

export const FINGERPRINT_ATTRIBUTE = "nodeTopologyPodsFingerprint";
export const FINGERPRINT_METHOD_ATTRIBUTE = "nodeTopologyPodsFingerprintMethod";
/** Every active pod counts (the exporters' method name for it). */
export const FINGERPRINT_METHOD_ALL = "all";

const PREFIX = "pfp0";
const VERSION = "v001";

export interface PodIdentity {
  namespace: string;
  name: string;
}

/** The fingerprint of a set of pods; the order they are given in does not matter. */
export function podSetFingerprint(pods: Iterable<PodIdentity>): string {
  const hashes: bigint[] = [];
  for (const p of pods) hashes.push(xxhash64String(p.name, xxhash64String(p.namespace)));
  hashes.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const bytes = new Uint8Array(hashes.length * 8);
  const view = new DataView(bytes.buffer);
  for (const [i, h] of hashes.entries()) view.setBigUint64(i * 8, h, true);
  return PREFIX + VERSION + xxhash64(bytes).toString(16).padStart(16, "0");
}
