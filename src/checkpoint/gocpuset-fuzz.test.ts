/**
 * 1,000 fuzz inputs for the Go cpuset reader (issue 12): a value or a typed error, never another
 * exception, round trips intact, within a second each.
 */
import { fuzzTargetTests } from "../core/fuzz.test-support.js";
import { goCPUSetFuzzTargets } from "./gocpuset-fuzz.js";

fuzzTargetTests(goCPUSetFuzzTargets);
