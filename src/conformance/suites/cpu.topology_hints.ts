import { Quantity } from "../../core/index.js";
import type { Pod } from "../../k8s/index.js";
import { CPUState, cpuVectors, StaticPolicy } from "../../managers/cpu/index.js";
import { hintToJSON } from "../../managers/topology/index.js";
import { asArray, type CaseOutcome, caseName, compare, guard, type Suite } from "../suite.js";

const { arr, bool, caseGates, cpuset, int, obj, optObj, optStr, str, stringMap, topologyFromJSON } =
  cpuVectors;

const FILE = "cpu/topology_hints.json";

interface HintJSON {
  numaNodes: number[] | null;
  preferred: boolean;
}

function sortHints(hints: HintJSON[]): HintJSON[] {
  const key = (h: HintJSON) => `${h.preferred ? 0 : 1}:${(h.numaNodes ?? []).join(",")}`;
  return [...hints].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** The kubelet test's pod: one Guaranteed container requesting `request` whole CPUs. */
function testPod(uid: string, containerName: string, request: number): Pod {
  const cpu = Quantity.fromInt(request);
  const memory = Quantity.parse("1G");
  return {
    uid,
    name: uid,
    namespace: "default",
    initContainers: [],
    containers: [{ name: containerName, resources: { requests: { cpu, memory }, limits: { cpu, memory } } }],
    resources: null,
  };
}

function runCase(raw: unknown, index: number): CaseOutcome {
  const name = caseName(raw, index);
  return guard(name, () => {
    const what = `${FILE}: case ${JSON.stringify(name)}`;
    const c = obj(raw, what);
    const podUID = optStr(c.podUID, `${what}.podUID`) ?? "fakePod";
    const containerName = optStr(c.containerName, `${what}.containerName`) ?? "fakeContainer";
    const state = new CPUState();
    state.setDefaultCPUSet(cpuset(c.availableCPUs, `${what}.availableCPUs`));
    for (const [uid, ctrs] of Object.entries(optObj(c.assignments, `${what}.assignments`) ?? {})) {
      for (const [ctr, set] of Object.entries(obj(ctrs, `${what}.assignments.${uid}`))) {
        state.setCPUSet(uid, ctr, cpuset(set, `${what}.assignments.${uid}.${ctr}`));
      }
    }
    const policy = new StaticPolicy({
      topology: topologyFromJSON(c.topology, `${what}.topology`),
      numReservedCPUs: int(c.numReservedCPUs ?? 0, `${what}.numReservedCPUs`),
      options: stringMap(c.options, `${what}.options`),
      gates: caseGates({}, `${what}.gates`),
      state,
    });
    const pod = testPod(podUID, containerName, int(c.request, `${what}.request`));
    const reusable = cpuset(c.reusableCPUs, `${what}.reusableCPUs`);
    if (!reusable.isEmpty()) policy.seedReusableCPUs(podUID, reusable);

    const podScope = str(c.source ?? "", `${what}.source`).includes("GetPodTopologyHints");
    const hints = podScope
      ? policy.getPodTopologyHints(pod)
      : policy.getTopologyHints(pod, pod.containers[0]);
    const actual = sortHints((hints?.get("cpu") ?? []).map(hintToJSON));

    // The Go test treats a nil and an empty hint list alike.
    const expectedRaw = c.expectedHints === null ? [] : arr(c.expectedHints, `${what}.expectedHints`);
    const expected = sortHints(
      expectedRaw.map((h, i) => {
        const o = obj(h, `${what}.expectedHints[${i}]`);
        const nodes = o.numaNodes === null ? null : arr(o.numaNodes, `${what}.expectedHints[${i}].numaNodes`);
        return {
          numaNodes:
            nodes === null ? null : nodes.map((n) => int(n, `${what}.expectedHints[${i}].numaNodes`)),
          preferred: bool(o.preferred, `${what}.expectedHints[${i}].preferred`),
        };
      }),
    );
    return compare(name, expected, actual);
  });
}

export const suite: Suite = {
  file: FILE,
  run(data: unknown): CaseOutcome[] {
    return asArray(data, FILE).map(runCase);
  },
};
