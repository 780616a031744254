/**
 * 32-bit FNV-1a (`hash/fnv.New32a` in Go) over the UTF-8 bytes of a string. Every kubelet
 * checkpoint checksum is this hash of some text (checkpoints.md §2).
 */
const OFFSET_BASIS = 0x811c9dc5;
const PRIME = 0x01000193;

export function fnv1a32(input: string | Uint8Array): number {
  const bytes = typeof input === "string" ? Buffer.from(input, "utf8") : input;
  let h = OFFSET_BASIS;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, PRIME) >>> 0;
  }
  return h >>> 0;
}

/**
 * FNV-1a-32 fed piece by piece, so a long dump (a CPU set of four million ids) is hashed as it is
 * produced instead of being built as text first. `hash` equals `fnv1a32` of the concatenation.
 */
export class Fnv1a32 {
  private h = OFFSET_BASIS;
  private readonly digits = new Uint8Array(20);

  push(text: string): void {
    let h = this.h;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) {
        // Non-ASCII: the UTF-8 bytes of the rest, as Buffer.from(text, "utf8") gives them.
        this.h = h;
        this.bytes(Buffer.from(text.slice(i), "utf8"));
        return;
      }
      h ^= c;
      h = Math.imul(h, PRIME) >>> 0;
    }
    this.h = h;
  }

  bytes(b: Uint8Array): void {
    let h = this.h;
    for (let i = 0; i < b.length; i++) {
      h ^= b[i];
      h = Math.imul(h, PRIME) >>> 0;
    }
    this.h = h;
  }

  /** The decimal digits of a non-negative safe integer. */
  uint(n: number): void {
    const d = this.digits;
    let len = 0;
    do {
      d[len++] = 48 + (n % 10);
      n = Math.floor(n / 10);
    } while (n > 0);
    let h = this.h;
    while (len > 0) {
      h ^= d[--len];
      h = Math.imul(h, PRIME) >>> 0;
    }
    this.h = h;
  }

  /**
   * `from`, `from+1`, …, `to` in decimal, each followed by `suffix` and separated by `sep` (ASCII),
   * with the digits counted up in place rather than formatted per number.
   */
  uintRun(from: number, to: number, suffix: string, sep: string): void {
    if (to < from) return;
    const suf = Buffer.from(suffix, "latin1");
    const sp = Buffer.from(sep, "latin1");
    const d = Array.from(String(from), (c) => c.charCodeAt(0));
    let h = this.h;
    for (let id = from; ; id++) {
      for (let i = 0; i < d.length; i++) {
        h ^= d[i];
        h = Math.imul(h, PRIME) >>> 0;
      }
      for (let i = 0; i < suf.length; i++) {
        h ^= suf[i];
        h = Math.imul(h, PRIME) >>> 0;
      }
      if (id === to) break;
      for (let i = 0; i < sp.length; i++) {
        h ^= sp[i];
        h = Math.imul(h, PRIME) >>> 0;
      }
      let k = d.length - 1;
      while (k >= 0 && d[k] === 57) d[k--] = 48;
      if (k < 0) d.unshift(49);
      else d[k]++;
    }
    this.h = h;
  }

  get hash(): number {
    return this.h >>> 0;
  }
}
