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
