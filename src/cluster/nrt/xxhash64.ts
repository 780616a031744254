/*
 * XXH64 (the xxHash 64-bit hash), which the pod-set fingerprint of the topology exporters is made
 * of. Written from the algorithm's public description; BigInt arithmetic is fast enough for the
 * handful of short strings a fingerprint hashes.
 */

const MASK = (1n << 64n) - 1n;
const P1 = 11400714785074694791n;
const P2 = 14029467366897019727n;
const P3 = 1609587929392839161n;
const P4 = 9650029242287828579n;
const P5 = 2870177450012600261n;

function rotl(x: bigint, r: bigint): bigint {
  return ((x << r) | (x >> (64n - r))) & MASK;
}

function round(acc: bigint, lane: bigint): bigint {
  return (rotl((acc + lane * P2) & MASK, 31n) * P1) & MASK;
}

function mergeRound(acc: bigint, lane: bigint): bigint {
  return ((((acc ^ round(0n, lane)) * P1) & MASK) + P4) & MASK;
}

function lane64(view: DataView, at: number): bigint {
  return view.getBigUint64(at, true);
}

/** XXH64 of `data` with `seed` (an unsigned 64-bit value). */
export function xxhash64(data: Uint8Array, seed = 0n): bigint {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const len = data.byteLength;
  seed &= MASK;
  let at = 0;
  let h: bigint;
  if (len >= 32) {
    let v1 = (seed + P1 + P2) & MASK;
    let v2 = (seed + P2) & MASK;
    let v3 = seed;
    let v4 = (seed - P1) & MASK;
    for (; at + 32 <= len; at += 32) {
      v1 = round(v1, lane64(view, at));
      v2 = round(v2, lane64(view, at + 8));
      v3 = round(v3, lane64(view, at + 16));
      v4 = round(v4, lane64(view, at + 24));
    }
    h = (rotl(v1, 1n) + rotl(v2, 7n) + rotl(v3, 12n) + rotl(v4, 18n)) & MASK;
    for (const v of [v1, v2, v3, v4]) h = mergeRound(h, v);
  } else {
    h = (seed + P5) & MASK;
  }
  h = (h + BigInt(len)) & MASK;
  for (; at + 8 <= len; at += 8) {
    h ^= round(0n, lane64(view, at));
    h = (rotl(h, 27n) * P1 + P4) & MASK;
  }
  if (at + 4 <= len) {
    h ^= (BigInt(view.getUint32(at, true)) * P1) & MASK;
    h = (rotl(h, 23n) * P2 + P3) & MASK;
    at += 4;
  }
  for (; at < len; at++) {
    h ^= (BigInt(data[at]) * P5) & MASK;
    h = (rotl(h, 11n) * P1) & MASK;
  }
  h ^= h >> 33n;
  h = (h * P2) & MASK;
  h ^= h >> 29n;
  h = (h * P3) & MASK;
  h ^= h >> 32n;
  return h;
}

/** XXH64 of a string's UTF-8 bytes. */
export function xxhash64String(text: string, seed = 0n): bigint {
  return xxhash64(new TextEncoder().encode(text), seed);
}
