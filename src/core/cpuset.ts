/**
 * An immutable set of CPU ids, stored as a bitset of 32-bit words, with the Linux "list format"
 * (`0-3,8,10-11`) used by cpuset cgroups, the kubelet's checkpoints and its error messages.
 *
 * Every operation allocates at most one word array proportional to the largest id involved, so set
 * algebra over a 4096-CPU machine is a few hundred word operations.
 */
export class CPUSetParseError extends Error {
  override name = "CPUSetParseError";
}

/**
 * The largest CPU id podpin accepts anywhere (2^22 = 4,194,304, the checkpoint readers' cap): CPU
 * lists, machine files, sysfs and checkpoints. A set of every id up to it is 512 KiB of words.
 */
export const MAX_CPU_ID = 1 << 22;

/** The one error text for an id beyond MAX_CPU_ID (a long id is cut to 20 digits). */
export function cpuIdTooLarge(id: number | string): string {
  const s = String(id);
  return `CPU id ${s.length > 20 ? `${s.slice(0, 20)}…` : s} exceeds the largest supported CPU id ${MAX_CPU_ID}`;
}

/** `text` quoted for a one-line message, cut to its first 64 characters when longer. */
export function quoteShort(text: string): string {
  return text.length <= 64
    ? JSON.stringify(text)
    : `${JSON.stringify(text.slice(0, 64))}… (${text.length} characters)`;
}

function checkId(id: number): void {
  if (!Number.isInteger(id) || id < 0)
    throw new RangeError(`invalid CPU id ${id}: expected a non-negative integer`);
  if (id > MAX_CPU_ID) throw new RangeError(cpuIdTooLarge(id));
}

const EMPTY_WORDS = new Uint32Array(0);

function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Non-empty ranges sorted by start, overlapping and adjacent ones merged. */
function mergeRanges(ranges: readonly (readonly [number, number])[]): [number, number][] {
  const sorted = ranges.filter(([a, b]) => b >= a).sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1) {
      if (b > last[1]) last[1] = b;
    } else out.push([a, b]);
  }
  return out;
}

export class CPUSet implements Iterable<number> {
  /** Trimmed (no trailing zero word), so equal sets have equal word arrays. */
  private readonly words: Uint32Array;
  private cachedSize = -1;

  private constructor(words: Uint32Array) {
    this.words = words;
  }

  static readonly empty = new CPUSet(EMPTY_WORDS);

  static of(...ids: number[]): CPUSet {
    return CPUSet.fromIds(ids);
  }

  static fromIds(ids: Iterable<number>): CPUSet {
    let max = -1;
    const list = Array.isArray(ids) ? (ids as number[]) : [...ids];
    for (const id of list) {
      checkId(id);
      if (id > max) max = id;
    }
    if (max < 0) return CPUSet.empty;
    const words = new Uint32Array((max >>> 5) + 1);
    for (const id of list) words[id >>> 5] |= 1 << (id & 31);
    return new CPUSet(words);
  }

  /**
   * The set whose bit `i % 32` of `words[i >> 5]` stands for id `i`. The words are copied, so the
   * caller may reuse its array (the allocators build results in scratch words).
   */
  static fromWords(words: ArrayLike<number>): CPUSet {
    let n = words.length;
    while (n > 0 && words[n - 1] === 0) n--;
    if (n === 0) return CPUSet.empty;
    if (n > (MAX_CPU_ID >>> 5) + 1) throw new RangeError(cpuIdTooLarge(n * 32 - 1));
    const out = new Uint32Array(n);
    for (let i = 0; i < n; i++) out[i] = words[i];
    return new CPUSet(out);
  }

  /** The inclusive range `from..to`; empty when `to < from`. */
  static range(from: number, to: number): CPUSet {
    return CPUSet.fromRanges([[from, to]]);
  }

  /**
   * The union of inclusive ranges `[from, to]` (ids must be non-negative integers; a range with
   * `to < from` is empty; ids above MAX_CPU_ID are refused). Overlapping ranges are merged first
   * and whole words filled at once, so the cost is O(r log r) in the number of ranges plus the
   * words of the largest id, never in the number of ids.
   */
  static fromRanges(ranges: Iterable<readonly [number, number]>): CPUSet {
    const given = Array.isArray(ranges) ? (ranges as (readonly [number, number])[]) : [...ranges];
    let max = -1;
    for (const [from, to] of given) {
      if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0)
        throw new RangeError(`invalid CPU range ${from}-${to}: expected non-negative integers`);
      if (to >= from && to > max) max = to;
    }
    if (max < 0) return CPUSet.empty;
    if (max > MAX_CPU_ID) throw new RangeError(cpuIdTooLarge(max));
    const list = mergeRanges(given);
    const words = new Uint32Array((max >>> 5) + 1);
    for (const [from, to] of list) {
      const first = from >>> 5;
      const last = to >>> 5;
      const lowMask = (0xffffffff << (from & 31)) >>> 0;
      const highMask = (to & 31) === 31 ? 0xffffffff : ((1 << ((to & 31) + 1)) - 1) >>> 0;
      if (first === last) {
        words[first] |= lowMask & highMask;
        continue;
      }
      words[first] |= lowMask;
      words.fill(0xffffffff, first + 1, last);
      words[last] |= highMask;
    }
    return new CPUSet(words);
  }

  /**
   * Parses the Linux list format. Accepts ids and ranges in any order, surrounding white space and
   * the empty string; refuses anything else with a message naming `what` (a file or field).
   */
  static parse(text: string, what = "CPU list"): CPUSet {
    const trimmed = text.trim();
    if (trimmed === "") return CPUSet.empty;
    // Ranges stay pairs (never one entry per id): linear in the text plus the words of the set.
    const ranges: [number, number][] = [];
    const bad = (why: string): never => {
      throw new CPUSetParseError(`${what}: invalid CPU list ${quoteShort(text)}: ${why}`);
    };
    for (const rawPart of trimmed.split(",")) {
      const part = rawPart.trim();
      const m = /^(\d+)(?:-(\d+))?$/.exec(part);
      if (!m) return bad(`element ${quoteShort(part)} is not an id or a range "a-b"`);
      const from = Number(m[1]);
      const to = m[2] === undefined ? from : Number(m[2]);
      const tooBig = (n: number) => !Number.isSafeInteger(n) || n > MAX_CPU_ID;
      if (tooBig(from) || tooBig(to)) {
        const big = tooBig(from) ? m[1] : (m[2] as string);
        return bad(`id out of range in ${quoteShort(part)}: ${cpuIdTooLarge(big)}`);
      }
      if (to < from) return bad(`range ${quoteShort(part)} ends before it starts`);
      ranges.push([from, to]);
    }
    return CPUSet.fromRanges(ranges);
  }

  get size(): number {
    if (this.cachedSize < 0) {
      let n = 0;
      for (const w of this.words) n += popcount32(w);
      this.cachedSize = n;
    }
    return this.cachedSize;
  }

  isEmpty(): boolean {
    return this.words.length === 0;
  }

  has(id: number): boolean {
    const i = id >>> 5;
    return id >= 0 && i < this.words.length && (this.words[i] & (1 << (id & 31))) !== 0;
  }

  /**
   * Operands are trimmed, so the longest one's last word survives the OR and the result needs no
   * trimming. A union that adds nothing is this set itself (sets are immutable).
   */
  union(...others: CPUSet[]): CPUSet {
    let len = this.words.length;
    let grows = false;
    for (const o of others) {
      if (o.words.length > len) len = o.words.length;
      if (!grows && !o.isSubsetOf(this)) grows = true;
    }
    if (!grows) return this;
    if (others.length === 1 && this.isSubsetOf(others[0])) return others[0];
    const out = new Uint32Array(len);
    out.set(this.words);
    for (const o of others) for (let i = 0; i < o.words.length; i++) out[i] |= o.words[i];
    return new CPUSet(out);
  }

  intersect(other: CPUSet): CPUSet {
    const a = this.words;
    const b = other.words;
    let top = Math.min(a.length, b.length);
    while (top > 0 && (a[top - 1] & b[top - 1]) === 0) top--;
    if (top === 0) return CPUSet.empty;
    if (top === a.length && this.isSubsetOf(other)) return this;
    const out = new Uint32Array(top);
    for (let i = 0; i < top; i++) out[i] = a[i] & b[i];
    return new CPUSet(out);
  }

  /** Allocates only when some id is removed, and then exactly the words of the result. */
  difference(other: CPUSet): CPUSet {
    const a = this.words;
    const b = other.words;
    if (!this.intersects(other)) return this;
    let top = a.length;
    while (top > 0 && (a[top - 1] & ~(top - 1 < b.length ? b[top - 1] : 0)) === 0) top--;
    if (top === 0) return CPUSet.empty;
    const out = new Uint32Array(top);
    for (let i = 0; i < top; i++) out[i] = i < b.length ? a[i] & ~b[i] : a[i];
    return new CPUSet(out);
  }

  /** The size of the intersection with `other`, without building it. */
  intersectionSize(other: CPUSet): number {
    const len = Math.min(this.words.length, other.words.length);
    let n = 0;
    for (let i = 0; i < len; i++) n += popcount32(this.words[i] & other.words[i]);
    return n;
  }

  /** Number of 32-bit words of the bitset (ids below `wordCount * 32`). */
  get wordCount(): number {
    return this.words.length;
  }

  /** Word `i` of the bitset (bit `b` stands for id `32 * i + b`); 0 beyond `wordCount`. */
  wordAt(i: number): number {
    return i < this.words.length ? this.words[i] : 0;
  }

  /** Writes the words into `target` (as `fromWords` reads them), zero-filling its rest. */
  copyWordsInto(target: Uint32Array): void {
    const len = Math.min(target.length, this.words.length);
    for (let i = 0; i < len; i++) target[i] = this.words[i];
    target.fill(0, len);
  }

  intersects(other: CPUSet): boolean {
    const len = Math.min(this.words.length, other.words.length);
    for (let i = 0; i < len; i++) if ((this.words[i] & other.words[i]) !== 0) return true;
    return false;
  }

  isSubsetOf(other: CPUSet): boolean {
    for (let i = 0; i < this.words.length; i++) {
      const o = i < other.words.length ? other.words[i] : 0;
      if ((this.words[i] & ~o) !== 0) return false;
    }
    return true;
  }

  equals(other: CPUSet): boolean {
    if (this.words.length !== other.words.length) return false;
    for (let i = 0; i < this.words.length; i++) if (this.words[i] !== other.words[i]) return false;
    return true;
  }

  /** Ids in ascending order. */
  toArray(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.words.length; i++) {
      let w = this.words[i];
      while (w !== 0) {
        const low = w & -w;
        out.push(i * 32 + (31 - Math.clz32(low)));
        w ^= low;
      }
    }
    return out;
  }

  /**
   * The maximal runs of consecutive ids, ascending, as inclusive `[from, to]` pairs: linear in the
   * words of the set, with full and empty words skipped whole.
   */
  ranges(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    let start = -1;
    const words = this.words;
    for (let i = 0; i < words.length; i++) {
      const w = words[i];
      if (w === 0xffffffff) {
        if (start < 0) start = i * 32;
        continue;
      }
      if (w === 0) {
        if (start >= 0) {
          out.push([start, i * 32 - 1]);
          start = -1;
        }
        continue;
      }
      for (let b = 0; b < 32; b++) {
        const set = (w & (1 << b)) !== 0;
        if (set && start < 0) start = i * 32 + b;
        else if (!set && start >= 0) {
          out.push([start, i * 32 + b - 1]);
          start = -1;
        }
      }
    }
    if (start >= 0) out.push([start, words.length * 32 - 1]);
    return out;
  }

  [Symbol.iterator](): Iterator<number> {
    return this.toArray()[Symbol.iterator]();
  }

  /** Smallest id, or -1 for the empty set. */
  min(): number {
    for (let i = 0; i < this.words.length; i++) {
      const w = this.words[i];
      if (w !== 0) return i * 32 + (31 - Math.clz32(w & -w));
    }
    return -1;
  }

  /** Largest id, or -1 for the empty set. */
  max(): number {
    const i = this.words.length - 1;
    if (i < 0) return -1;
    return i * 32 + (31 - Math.clz32(this.words[i]));
  }

  /** The first `n` ids in ascending order. */
  takeLowest(n: number): CPUSet {
    return CPUSet.fromIds(this.toArray().slice(0, n));
  }

  filter(pred: (id: number) => boolean): CPUSet {
    return CPUSet.fromIds(this.toArray().filter(pred));
  }

  /** Linux list format: ascending runs, `a-b` for runs longer than one, joined by commas. */
  toString(): string {
    return this.ranges()
      .map(([a, b]) => (a === b ? String(a) : `${a}-${b}`))
      .join(",");
  }

  toJSON(): string {
    return this.toString();
  }
}
