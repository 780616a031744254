/**
 * A minimal POSIX ustar writer for the test images: regular files, directories and symlinks with
 * names of at most 100 bytes, owned by root, dated 1970 so that equal inputs give equal bytes.
 */

export type TarEntry =
  | { type: "dir"; name: string; mode?: number }
  | { type: "file"; name: string; data: Buffer; mode?: number }
  | { type: "symlink"; name: string; target: string };

const BLOCK = 512;

function put(header: Buffer, offset: number, length: number, text: string): void {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length > length) throw new Error(`tar: ${JSON.stringify(text)} does not fit ${length} bytes`);
  bytes.copy(header, offset);
}

/** An octal field: zero-padded digits and a NUL, as ustar readers expect. */
function octal(header: Buffer, offset: number, length: number, value: number): void {
  put(header, offset, length, `${value.toString(8).padStart(length - 1, "0")}\0`);
}

function headerOf(entry: TarEntry, size: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  const name = entry.type === "dir" && !entry.name.endsWith("/") ? `${entry.name}/` : entry.name;
  put(h, 0, 100, name);
  const mode = entry.type === "symlink" ? 0o777 : (entry.mode ?? (entry.type === "dir" ? 0o755 : 0o644));
  octal(h, 100, 8, mode);
  octal(h, 108, 8, 0);
  octal(h, 116, 8, 0);
  octal(h, 124, 12, size);
  octal(h, 136, 12, 0);
  h.fill(" ", 148, 156);
  put(h, 156, 1, entry.type === "file" ? "0" : entry.type === "dir" ? "5" : "2");
  if (entry.type === "symlink") put(h, 157, 100, entry.target);
  put(h, 257, 6, "ustar\0");
  put(h, 263, 2, "00");
  put(h, 265, 32, "root");
  put(h, 297, 32, "root");
  let sum = 0;
  for (const byte of h) sum += byte;
  put(h, 148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
  return h;
}

/** The archive's bytes: each entry's header and data padded to 512-byte blocks, then two empty blocks. */
export function tarArchive(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const data = entry.type === "file" ? entry.data : Buffer.alloc(0);
    parts.push(headerOf(entry, data.length), data);
    const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
    if (pad > 0) parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}
