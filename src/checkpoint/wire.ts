/**
 * Protobuf wire-format primitives, in the two flavours the kubelet's `AllocResp` decoding has
 * used (see `allocresp.ts`): google.golang.org/protobuf's `protowire` rules and the checks that
 * gogo-protobuf's generated code makes. Every failure throws `WireError`; positions are absolute
 * indices into `Cursor.bytes`, and `end` bounds what may be read.
 */

export class WireError extends Error {
  override name = "WireError";
}

export interface Cursor {
  readonly bytes: Uint8Array;
  pos: number;
}

/** Field numbers above this are invalid (`protowire.MaxValidNumber`). */
const MAX_FIELD_NUMBER = 2 ** 29 - 1;
const MAX_INT32 = 2 ** 31 - 1;
/** `protowire.DefaultRecursionLimit`: how deep unknown groups may nest. */
const GROUP_DEPTH_LIMIT = 10000;

const TRUNCATED = "truncated";

// ---- google.golang.org/protobuf ----

/**
 * `protowire.ConsumeVarint`: at most 10 bytes, the 10th at most 1. The value is exact below 2^53;
 * above, it stays above 2^53, which is all its callers need (such a value is always too large).
 */
export function goVarint(c: Cursor, end: number): number {
  let value = 0;
  let scale = 1;
  for (let k = 0; k < 10; k++) {
    if (c.pos >= end) throw new WireError(TRUNCATED);
    const b = c.bytes[c.pos++];
    if (k === 9 && b > 1) throw new WireError("varint overflows 64 bits");
    value += (b & 0x7f) * scale;
    scale *= 128;
    if (b < 0x80) return value;
  }
  throw new WireError("varint overflows 64 bits");
}

/** A tag of a message or map entry: the field number must be 1 … 2^29-1. */
export function readGoogleTag(c: Cursor, end: number): { num: number; wireType: number } {
  const tag = goVarint(c, end);
  const num = Math.floor(tag / 8);
  if (num < 1 || num > MAX_FIELD_NUMBER) throw new WireError(`invalid field number ${num}`);
  return { num, wireType: tag % 8 };
}

function skipGoogleScalar(c: Cursor, end: number, wireType: number): void {
  switch (wireType) {
    case 0:
      goVarint(c, end);
      return;
    case 1:
    case 5: {
      const n = wireType === 1 ? 8 : 4;
      if (end - c.pos < n) throw new WireError(TRUNCATED);
      c.pos += n;
      return;
    }
    case 2: {
      const n = goVarint(c, end);
      if (n > end - c.pos) throw new WireError(TRUNCATED);
      c.pos += n;
      return;
    }
    case 4:
      throw new WireError("unexpected end group");
    default:
      throw new WireError(`reserved wire type ${wireType}`);
  }
}

/**
 * `protowire.ConsumeFieldValue` for an unknown field whose tag was just read: a group is consumed
 * up to the end group of the same number (iteratively, with the library's depth limit).
 */
export function consumeGoogleField(c: Cursor, end: number, num: number, wireType: number): void {
  if (wireType !== 3) {
    skipGoogleScalar(c, end, wireType);
    return;
  }
  const open = [num];
  while (open.length > 0) {
    // Inside a group a tag only needs a number of 1 … 2^31-1 (`protowire.ConsumeTag`).
    const tag = goVarint(c, end);
    const inner = Math.floor(tag / 8);
    const type = tag % 8;
    if (inner < 1 || inner > MAX_INT32) throw new WireError(`invalid field number ${inner}`);
    if (type === 4) {
      if (open.pop() !== inner) throw new WireError("mismatching end group");
    } else if (type === 3) {
      if (open.length > GROUP_DEPTH_LIMIT) throw new WireError("groups nested too deep");
      open.push(inner);
    } else skipGoogleScalar(c, end, type);
  }
}

// ---- gogo-protobuf generated code ----

const U64_MASK = (1n << 64n) - 1n;
const U64_MODULUS = 1n << 64n;
const I64_LIMIT = 1n << 63n;

/** The generated varint loop: at most 10 bytes, bits past 64 dropped; the value mod 2^64. */
export function gogoVarint(c: Cursor, end: number): bigint {
  let value = 0n;
  for (let shift = 0n; ; shift += 7n) {
    if (shift >= 64n) throw new WireError("integer overflow");
    if (c.pos >= end) throw new WireError("unexpected EOF");
    const b = c.bytes[c.pos++];
    value |= BigInt(b & 0x7f) << shift;
    // Masking instead of BigInt.asUintN(64): Node 20's optimising compiler can abort the process
    // on code that mixes asUintN(64) results with other BigInts (a V8 bug found by fuzzing).
    if (b < 0x80) return value & U64_MASK;
  }
}

/** A tag as the generated code splits it: `int32(wire >> 3)` and `wire & 7`. */
export function gogoTag(c: Cursor, end: number): { num: number; wireType: number } {
  const wire = gogoVarint(c, end);
  return { num: Number((wire >> 3n) & 0xffffffffn) | 0, wireType: Number(wire & 7n) };
}

/** A length or `int` the generated code reads: a Go `int` (int64), so it may come out negative. */
export function gogoInt(c: Cursor, end: number): bigint {
  const v = gogoVarint(c, end);
  return v >= I64_LIMIT ? v - U64_MODULUS : v;
}

/**
 * `skipApi` from the field's tag at `c.pos`: groups only balance start and end (their numbers are
 * not compared). Throws when the field would end past `end`.
 */
export function skipGogoField(c: Cursor, end: number): void {
  let depth = 0;
  let pos = c.pos;
  const cur: Cursor = { bytes: c.bytes, pos };
  while (cur.pos < end) {
    const wireType = Number(gogoVarint(cur, end) & 7n);
    pos = cur.pos;
    switch (wireType) {
      case 0:
        gogoVarint(cur, end);
        pos = cur.pos;
        break;
      case 1:
        pos += 8;
        break;
      case 2: {
        const n = gogoInt(cur, end);
        if (n < 0n) throw new WireError("negative length");
        pos = cur.pos + Number(n);
        break;
      }
      case 3:
        depth++;
        break;
      case 4:
        if (depth === 0) throw new WireError("unexpected end of group");
        depth--;
        break;
      case 5:
        pos += 4;
        break;
      default:
        throw new WireError(`illegal wire type ${wireType}`);
    }
    if (depth === 0) {
      if (pos > end) throw new WireError("unexpected EOF");
      c.pos = pos;
      return;
    }
    cur.pos = pos;
  }
  throw new WireError("unexpected EOF");
}
