import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";

/**
 * The name the kubelet registers its node under when no `--hostname-override` is given: the
 * hostname, trimmed and lowercased (`nodeutil.GetHostname`). For the running machine (`root` "/")
 * it is the system's hostname; for a copied tree, the kernel's `proc/sys/kernel/hostname` or
 * `etc/hostname` under `root`. Null when none is known (or it is empty).
 */
export function nodeHostname(root = "/"): string | null {
  const candidates =
    root === "/"
      ? [() => hostname()]
      : ["proc/sys/kernel/hostname", "etc/hostname"].map((f) => () => readFileSync(join(root, f), "utf8"));
  for (const read of candidates) {
    let text: string;
    try {
      text = read();
    } catch {
      // Not in this tree: try the next source.
      continue;
    }
    const name = text.trim().toLowerCase();
    if (name !== "") return name;
  }
  return null;
}
