import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { corpusSlug, decodeInput, encodeInput, loadTargets } from "../scripts/fuzz-registry.js";

/*
 * Replays the fuzz corpus (issue 12): every input `npm run fuzz` once found failing, kept in
 * `fuzz-corpus/<target>/` (committed) or just found in `fuzz-corpus/new/<target>/` (local, gitignored),
 * must now parse or be refused with a typed error within a second. A folder that names no target
 * is an error: a renamed target must take its corpus along.
 */

const ROOT = new URL("../fuzz-corpus/", import.meta.url).pathname;

function corpusDirs(): { dir: string; slug: string }[] {
  const out: { dir: string; slug: string }[] = [];
  for (const base of [ROOT, join(ROOT, "new")]) {
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base).sort()) {
      const dir = join(base, name);
      if (name !== "new" && statSync(dir).isDirectory()) out.push({ dir, slug: name });
    }
  }
  return out;
}

describe("the fuzz corpus", async () => {
  const { targets, missing } = await loadTargets();

  it("finds every target module", () => {
    assert.deepEqual(missing, []);
    assert.ok(targets.length > 0);
  });

  it("has a target for every corpus folder", () => {
    const slugs = new Set(targets.map((t) => corpusSlug(t.name)));
    for (const { dir, slug } of corpusDirs()) assert.ok(slugs.has(slug), `${dir}: no fuzz target ${slug}`);
  });

  for (const { dir, slug } of corpusDirs()) {
    const target = targets.find((t) => corpusSlug(t.name) === slug);
    if (!target) continue;
    it(`replays ${dir.slice(ROOT.length)}`, () => {
      for (const file of readdirSync(dir).sort()) {
        const input = decodeInput(file, readFileSync(join(dir, file)));
        const start = performance.now();
        assert.doesNotThrow(() => target.run(input), `${join(dir, file)}`);
        const ms = performance.now() - start;
        assert.ok(ms < 5000, `${join(dir, file)} took ${ms.toFixed(0)} ms`);
      }
    });
  }

  it("stores inputs so that they read back the same", () => {
    for (const input of [
      "cpu: 1",
      "\ud800 lone surrogate",
      new Uint8Array([0, 255, 10]),
      { ops: [1, "x"] },
    ]) {
      const { file, data } = encodeInput(input);
      assert.deepEqual(decodeInput(file, data), input);
    }
  });
});
