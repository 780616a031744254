import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { DATABASE_POD } from "../cli/cli.test-support.js";
import { coalesced, podResourcesAddOn } from "./add-ons.js";
import { PodResourcesTestClient } from "./podresources/podresources.test-support.js";
import { call, startTestAgent } from "./server/agent.test-support.js";

const DATABASE = readFileSync(DATABASE_POD, "utf8");

interface ListAnswer {
  ok: boolean;
  value?: { pod_resources?: { name: string; cpu_ids?: string[] }[] };
}

test("--podresources-socket: PodResources answers from the agent's engine as pods come and go", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "podpin-agent-pr-"));
  // Registered first, so it runs last: after the agent (and its gRPC server) has closed.
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const socketPath = join(dir, "kubelet.sock");
  const { unix, agent } = await startTestAgent(t, { addOns: [podResourcesAddOn(socketPath)] });
  assert.equal(statSync(socketPath).mode & 0o777, 0o600);
  const client = new PodResourcesTestClient(socketPath);
  t.after(() => client.close());

  assert.equal((await call(unix, "POST", "/v1/pods", { body: DATABASE })).status, 200);
  const list = (await client.call("List")) as ListAnswer;
  assert.equal(list.ok, true);
  assert.deepEqual(
    list.value?.pod_resources?.map((p) => [p.name, p.cpu_ids]),
    [["tightly-coupled-database", ["1", "2", "3", "4", "17", "18", "19", "20"]]],
    "1.37 reports the pod's bubble",
  );
  assert.equal((await call(unix, "DELETE", "/v1/pods/uid-db")).status, 200);
  const after = (await client.call("List")) as ListAnswer;
  assert.deepEqual(after.value?.pod_resources ?? [], []);

  await agent.close();
  assert.equal(
    existsSync(socketPath),
    false,
    "the agent's shutdown stops the gRPC server and removes its socket",
  );
});

test("enforcement passes after a burst of changes coalesce: one in progress, at most one more", async () => {
  let runs = 0;
  let active = 0;
  let maxActive = 0;
  const kick = coalesced(async () => {
    runs++;
    active++;
    maxActive = Math.max(maxActive, active);
    await new Promise((r) => setTimeout(r, 20));
    active--;
  });
  await Promise.all(Array.from({ length: 50 }, () => kick()));
  assert.equal(runs, 2, "the first call's pass, then one pass for the 49 that came during it");
  assert.equal(maxActive, 1);
  await kick();
  assert.equal(runs, 3);
});
