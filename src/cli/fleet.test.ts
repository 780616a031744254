import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { fleetDir, handFleet } from "../cluster/fleet/fleet.test-support.js";
import { type FleetReport, runFleet } from "../cluster/fleet/index.js";
import { UsageError } from "./errors.js";
import { fleet } from "./fleet.js";

const SPEC_ID = /§|\b(?:CK|CPU|DM|MET|MM|NA|PL|TM)-\d+\b|\bOPEN\b/;

test("podpin fleet: table, JSON and a self-contained HTML page of the same report", async (t) => {
  const file = join(fleetDir(t, { "fleet.yaml": handFleet(4) }), "fleet.yaml");
  const table = await fleet({ file, output: "table", workers: "1" });
  assert.equal(table.exitCode, 0);
  assert.match(table.stdout, /^Fleet hand: 2 nodes, 4 pods\n/);
  assert.match(table.stdout, /TopologyAffinityError\s+2\s+0\n/);
  assert.match(table.stdout, /default\/big-r2: 0\/2 nodes are available: 2 cannot align pod\./);
  assert.doesNotMatch(table.stdout, SPEC_ID);

  const json = await fleet({ file, output: "json", workers: "2" });
  const doc = JSON.parse(json.stdout) as FleetReport;
  assert.deepEqual(doc, JSON.parse(JSON.stringify(await runFleet(file, { workers: 1 }))));
  assert.equal(doc.kind, "FleetReport");

  const html = (await fleet({ file, output: "html", workers: "1" })).stdout;
  assert.match(html, /^<!doctype html>/);
  assert.equal((html.match(/<svg /g) ?? []).length, 4);
  // Nothing fetched from elsewhere: the only URL is the SVG namespace.
  assert.deepEqual([...new Set(html.match(/https?:\/\/[^"'\s)]+/g))], ["http://www.w3.org/2000/svg"]);
  assert.doesNotMatch(html, /<script|<link|<img/);
  assert.doesNotMatch(html, SPEC_ID);
});

test("podpin fleet: usage mistakes are one-line errors", async () => {
  await assert.rejects(
    fleet({ output: "table", workers: "1" }),
    (e: unknown) => e instanceof UsageError && /^no fleet: give -f FILE/.test(e.message),
  );
  for (const workers of ["0", "two", "65", "1.5"])
    await assert.rejects(
      fleet({ file: "x.yaml", output: "table", workers }),
      (e: unknown) =>
        e instanceof UsageError && /^--workers: expected a whole number from 1 to 64/.test(e.message),
    );
});
