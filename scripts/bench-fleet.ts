/**
 * `npm run bench:fleet`: the built-in 1,000-node fleet with its 20,000 pods (examples/fleet), both
 * scenarios, with one worker and with two; prints the wall-clock and CPU time of each and checks
 * that the two reports are the same. The target: under a minute on 2 cores.
 */
import { isDeepStrictEqual } from "node:util";
import { runFleet } from "../src/cluster/fleet/index.js";

const file = new URL("../examples/fleet/fleet.yaml", import.meta.url).pathname;
const workerCounts = process.argv.includes("--quick") ? [2] : [1, 2];
const reports = [];
for (const workers of workerCounts) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const report = await runFleet(file, { workers });
  const wall = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  reports.push(report);
  const [a, b] = report.scenarios;
  process.stdout.write(
    `fleet ${report.nodes} nodes x ${report.pods} pods, --workers ${workers}: ${wall.toFixed(1)} s wall, ${((used.user + used.system) / 1e6).toFixed(1)} s CPU (all threads)` +
      ` (admitted ${a.pods.admitted} / ${b.pods.admitted}, rejected ${a.pods.rejected} / ${b.pods.rejected})\n`,
  );
}
if (reports.length === 2 && !isDeepStrictEqual(reports[0], reports[1])) {
  process.stderr.write("bench-fleet: --workers 1 and --workers 2 disagree\n");
  process.exitCode = 1;
}
