/**
 * 1,000 fuzz inputs per machine reader (issue 12): a value or a typed error, never another
 * exception, round trips intact, within a second each.
 */
import { fuzzTargetTests } from "../core/fuzz.test-support.js";
import { machineFuzzTargets } from "./fuzz-targets.js";

fuzzTargetTests(machineFuzzTargets);
