import { podDeviceRequest } from "../../managers/device/index.js";
import { DeviceVectorError, int, obj, readPod, str, strs } from "../device-vectors.js";
import { asArray, type CaseOutcome, caseName, compare, guard, type Suite } from "../suite.js";

const FILE = "device/pod_device_request.json";

/** The pod-scope device request (device-manager.md §3.3): only `registered` resources count. */
function runCase(raw: unknown, index: number): CaseOutcome {
  const name = caseName(raw, index);
  const what = `${FILE} ${JSON.stringify(name)}`;
  const c = obj(raw, what);
  const op = str(c.op, `${what}.op`);
  if (op !== "podDeviceRequest") throw new DeviceVectorError(`${what}.op: unknown op ${JSON.stringify(op)}`);
  const registered = new Set(strs(c.registered, `${what}.registered`));
  const pod = readPod(c.pod, `${what}.pod`);
  const expected = Object.fromEntries(
    Object.entries(obj(c.expected, `${what}.expected`)).map(([r, n]) => [r, int(n, `${what}.expected.${r}`)]),
  );
  return guard(name, () =>
    compare(name, expected, Object.fromEntries(podDeviceRequest(pod, (r) => registered.has(r)))),
  );
}

export const suite: Suite = {
  file: FILE,
  run(data: unknown): CaseOutcome[] {
    return asArray(data, FILE).map(runCase);
  },
};
