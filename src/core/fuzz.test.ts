/**
 * 1,000 fuzz inputs per core reader (issue 12): a value or a typed error, never another
 * exception, round trips intact, within a second each.
 */
import { fuzzTargetTests } from "./fuzz.test-support.js";
import { coreFuzzTargets } from "./fuzz-targets.js";

fuzzTargetTests(coreFuzzTargets);
