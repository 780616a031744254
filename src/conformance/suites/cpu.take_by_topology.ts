import { CPUSet, ManagerError } from "../../core/index.js";
import { kubeletFixture } from "../../machine/index.js";
import {
  type SortStrategy,
  takeByTopologyNUMADistributed,
  takeByTopologyNUMAPacked,
} from "../../managers/cpu/index.js";
import { asArray, type CaseOutcome, caseName, compare, guard, type Suite } from "../suite.js";

const FILE = "cpu/take_by_topology.json";

interface TakeCase {
  name: string;
  fn: "takeByTopologyNUMAPacked" | "takeByTopologyNUMADistributed";
  topology: string;
  preferAlignByUncoreCache: boolean;
  strategy: SortStrategy;
  available: CPUSet;
  numCPUs: number;
  cpuGroupSize: number;
  expectedCPUs: string | null;
  expectedError: string | null;
}

const KNOWN_OPTIONS = new Set(["preferAlignByUncoreCache", "distributeCPUsAcrossCores"]);

function fail(name: string, what: string): never {
  throw new Error(`${FILE}: case ${JSON.stringify(name)}: ${what}`);
}

function optionalString(c: Record<string, unknown>, key: string, name: string): string | null {
  const v = c[key];
  if (v === null || v === undefined) return null;
  if (typeof v !== "string") fail(name, `field "${key}" must be a string or null`);
  return v;
}

function integer(c: Record<string, unknown>, key: string, name: string): number {
  const v = c[key];
  if (typeof v !== "number" || !Number.isInteger(v)) fail(name, `field "${key}" must be an integer`);
  return v;
}

function parseCase(raw: unknown, index: number): TakeCase {
  const name = caseName(raw, index);
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) fail(name, "expected an object");
  const c = raw as Record<string, unknown>;
  const fn = c.function;
  if (fn !== "takeByTopologyNUMAPacked" && fn !== "takeByTopologyNUMADistributed") {
    fail(name, `field "function" must be "takeByTopologyNUMAPacked" or "takeByTopologyNUMADistributed"`);
  }
  if (typeof c.topology !== "string") fail(name, `field "topology" must be a fixture name`);
  const options = c.options ?? {};
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    fail(name, `field "options" must be an object`);
  }
  for (const [key, value] of Object.entries(options)) {
    if (!KNOWN_OPTIONS.has(key))
      fail(name, `unknown option "${key}" (known: ${[...KNOWN_OPTIONS].join(", ")})`);
    if (typeof value !== "boolean") fail(name, `option "${key}" must be a boolean`);
  }
  const opts = options as Record<string, boolean>;
  if (typeof c.availableCPUs !== "string") fail(name, `field "availableCPUs" must be a CPU list string`);
  const cpuGroupSize = fn === "takeByTopologyNUMADistributed" ? integer(c, "cpuGroupSize", name) : 1;
  const expectedCPUs = optionalString(c, "expectedCPUs", name);
  const expectedError = optionalString(c, "expectedError", name);
  if (expectedError === null && expectedCPUs === null) {
    fail(name, `one of "expectedCPUs" and "expectedError" must be set`);
  }
  return {
    name,
    fn,
    topology: c.topology,
    preferAlignByUncoreCache: opts.preferAlignByUncoreCache === true,
    strategy: opts.distributeCPUsAcrossCores === true ? "spread" : "packed",
    available: CPUSet.parse(c.availableCPUs, `${FILE}: case ${JSON.stringify(name)}: availableCPUs`),
    numCPUs: integer(c, "numCPUs", name),
    cpuGroupSize,
    expectedCPUs,
    expectedError,
  };
}

/** What a take produced, in the shape the vectors describe: a CPU list, or an error and no CPUs. */
interface TakeResult {
  cpus: string;
  error: string | null;
}

function runCase(tc: TakeCase): TakeResult {
  const topo = kubeletFixture(tc.topology);
  if (!topo) fail(tc.name, `unknown topology fixture "${tc.topology}"`);
  try {
    const cpus =
      tc.fn === "takeByTopologyNUMAPacked"
        ? takeByTopologyNUMAPacked(topo, tc.available, tc.numCPUs, tc.strategy, tc.preferAlignByUncoreCache)
        : takeByTopologyNUMADistributed(topo, tc.available, tc.numCPUs, tc.cpuGroupSize, tc.strategy);
    return { cpus: cpus.toString(), error: null };
  } catch (err) {
    if (err instanceof ManagerError) return { cpus: "", error: err.message };
    throw err;
  }
}

export const suite: Suite = {
  file: FILE,
  run(data: unknown): CaseOutcome[] {
    return asArray(data, FILE).map((raw, i) =>
      guard(caseName(raw, i), () => {
        const tc = parseCase(raw, i);
        const expected: TakeResult = {
          cpus: tc.expectedError === null ? CPUSet.parse(tc.expectedCPUs ?? "").toString() : "",
          error: tc.expectedError,
        };
        return compare(tc.name, expected, runCase(tc));
      }),
    );
  },
};
