/** Text helpers shared by every renderer: byte sizes people read, and escaping for HTML/SVG. */

const BINARY_UNITS: readonly [string, bigint][] = [
  ["Ei", 1n << 60n],
  ["Pi", 1n << 50n],
  ["Ti", 1n << 40n],
  ["Gi", 1n << 30n],
  ["Mi", 1n << 20n],
  ["Ki", 1n << 10n],
];

/**
 * A byte count people read: exact in the largest binary unit that divides it while the number
 * stays under 4096 (`64Gi`, `1100Mi`), otherwise one decimal in the largest unit (`62.9Gi`);
 * plain bytes below 1Ki.
 */
export function formatBytes(bytes: bigint): string {
  const negative = bytes < 0n;
  const abs = negative ? -bytes : bytes;
  const sign = negative ? "-" : "";
  for (const [unit, size] of BINARY_UNITS)
    if (abs >= size && abs % size === 0n && abs / size < 4096n) return `${sign}${abs / size}${unit}`;
  for (const [unit, size] of BINARY_UNITS) {
    if (abs < size) continue;
    const tenths = (abs * 10n + size / 2n) / size;
    return `${sign}${tenths / 10n}.${tenths % 10n}${unit}`;
  }
  return `${sign}${abs}`;
}

/**
 * `38.9Gi free of 62.9Gi allocatable`: how the picture and the HTML tables state a NUMA node's
 * free memory, in the same binary units and rounding as every table of the CLI.
 */
export function freeOfAllocatable(r: { free: bigint; allocatable: bigint }): string {
  return `${formatBytes(r.free)} free of ${formatBytes(r.allocatable)} allocatable`;
}

/** Escapes text for HTML/SVG element content and double-quoted attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => {
    switch (ch) {
      case "&":
        return "&amp;";
      case "<":
        return "&lt;";
      case ">":
        return "&gt;";
      case '"':
        return "&quot;";
      default:
        return "&#39;";
    }
  });
}

/** NUMA ids as people write them: `0`, `0,1`, or `-` for none. */
export function formatNodeList(ids: readonly number[] | null): string {
  return ids === null || ids.length === 0 ? "-" : ids.join(",");
}
