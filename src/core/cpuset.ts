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

const EMPTY_WORDS = new Uint32Array(0);

function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Drops trailing zero words so that equal sets have equal word arrays. */
function trim(words: Uint32Array): Uint32Array {
  let n = words.length;
  while (n > 0 && words[n - 1] === 0) n--;
  if (n === 0) return EMPTY_WORDS;
  return n === words.length ? words : words.slice(0, n);
}

export class CPUSet implements Iterable<number> {
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
      if (!Number.isInteger(id) || id < 0)
        throw new RangeError(`invalid CPU id ${id}: expected a non-negative integer`);
      if (id > max) max = id;
    }
    if (max < 0) return CPUSet.empty;
    const words = new Uint32Array((max >>> 5) + 1);
    for (const id of list) words[id >>> 5] |= 1 << (id & 31);
    return new CPUSet(words);
  }

  /** The inclusive range `from..to`; empty when `to < from`. */
  static range(from: number, to: number): CPUSet {
    if (to < from) return CPUSet.empty;
    const words = new Uint32Array((to >>> 5) + 1);
    for (let id = from; id <= to; id++) words[id >>> 5] |= 1 << (id & 31);
    return new CPUSet(words);
  }

  /**
   * Parses the Linux list format. Accepts ids and ranges in any order, surrounding white space and
   * the empty string; refuses anything else with a message naming `what` (a file or field).
   */
  static parse(text: string, what = "CPU list"): CPUSet {
    const trimmed = text.trim();
    if (trimmed === "") return CPUSet.empty;
    const ids: number[] = [];
    for (const rawPart of trimmed.split(",")) {
      const part = rawPart.trim();
      const m = /^(\d+)(?:-(\d+))?$/.exec(part);
      if (!m) {
        throw new CPUSetParseError(
          `${what}: invalid CPU list ${JSON.stringify(text)}: element ${JSON.stringify(part)} is not an id or a range "a-b"`,
        );
      }
      const from = Number(m[1]);
      const to = m[2] === undefined ? from : Number(m[2]);
      if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || to > 1 << 22) {
        throw new CPUSetParseError(
          `${what}: invalid CPU list ${JSON.stringify(text)}: id out of range in ${JSON.stringify(part)}`,
        );
      }
      if (to < from) {
        throw new CPUSetParseError(
          `${what}: invalid CPU list ${JSON.stringify(text)}: range ${JSON.stringify(part)} ends before it starts`,
        );
      }
      for (let id = from; id <= to; id++) ids.push(id);
    }
    return CPUSet.fromIds(ids);
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

  union(...others: CPUSet[]): CPUSet {
    let len = this.words.length;
    for (const o of others) len = Math.max(len, o.words.length);
    const out = new Uint32Array(len);
    out.set(this.words);
    for (const o of others) for (let i = 0; i < o.words.length; i++) out[i] |= o.words[i];
    return new CPUSet(trim(out));
  }

  intersect(other: CPUSet): CPUSet {
    const len = Math.min(this.words.length, other.words.length);
    const out = new Uint32Array(len);
    for (let i = 0; i < len; i++) out[i] = this.words[i] & other.words[i];
    return new CPUSet(trim(out));
  }

  difference(other: CPUSet): CPUSet {
    const out = this.words.slice();
    const len = Math.min(out.length, other.words.length);
    for (let i = 0; i < len; i++) out[i] &= ~other.words[i];
    return new CPUSet(trim(out));
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
    const ids = this.toArray();
    const parts: string[] = [];
    let i = 0;
    while (i < ids.length) {
      let j = i;
      while (j + 1 < ids.length && ids[j + 1] === ids[j] + 1) j++;
      parts.push(j === i ? String(ids[i]) : `${ids[i]}-${ids[j]}`);
      i = j + 1;
    }
    return parts.join(",");
  }

  toJSON(): string {
    return this.toString();
  }
}
