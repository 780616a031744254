import { execFile } from "node:child_process";
import { closeSync, existsSync, openSync, readSync } from "node:fs";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

/**
 * What a private containerd needs on the machine: root, Debian's containerd (with ctr and the runc
 * v2 shim), runc and a static /bin/busybox for the images. When something is missing,
 * scripts/ensure-containerd.sh is run once; what is still missing is an error with the reason.
 */

const execFileP = promisify(execFile);
const ENSURE_SCRIPT = fileURLToPath(new URL("../../../scripts/ensure-containerd.sh", import.meta.url));

function onPath(cmd: string): string | null {
  for (const dir of [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/sbin"]) {
    const path = join(dir, cmd);
    if (dir && existsSync(path)) return path;
  }
  return null;
}

/** True for an ELF executable without a program interpreter (statically linked). */
export function isStaticElf(path: string): boolean {
  const fd = openSync(path, "r");
  try {
    const head = Buffer.alloc(64);
    readSync(fd, head, 0, 64, 0);
    if (head.readUInt32BE(0) !== 0x7f454c46 || head[4] !== 2 || head[5] !== 1) return false;
    const phoff = Number(head.readBigUInt64LE(32));
    const phentsize = head.readUInt16LE(54);
    const phnum = head.readUInt16LE(56);
    const table = Buffer.alloc(phentsize * phnum);
    readSync(fd, table, 0, table.length, phoff);
    for (let i = 0; i < phnum; i++) if (table.readUInt32LE(i * phentsize) === 3) return false;
    return true;
  } finally {
    closeSync(fd);
  }
}

function missingPrerequisites(): string[] {
  const missing = ["containerd", "ctr", "containerd-shim-runc-v2", "runc"].filter((c) => !onPath(c));
  if (!existsSync("/bin/busybox") || !isStaticElf("/bin/busybox")) missing.push("a static /bin/busybox");
  return missing;
}

export async function ensurePrerequisites(): Promise<void> {
  if (process.getuid?.() !== 0)
    throw new Error("the containerd tests need root (they start containerd and write cgroups)");
  if (missingPrerequisites().length === 0) return;
  try {
    await execFileP("bash", [ENSURE_SCRIPT], { timeout: 300_000 });
  } catch (err) {
    throw new Error(`${ENSURE_SCRIPT} failed: ${(err as { stderr?: string }).stderr?.trim() || String(err)}`);
  }
  const still = missingPrerequisites();
  if (still.length > 0) throw new Error(`after ${ENSURE_SCRIPT}: still missing ${still.join(", ")}`);
}
