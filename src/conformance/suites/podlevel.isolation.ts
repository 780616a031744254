import { z } from "zod";
import { CPUSet } from "../../core/index.js";
import {
  containersInOrder,
  DEFAULT_FEATURE_GATES,
  type FeatureGates,
  podFromObject,
} from "../../k8s/index.js";
import {
  type ContainerCPUState,
  containerHasExclusiveCPUs,
  type CPUStateOf,
  type IsolationLevel,
  podHasExclusiveCPUs,
} from "../../node/index.js";
import { asArray, type CaseOutcome, caseName, compare, guard, type Suite } from "../suite.js";

/**
 * `podlevel/isolation.json`: `ContainerHasExclusiveCPUs` / `PodHasExclusiveCPUs` with the Go test's
 * CPU Manager mock — `GetExclusiveCPUs` returns the listed set (empty if absent) and
 * `GetResourceIsolationLevel` the explicit level, else `container` with a set, else `host`.
 */
const level = z.enum(["host", "pod", "container"]);
const caseSchema = z.object({
  name: z.string(),
  op: z.enum(["containerHasExclusiveCPUs", "podHasExclusiveCPUs"]),
  config: z.object({ gates: z.record(z.string(), z.boolean()) }),
  pod: z.unknown(),
  container: z.string().optional(),
  cpuManagerMock: z.object({
    exclusiveCPUs: z.record(z.string(), z.string()),
    isolationLevels: z.record(z.string(), level),
    effectiveIsolationLevel: z.record(z.string(), level).optional(),
  }),
  expected: z.boolean(),
});
type Case = z.infer<typeof caseSchema>;

function mockState(c: Case, uid: string): CPUStateOf {
  const mock = c.cpuManagerMock;
  return (container) => {
    const key = `${uid}/${container.name}`;
    const cpus = CPUSet.parse(mock.exclusiveCPUs[key] ?? "", `${c.name}: cpuManagerMock.exclusiveCPUs`);
    const isolation: IsolationLevel = mock.isolationLevels[key] ?? (cpus.isEmpty() ? "host" : "container");
    const state: ContainerCPUState = { cpus, isolation };
    return state;
  };
}

function runCase(raw: unknown, index: number): CaseOutcome {
  const parsed = caseSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `case ${JSON.stringify(caseName(raw, index))}: ${issue.path.join(".")}: ${issue.message}`,
    );
  }
  const c = parsed.data;
  return guard(c.name, () => {
    const gates: FeatureGates = { ...DEFAULT_FEATURE_GATES, ...c.config.gates };
    const pod = podFromObject(c.pod, `isolation.json case ${JSON.stringify(c.name)}`);
    const stateOf = mockState(c, pod.uid);
    if (c.op === "podHasExclusiveCPUs")
      return compare(c.name, c.expected, podHasExclusiveCPUs(pod, stateOf, gates));
    const container = containersInOrder(pod).find((x) => x.name === c.container);
    if (!container) throw new Error(`container ${JSON.stringify(c.container)} is not in the pod`);
    return compare(c.name, c.expected, containerHasExclusiveCPUs(stateOf(container)));
  });
}

export const suite: Suite = {
  file: "podlevel/isolation.json",
  run(data) {
    return asArray(data, this.file).map(runCase);
  },
};
