import type { Suite } from "../suite.js";
import { admissionSuite } from "./node.admit.js";

/**
 * `node/admit_predicate.json`: whole admissions where the predicate handler, after the resource
 * managers allocated, rejects a step (`OutOfcpu`, `OutOfpods`, ...) and the allocation stays until
 * the next admission's stale-state cleanup.
 */
export const suite: Suite = admissionSuite("node/admit_predicate.json");
