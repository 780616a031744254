import { Worker } from "node:worker_threads";
import { type FleetInputs, loadFleet } from "./fleet-inputs.js";
import type { FleetReport, ScenarioName, ScenarioReport } from "./report-types.js";
import { runScenario, SCENARIOS } from "./scenario.js";

/**
 * Both scenarios of a fleet. Placement is sequential by nature (each pod sees the nodes as the
 * pods before it left them), so the unit of parallel work is the scenario: with two or more
 * workers each runs in its own thread, from the same file, with the same code; one worker runs
 * them one after the other in this thread. The report is the same either way.
 */

export class FleetWorkerError extends Error {
  override name = "FleetWorkerError";
}

const FROM_SOURCE = import.meta.url.endsWith(".ts");
const WORKER_URL = new URL(FROM_SOURCE ? "./scenario-worker.ts" : "./scenario-worker.js", import.meta.url);

/**
 * The compiled worker starts as it is; from the TypeScript sources (tests, `tsx`) the thread first
 * registers the TypeScript loader, which Node 20 does not carry over into worker threads.
 */
function startWorker(workerData: unknown): Worker {
  if (!FROM_SOURCE) return new Worker(WORKER_URL, { workerData });
  const loader = import.meta.resolve("tsx/esm/api");
  const code = `import(${JSON.stringify(loader)}).then((m) => { m.register(); return import(${JSON.stringify(WORKER_URL.href)}); });`;
  return new Worker(code, { eval: true, workerData });
}

function inWorker(file: string, scenario: ScenarioName): Promise<ScenarioReport> {
  return new Promise((resolve, reject) => {
    const worker = startWorker({ file, scenario });
    let settled = false;
    worker.once("message", (m: { ok: true; report: ScenarioReport } | { ok: false; message: string }) => {
      settled = true;
      if (m.ok) resolve(m.report);
      else reject(new FleetWorkerError(m.message));
      void worker.terminate();
    });
    worker.once("error", (err) => {
      settled = true;
      reject(new FleetWorkerError(`scenario ${scenario}: worker failed: ${err.message}`));
    });
    worker.once("exit", (code) => {
      if (!settled) reject(new FleetWorkerError(`scenario ${scenario}: worker exited with code ${code}`));
    });
  });
}

export function fleetReport(inputs: FleetInputs, scenarios: readonly ScenarioReport[]): FleetReport {
  return {
    apiVersion: "podpin.io/v1alpha1",
    kind: "FleetReport",
    fleet: inputs.name,
    nodes: inputs.groups.reduce((n, g) => n + g.count, 0),
    pods: inputs.pods.length,
    scenarios: [...scenarios],
  };
}

export interface FleetRunOptions {
  /** Worker threads (at least 1); more than the two scenarios leaves the rest idle. */
  workers: number;
}

export async function runFleet(file: string, opts: FleetRunOptions): Promise<FleetReport> {
  // Read here first: a bad file is reported once, before any thread starts.
  const inputs = loadFleet(file);
  if (opts.workers <= 1)
    return fleetReport(
      inputs,
      SCENARIOS.map((s) => runScenario(inputs, s)),
    );
  return fleetReport(inputs, await Promise.all(SCENARIOS.map((s) => inWorker(file, s))));
}
