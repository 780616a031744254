/**
 * Go's text conventions that appear inside kubelet messages and checkpoint files: `%q` quoting,
 * byte-wise string order, and the character naming of `encoding/json` syntax errors.
 */

/** Go's string order (byte-wise over UTF-8), which is code point order. */
export function compareGoStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    // Surrogates (astral code points) sort above every BMP code point in UTF-8 order.
    const sa = ca >= 0xd800 && ca <= 0xdfff;
    const sb = cb >= 0xd800 && cb <= 0xdfff;
    if (sa !== sb) return sa ? 1 : -1;
    return ca < cb ? -1 : 1;
  }
  return a.length - b.length;
}

const SHORT_ESCAPES: Record<number, string> = {
  7: "\\a",
  8: "\\b",
  9: "\\t",
  10: "\\n",
  11: "\\v",
  12: "\\f",
  13: "\\r",
  34: '\\"',
  92: "\\\\",
};

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, "0");
}

/** `strconv.Quote` / `%q` for the strings that occur here (names, CPU lists, policy names). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    const short = SHORT_ESCAPES[cp];
    if (short !== undefined) out += short;
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${hex(cp, 2)}`;
    else if ((cp >= 0x80 && cp <= 0x9f) || cp === 0x2028 || cp === 0x2029 || (cp >= 0xd800 && cp <= 0xdfff))
      out += cp >= 0xd800 && cp <= 0xdfff ? "\\ufffd" : `\\u${hex(cp, 4)}`;
    else out += ch;
  }
  return `${out}"`;
}

/**
 * How `encoding/json` names an offending byte in a syntax error (`quoteChar`): the byte as a
 * Latin-1 character in single quotes, with Go escapes for the unprintable ones.
 */
export function goQuoteByte(byte: number): string {
  if (byte === 0x27) return "'\\''";
  if (byte === 0x22) return "'\"'";
  // U+00A0 and U+00AD are not printable for Go's strconv.Quote either.
  if (byte === 0xa0 || byte === 0xad) return `'\\u00${byte.toString(16)}'`;
  const q = goQuote(String.fromCharCode(byte));
  return `'${q.slice(1, -1)}'`;
}

/** "1 pod-level entry", "2 pod-level entries". */
export function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}
