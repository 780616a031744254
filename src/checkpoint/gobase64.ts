/**
 * Go's `base64.StdEncoding.Decode`, which `encoding/json` uses for a `[]byte` field
 * (checkpoints.md §9.5 step 2): the standard alphabet with `=` padding required, CR and LF
 * skipped anywhere, unused low bits of the last quantum ignored (the encoding is not strict), and
 * the error `illegal base64 data at input byte <n>` with Go's offsets (bytes of the UTF-8 text).
 */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const INVALID = 0xff;
const PAD = 0x3d; // '='
const CR = 0x0d;
const LF = 0x0a;

const DECODE_MAP = (() => {
  const m = new Uint8Array(256).fill(INVALID);
  for (let k = 0; k < ALPHABET.length; k++) m[ALPHABET.charCodeAt(k)] = k;
  return m;
})();

export type Base64Result = { ok: true; bytes: Uint8Array } | { ok: false; error: string };

const corrupt = (at: number): Base64Result => ({
  ok: false,
  error: `illegal base64 data at input byte ${at}`,
});

const isNewline = (b: number | undefined) => b === CR || b === LF;

/** Decodes `src` (the UTF-8 bytes of the JSON string's content) as Go does. */
export function goBase64Decode(src: Uint8Array): Base64Result {
  const out = new Uint8Array(Math.floor(src.length / 4) * 3 + 3);
  let n = 0;
  let si = 0;
  // One quantum (up to four symbols) per turn, as Go's decodeQuantum; its fast paths decode
  // exactly the same way when every symbol is valid, so they need no separate treatment.
  while (si < src.length) {
    const dbuf = [0, 0, 0, 0];
    let dlen = 4;
    let trailingGarbageAt = -1;
    for (let j = 0; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return { ok: true, bytes: out.slice(0, n) };
        // A quantum cut short without padding (the standard encoding requires it).
        return corrupt(si - j);
      }
      const c = src[si];
      si++;
      const v = DECODE_MAP[c];
      if (v !== INVALID) {
        dbuf[j] = v;
        continue;
      }
      if (isNewline(c)) {
        j--;
        continue;
      }
      if (c !== PAD) return corrupt(si - 1);
      // Padding: only after two or three symbols, and "==" after two.
      if (j === 0 || j === 1) return corrupt(si - 1);
      if (j === 2) {
        while (si < src.length && isNewline(src[si])) si++;
        if (si === src.length) return corrupt(src.length);
        if (src[si] !== PAD) return corrupt(si - 1);
        si++;
      }
      while (si < src.length && isNewline(src[si])) si++;
      if (si < src.length) trailingGarbageAt = si;
      dlen = j;
      break;
    }
    const val = (dbuf[0] << 18) | (dbuf[1] << 12) | (dbuf[2] << 6) | dbuf[3];
    const bytes = [(val >> 16) & 0xff, (val >> 8) & 0xff, val & 0xff];
    for (let k = 0; k < dlen - 1; k++) out[n++] = bytes[k];
    if (trailingGarbageAt >= 0) return corrupt(trailingGarbageAt);
  }
  return { ok: true, bytes: out.slice(0, n) };
}

/** Standard base64 with padding, as Go's encoder writes a `[]byte`. */
export function goBase64Encode(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}
