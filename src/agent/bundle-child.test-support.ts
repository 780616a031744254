/**
 * Child processes of the crash tests, bundled into one script with esbuild (which tsx is built
 * on): each start then costs a fraction of a second instead of a full TypeScript load, which is
 * what lets a test kill and restart an agent fifty times in a few seconds.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Bundles the module `entry` (an absolute path to a .ts file) into a standalone ESM script in a
 * temporary directory removed after the test; returns the script's path.
 */
export async function bundleTestChild(t: { after(fn: () => void): void }, entry: string): Promise<string> {
  let esbuild: typeof import("esbuild");
  try {
    esbuild = await import("esbuild");
  } catch (err) {
    throw new Error(
      `the crash test bundles its child with esbuild (installed with tsx), which cannot be loaded: ${(err as Error).message}`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), "podpin-crash-child-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const outfile = join(dir, "child.mjs");
  await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile,
    logLevel: "silent",
    // Bundled CommonJS dependencies may still call require() for Node's own modules.
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  });
  return outfile;
}
