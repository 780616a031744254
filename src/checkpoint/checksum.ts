/**
 * The kubelet's checkpoint checksums (checkpoints.md §2).
 * - `checksum.New(x)`: FNV-1a-32 over go-spew's dump of `x`.
 * - Legacy versions hash `&checkpoint` with `checksum` = 0 and, for the versioned type names, the
 *   first occurrence of the name replaced by the historical one so older kubelets agree.
 * - Dual-checksum versions hash the `data` string: the dump of a Go string is `(string)` + text.
 */
import { fnv1a32 } from "./fnv.js";
import { spewForHash } from "./spew.js";
import { type GoStruct, type GoType, goPtr } from "./gotype.js";

/** `checksum.New(&cp)` with the checksum field zeroed, optionally renaming the struct's type. */
export function structChecksum(
  cp: GoStruct,
  t: GoType & { kind: "struct" },
  rename?: { from: string; to: string },
): number {
  const zeroed: GoStruct = { ...cp, Checksum: 0n };
  let dump = spewForHash(zeroed, goPtr(t));
  if (rename) dump = dump.replace(rename.from, rename.to);
  return fnv1a32(dump);
}

/** `checksum.New(data)` for the `data` string of CPU V4 / memory V3. */
export function dataChecksum(data: string): number {
  return fnv1a32(`(string)${data}`);
}
