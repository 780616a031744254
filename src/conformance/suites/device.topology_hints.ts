import { DeviceManager } from "../../managers/device/index.js";
import {
  DeviceVectorError,
  findContainer,
  fixedAffinity,
  hintsJSON,
  ints,
  obj,
  readAllocations,
  readIDSets,
  readPod,
  readResources,
  str,
  strs,
} from "../device-vectors.js";
import { asArray, type CaseOutcome, caseName, compare, guard, type Suite } from "../suite.js";

const FILE = "device/topology_hints.json";
const NO_HINT = { affinity: null, preferred: false };

/** `GetTopologyHints` / `GetPodTopologyHints` on a given state (device-manager.md §4). */
function runCase(raw: unknown, index: number): CaseOutcome {
  const name = caseName(raw, index);
  const what = `${FILE} ${JSON.stringify(name)}`;
  const c = obj(raw, what);
  const op = str(c.op, `${what}.op`);
  if (op !== "getTopologyHints" && op !== "getPodTopologyHints")
    throw new DeviceVectorError(`${what}.op: unknown op ${JSON.stringify(op)}`);
  const resources = readResources(c.resources, `${what}.resources`);
  const podDevices = readAllocations(c.allocations, resources, `${what}.allocations`);
  const active = strs(c.activePods, `${what}.activePods`);
  const pod = readPod(c.pod, `${what}.pod`);
  const container =
    op === "getTopologyHints" ? findContainer(pod, str(c.container, `${what}.container`), what) : null;
  const reusable = op === "getTopologyHints" ? readIDSets(c.reusable ?? {}, `${what}.reusable`) : new Map();
  const expected = c.expectedHints === null ? null : obj(c.expectedHints, `${what}.expectedHints`);
  const numaNodes = ints(c.numaNodes, `${what}.numaNodes`);
  const allocatedDevices =
    c.allocatedDevices === undefined ? null : readIDSets(c.allocatedDevices, `${what}.allocatedDevices`);

  return guard(name, () => {
    const manager = new DeviceManager({
      resources,
      numaNodes,
      activePods: () => active.map((uid) => ({ uid })),
      affinity: fixedAffinity(NO_HINT),
      state: { podDevices, registeredResources: [] },
      reusableDevices: new Map([[pod.uid, reusable]]),
      ...(allocatedDevices ? { allocatedDevices } : {}),
    });
    const answer = container ? manager.getTopologyHints(pod, container) : manager.getPodTopologyHints(pod);
    return compare(name, expected, hintsJSON(answer));
  });
}

export const suite: Suite = {
  file: FILE,
  run(data: unknown): CaseOutcome[] {
    return asArray(data, FILE).map(runCase);
  },
};
