/**
 * The child process of the HTTP crash test: an agent on the state test's machine (two NUMA nodes,
 * four GPUs) and pod-scope kubelet. It loads everything, prints `loaded`, then waits for one line
 * of JSON `{"dir": …, "socket": …}` on stdin (so that a spare child can warm up while the test
 * checks the previous one's directory), opens the state directory, starts the agent on the unix
 * socket and prints `ready <warnings as JSON>`. It serves until it is killed, or exits when its
 * stdin closes (the test is gone). Never imported.
 */
import { writeSync } from "node:fs";
import { createInterface } from "node:readline";
import { startAgent } from "./agent.js";
import { createLog } from "./log.js";
import { openStateDir } from "./state/index.js";
import { agentConfig, agentMachine } from "./state/state.test-support.js";

const machine = agentMachine();
const config = agentConfig();
writeSync(1, "loaded\n");
const lines = createInterface({ input: process.stdin });
const line = await new Promise<string>((resolve) => lines.once("line", resolve));
lines.once("close", () => process.exit(0));
const { dir, socket } = JSON.parse(line) as { dir: string; socket: string };
const state = await openStateDir({ dir, machine, config });
// One line per request would only slow the burst; warnings and errors still reach the test.
const log = createLog((l) => {
  if (!l.includes(" level=info ")) process.stderr.write(l);
});
await startAgent({ state, listen: [{ kind: "unix", path: socket }], log });
writeSync(1, `ready ${JSON.stringify(state.warnings)}\n`);
