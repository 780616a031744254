/**
 * The kubelet's checkpoint checksums (checkpoints.md §2).
 * - `checksum.New(x)`: FNV-1a-32 over go-spew's dump of `x`.
 * - Legacy versions hash `&checkpoint` with `checksum` = 0 and, for the versioned type names, the
 *   first occurrence of the name replaced by the historical one so older kubelets agree.
 * - Dual-checksum versions hash the `data` string: the dump of a Go string is `(string)` + text.
 *
 * The dump is streamed into the hash (`spewInto`), never built as one string: its length grows
 * with the number of CPU ids in a set, which the file may give as one short range.
 */
import { Fnv1a32, fnv1a32 } from "./fnv.js";
import { spewForHash, spewInto } from "./spew.js";
import { type GoStruct, type GoType, type SpewSink, goPtr } from "./gotype.js";

/** Replaces the first occurrence of `from` when it lies in the first piece (the top type label). */
class RenamingSink implements SpewSink {
  first = true;
  missed = false;
  constructor(
    readonly inner: Fnv1a32,
    readonly rename: { from: string; to: string },
  ) {}
  push(text: string): void {
    if (this.first) {
      this.first = false;
      if (text.includes(this.rename.from)) text = text.replace(this.rename.from, this.rename.to);
      else this.missed = true;
    }
    this.inner.push(text);
  }
  uint(n: number): void {
    if (this.first) {
      this.first = false;
      this.missed = true;
    }
    this.inner.uint(n);
  }
  uintRun(from: number, to: number, suffix: string, sep: string): void {
    this.uint(from);
    this.inner.push(suffix);
    if (to > from) {
      this.inner.push(sep);
      this.inner.uintRun(from + 1, to, suffix, sep);
    }
  }
}

/** `checksum.New(&cp)` with the checksum field zeroed, optionally renaming the struct's type. */
export function structChecksum(
  cp: GoStruct,
  t: GoType & { kind: "struct" },
  rename?: { from: string; to: string },
): number {
  const zeroed: GoStruct = { ...cp, Checksum: 0n };
  const hash = new Fnv1a32();
  if (!rename) {
    spewInto(hash, zeroed, goPtr(t));
    return hash.hash;
  }
  const sink = new RenamingSink(hash, rename);
  spewInto(sink, zeroed, goPtr(t));
  if (!sink.missed) return hash.hash;
  // The name first appears later in the dump: replace it in the text (never the case for the
  // checkpoint types, whose dump starts with the renamed type's label).
  return fnv1a32(spewForHash(zeroed, goPtr(t)).replace(rename.from, rename.to));
}

/** `checksum.New(data)` for the `data` string of CPU V4 / memory V3. */
export function dataChecksum(data: string): number {
  return fnv1a32(`(string)${data}`);
}
