/**
 * The child process of the SIGKILL test. It loads everything, then waits for one line
 * `<dir> <first>` on stdin (so that a spare child can warm up while the test checks the previous
 * one's directory), opens the state directory and commits `killStep(i)` for i = first, first + 1,
 * ... until it is killed, printing `ack <i>` once step i is durable (or had nothing to commit).
 * Never imported.
 */
import { writeSync } from "node:fs";
import { createInterface } from "node:readline";
import { openStateDir } from "./state-dir.js";
import { killStep } from "./kill-steps.test-support.js";
import { agentConfig, agentMachine, applyStep } from "./state.test-support.js";

const machine = agentMachine();
const config = agentConfig();
writeSync(1, "loaded\n");
const lines = createInterface({ input: process.stdin });
const [line] = await new Promise<string[]>((resolve) => lines.once("line", (l) => resolve([l])));
lines.close();
const [dir, first] = line.split(" ");
const sd = await openStateDir({ dir, machine, config });
writeSync(1, `ready ${sd.generation}\n`);
const deadline = Date.now() + 60_000;
for (let i = Number(first); Date.now() < deadline; i++) {
  const op = applyStep(sd.node, killStep(i, sd.node));
  if (op) await sd.commit(op);
  writeSync(1, `ack ${i}\n`);
}
await sd.close();
