/**
 * The conformance runner: finds the suite for each vector file of `../shared/conformance/` and
 * reports every case as passed or failed, with expected and actual values.
 */
export { CONFORMANCE_DIR } from "./location.js";
export {
  collectVectorFiles,
  type FileReport,
  findSuite,
  formatReport,
  type RunReport,
  runConformance,
} from "./runner.js";
export { asArray, type CaseOutcome, caseName, compare, guard, type Suite } from "./suite.js";
