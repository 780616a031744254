/**
 * Fuzz target of the Go cpuset reader (`gocpuset.ts`, read side; issue 12): every input gives a
 * set or the Go error text, never an exception; a set holds no id beyond 2^22 and prints as text
 * that reads back to it. `npm test` runs 1,000 inputs (`gocpuset-fuzz.test.ts`), `npm run fuzz`
 * 100,000.
 */
import fc from "fast-check";
import { MAX_CPU_ID } from "../core/index.js";
import { cpuListText, type FuzzTarget, mutated } from "../core/fuzz-targets.js";
import { parseGoCPUSet } from "./gocpuset.js";

const goSpellings = fc.constantFrom(
  "+3",
  "007",
  "-1",
  "1--5",
  "-",
  "1-+5",
  " 1",
  "1 ",
  "0-4194304",
  "9223372036854775808",
);

export const goCPUSetText: fc.Arbitrary<string> = fc.oneof(
  cpuListText,
  mutated(fc.array(fc.oneof(goSpellings, fc.nat(70).map(String)), { maxLength: 5 }).map((p) => p.join(","))),
);

export function runGoCPUSet(input: string): void {
  const r = parseGoCPUSet(input);
  if ("error" in r) {
    if (typeof r.error !== "string" || r.error.includes("\n"))
      throw new Error(`not a one-line error: ${r.error}`);
    return;
  }
  if (r.set.max() > MAX_CPU_ID) throw new Error(`${JSON.stringify(input)} holds CPU ${r.set.max()}`);
  const again = parseGoCPUSet(r.set.toString());
  if ("error" in again || !again.set.equals(r.set))
    throw new Error(`${JSON.stringify(input)} printed as ${r.set.toString()}, which reads back differently`);
}

export const goCPUSetFuzzTargets: FuzzTarget[] = [
  {
    name: "checkpoint: Go cpuset text (k8s.io/utils/cpuset.Parse)",
    run: runGoCPUSet,
    arbitrary: goCPUSetText,
  },
];
