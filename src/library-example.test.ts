/**
 * The README's library example is examples/library.ts, word for word; the project's type check
 * (tsconfig.json includes examples/, and maps "podpin" to src/index.ts) checks it, and this test
 * runs it as a user would and checks what it prints.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const EXAMPLE = join(ROOT, "examples", "library.ts");

describe("the library example (README, examples/library.ts)", () => {
  it("the README shows examples/library.ts exactly", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## As a library"));
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    assert.ok(block, "a ts block in the README's library section");
    assert.equal(block, readFileSync(EXAMPLE, "utf8"));
  });

  it("the type check covers it: tsconfig.json includes examples/ and resolves podpin to the sources", () => {
    const tsconfig = JSON.parse(readFileSync(join(ROOT, "tsconfig.json"), "utf8")) as {
      include: string[];
      compilerOptions: { paths?: Record<string, string[]> };
    };
    assert.ok(tsconfig.include.includes("examples"), "npm run typecheck checks examples/library.ts");
    assert.deepEqual(tsconfig.compilerOptions.paths?.podpin, ["./src/index.ts"]);
  });

  it("runs, admits the database pod, and prints its JSON and the explanation of the pod that does not fit", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", EXAMPLE], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 60_000,
    });
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.split("\n");
    assert.deepEqual(lines.slice(0, 6), [
      "metrics-exporter: pod_shared 4,20",
      "backup-agent: pod_shared 4,20",
      "database: pod_exclusive 1-3,17-19",
      "1-4,17-20",
      '[{"numaAffinity":[0],"type":"memory","size":17179869184}]',
      "cpu (pod budget) 16 CPUs would be admitted now, the other requests as asked",
    ]);
    assert.match(r.stdout, /\nREJECTED {2}prod\/big-db /);
    assert.match(
      r.stdout,
      /\n {2}cause: {3}the Topology Manager policy single-numa-node admits only a preferred hint on a single NUMA node: /,
    );
  });
});
