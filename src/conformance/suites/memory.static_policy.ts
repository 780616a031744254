import type { HugePagePool, NUMAMemory } from "../../machine/index.js";
import { emptyMemoryState, type ReusableMemorySeed, StaticPolicy } from "../../managers/memory/index.js";
import { ManagerError, MetricsRegistry, parseJSONExact, toBigInt } from "../../core/index.js";
import { DEFAULT_FEATURE_GATES } from "../../k8s/index.js";
import {
  arr,
  assignmentsJSON,
  findContainer,
  fixedAffinity,
  machineStatesForCompare,
  obj,
  readAssignments,
  readCompactPod,
  readHint,
  readMachineState,
  readReservedMemory,
  str,
  VectorSchemaError,
} from "../memory-vectors.js";
import { asArray, type CaseOutcome, caseName, compare, guard, type Suite } from "../suite.js";

const FILE = "memory/static_policy.json";

/** `machineInfo.topology` of a Start case: per node memory and hugepage pools. */
function readMachineInfo(v: unknown, what: string): Map<number, NUMAMemory> {
  const out = new Map<number, NUMAMemory>();
  if (v === null || v === undefined) return out;
  arr(obj(v, what).topology, `${what}.topology`).forEach((raw, i) => {
    const w = `${what}.topology[${i}]`;
    const node = obj(raw, w);
    const hugepages: HugePagePool[] = arr(node.hugePages ?? [], `${w}.hugePages`).map((p, j) => {
      const pool = obj(p, `${w}.hugePages[${j}]`);
      return {
        pageSizeKiB: Number(toBigInt(pool.pageSizeKiB, `${w}.hugePages[${j}].pageSizeKiB`)),
        numPages: toBigInt(pool.numPages, `${w}.hugePages[${j}].numPages`),
      };
    });
    out.set(Number(toBigInt(node.id, `${w}.id`)), {
      memory: toBigInt(node.memory, `${w}.memory`),
      hugepages,
    });
  });
  return out;
}

/** `{podUID: {"<mask as Go prints it>": {resource: bytes}}}`, or null. */
function readReusableSeed(v: unknown, what: string): ReusableMemorySeed | undefined {
  if (v === null || v === undefined) return undefined;
  const out = new Map<string, Map<bigint, Map<string, bigint>>>();
  for (const [pod, masks] of Object.entries(obj(v, what))) {
    const m = new Map<bigint, Map<string, bigint>>();
    for (const [mask, resources] of Object.entries(obj(masks, `${what}.${pod}`))) {
      if (!/^[01]+$/.test(mask))
        throw new VectorSchemaError(`${what}.${pod}: ${mask} is not a binary NUMA mask`);
      const r = new Map<string, bigint>();
      for (const [name, bytes] of Object.entries(obj(resources, `${what}.${pod}.${mask}`))) {
        r.set(name, toBigInt(bytes, `${what}.${pod}.${mask}.${name}`));
      }
      m.set(BigInt(`0b${mask}`), r);
    }
    out.set(pod, m);
  }
  return out;
}

function runCase(raw: unknown, index: number): CaseOutcome {
  const name = caseName(raw, index);
  const what = `${FILE} ${name}`;
  const c = obj(raw, what);
  const op = str(c.op, `${what}.op`);
  const state = emptyMemoryState();
  state.machineState = readMachineState(c.machineState, `${what}.machineState`);
  state.entries = readAssignments(c.assignments ?? {}, `${what}.assignments`);
  const expectedError = c.expectedError === null ? null : str(c.expectedError, `${what}.expectedError`);
  const expectedAssignments =
    expectedError === null ? readAssignments(c.expectedAssignments, `${what}.expectedAssignments`) : null;
  const expectedMachineState =
    expectedError === null ? readMachineState(c.expectedMachineState, `${what}.expectedMachineState`) : null;
  const isStart = op === "start";
  if (!isStart && op !== "allocateContainer" && op !== "allocateAllContainersInOrder") {
    throw new VectorSchemaError(`${what}.op: unknown op ${JSON.stringify(op)}`);
  }
  const pod = isStart ? null : readCompactPod(c.pod, `${what}.pod`);
  const order = isStart
    ? []
    : arr(c.allocateOrder, `${what}.allocateOrder`).map((n, i) => str(n, `${what}.allocateOrder[${i}]`));
  const containers = pod ? order.map((n) => findContainer(pod, n, `${what}.allocateOrder`)) : [];
  const toAllocate = op === "allocateContainer" ? containers.slice(0, 1) : containers;
  const options = {
    machine: { memory: readMachineInfo(c.machineInfo, `${what}.machineInfo`) },
    reservedMemory: readReservedMemory(c.systemReserved, `${what}.systemReserved`),
    gates: { ...DEFAULT_FEATURE_GATES },
    version: "1.37" as const,
    affinity: fixedAffinity(readHint(c.topologyManagerHint, `${what}.topologyManagerHint`)),
    metrics: new MetricsRegistry(),
    state,
    reusableMemory: readReusableSeed(c.initContainersReusableMemory, `${what}.initContainersReusableMemory`),
  };

  return guard(name, () => {
    const policy = StaticPolicy.create(options);
    let err: ManagerError | null = policy instanceof ManagerError ? policy : null;
    if (!(policy instanceof ManagerError)) {
      if (isStart) err = policy.start();
      for (const container of toAllocate) {
        err = policy.allocate(pod!, container);
        if (err) break;
      }
    }
    if (expectedError !== null || err !== null || !expectedAssignments || !expectedMachineState) {
      return compare(name, { error: expectedError }, { error: err ? err.message : null });
    }
    const machineStates = machineStatesForCompare(expectedMachineState, state.machineState);
    return compare(
      name,
      {
        error: null,
        assignments: assignmentsJSON(expectedAssignments),
        machineState: machineStates.expected,
      },
      { error: null, assignments: assignmentsJSON(state.entries), machineState: machineStates.actual },
    );
  });
}

export const suite: Suite = {
  file: FILE,
  run(data: unknown): CaseOutcome[] {
    return asArray(data, FILE).map(runCase);
  },
  runText(text: string): CaseOutcome[] {
    return this.run(parseJSONExact(text, FILE));
  },
};
