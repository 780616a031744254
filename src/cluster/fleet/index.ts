/** `podpin fleet`: what a cluster's scheduler and kubelets would make of a workload, with and without NUMA awareness. */
export { FLEET_API_VERSION, type FleetFile, parseFleetFile } from "./fleet-file.js";
export {
  type FleetGroup,
  type FleetInputs,
  type FleetPod,
  fleetInputsOf,
  loadFleet,
} from "./fleet-inputs.js";
export { FleetWorkerError, type FleetRunOptions, fleetReport, runFleet } from "./fleet-run.js";
export * from "./report-types.js";
export { runScenario, SCENARIOS } from "./scenario.js";
export { renderFleetHtml } from "./render-html.js";
export { renderFleetTable } from "./render-table.js";
