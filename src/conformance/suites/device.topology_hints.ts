import { DeviceManager } from "../../managers/device/index.js";
import {
  DeviceVectorError,
  findContainer,
  hintsJSON,
  obj,
  readIDSets,
  readPod,
  readSetup,
  str,
} from "../device-vectors.js";
import { asArray, type CaseOutcome, caseName, compare, guard, type Suite } from "../suite.js";

const FILE = "device/topology_hints.json";

/** `GetTopologyHints` / `GetPodTopologyHints` on a given state (device-manager.md §4). */
function runCase(raw: unknown, index: number): CaseOutcome {
  const name = caseName(raw, index);
  const what = `${FILE} ${JSON.stringify(name)}`;
  const c = obj(raw, what);
  const op = str(c.op, `${what}.op`);
  if (op !== "getTopologyHints" && op !== "getPodTopologyHints")
    throw new DeviceVectorError(`${what}.op: unknown op ${JSON.stringify(op)}`);
  // This file gives no `hint`, so every container's stored hint is the zero hint.
  const { options } = readSetup(c, what);
  const pod = readPod(c.pod, `${what}.pod`);
  const container =
    op === "getTopologyHints" ? findContainer(pod, str(c.container, `${what}.container`), what) : null;
  const reusable = op === "getTopologyHints" ? readIDSets(c.reusable ?? {}, `${what}.reusable`) : new Map();
  const expected = c.expectedHints === null ? null : obj(c.expectedHints, `${what}.expectedHints`);

  return guard(name, () => {
    const manager = new DeviceManager({ ...options, reusableDevices: new Map([[pod.uid, reusable]]) });
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
