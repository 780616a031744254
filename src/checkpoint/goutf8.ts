/**
 * A file's bytes as Go's `encoding/json` sees them. Go reads bytes, not text: inside a string each
 * byte that does not start a valid UTF-8 sequence becomes one U+FFFD (`utf8.DecodeRune` consumes
 * one byte on error, where a WHATWG decoder may swallow several), and outside strings a syntax
 * error names the raw byte. So the text gets one U+FFFD per invalid byte, and the raw byte is kept
 * by text position for the error message.
 */

export interface GoText {
  text: string;
  /** Text position -> the byte the file held there, for every invalid byte; null when none. */
  rawBytes: ReadonlyMap<number, number> | null;
}

const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Length of the valid UTF-8 sequence at `i` (Go's `utf8.DecodeRune` rules), or 0. */
function sequenceLength(b: Uint8Array, i: number): number {
  const c = b[i];
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < b.length && b[i + k] >= lo && b[i + k] <= hi;
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((c >= 0xe1 && c <= 0xec) || c === 0xee || c === 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (c === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

export function goText(bytes: Uint8Array): GoText {
  try {
    return { text: strict.decode(bytes), rawBytes: null };
  } catch {
    // Not valid UTF-8: decode sequence by sequence below.
  }
  const parts: string[] = [];
  const rawBytes = new Map<number, number>();
  let pos = 0;
  let runStart = 0;
  let i = 0;
  const flush = (end: number) => {
    if (end > runStart) {
      const s = strict.decode(bytes.subarray(runStart, end));
      parts.push(s);
      pos += s.length;
    }
  };
  while (i < bytes.length) {
    const n = sequenceLength(bytes, i);
    if (n > 0) {
      i += n;
      continue;
    }
    flush(i);
    rawBytes.set(pos, bytes[i]);
    parts.push("\ufffd");
    pos++;
    i++;
    runStart = i;
  }
  flush(i);
  return { text: parts.join(""), rawBytes };
}
