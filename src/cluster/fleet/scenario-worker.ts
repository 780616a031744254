import { parentPort, workerData } from "node:worker_threads";
import { loadFleet } from "./fleet-inputs.js";
import type { ScenarioName } from "./report-types.js";
import { runScenario } from "./scenario.js";

/** One scenario of a fleet in its own thread: the fleet file is read again here (same result). */
const { file, scenario } = workerData as { file: string; scenario: ScenarioName };
try {
  parentPort?.postMessage({ ok: true, report: runScenario(loadFleet(file), scenario) });
} catch (err) {
  parentPort?.postMessage({ ok: false, message: (err as Error).message });
}
