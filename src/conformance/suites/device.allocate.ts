import { DeviceManager } from "../../managers/device/index.js";
import {
  allocatedJSON,
  arr,
  callJSON,
  DeviceVectorError,
  findContainer,
  holdingsJSON,
  int,
  type Obj,
  obj,
  readPod,
  readSetup,
  str,
  strs,
} from "../device-vectors.js";
import { asArray, type CaseOutcome, caseName, compare, guard, type Suite } from "../suite.js";

const FILE = "device/allocate.json";

const sorted = (ids: Iterable<string>) => [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/** One `devicesToAllocate` call (§5.3); no purge, as in the kubelet's direct calls. */
function devicesToAllocateCase(c: Obj, name: string, what: string): CaseOutcome {
  const { options } = readSetup(c, what);
  const podUID = str(c.podUID, `${what}.podUID`);
  const container = str(c.container, `${what}.container`);
  const resource = str(c.resource, `${what}.resource`);
  const request = int(c.request, `${what}.request`);
  const reusable = new Set(strs(c.reusable, `${what}.reusable`));
  const expected = obj(c.expected, `${what}.expected`);
  return guard(name, () => {
    const manager = new DeviceManager(options);
    const { call } = manager.devicesToAllocate(podUID, container, resource, request, reusable);
    const { error, devices, fixed, choose, preferredCalls } = callJSON(call);
    return compare(name, expected, {
      error,
      devices,
      fixed,
      choose,
      preferredCalls,
      allocatedDevicesAfter: allocatedJSON(manager.allocatedDeviceIDs()),
    });
  });
}

/** `filterByAffinity` (§5.4) of the given available devices. */
function filterByAffinityCase(c: Obj, name: string, what: string): CaseOutcome {
  const { options } = readSetup(c, what);
  const resource = str(c.resource, `${what}.resource`);
  const available = strs(c.available, `${what}.available`);
  const expected = obj(c.expected, `${what}.expected`);
  return guard(name, () => {
    const manager = new DeviceManager(options);
    const groups = manager.filterByAffinity("", "", resource, available);
    return compare(name, expected, {
      aligned: sorted(groups.aligned),
      unaligned: sorted(groups.unaligned),
      noAffinity: sorted(groups.noAffinity),
    });
  });
}

/** Successive `Allocate` calls on one manager (§5.1), each with its own active pods. */
function allocateSequenceCase(c: Obj, name: string, what: string): CaseOutcome {
  const { options, active } = readSetup(c, what);
  const steps = arr(c.steps, `${what}.steps`).map((raw, i) => {
    const w = `${what}.steps[${i}]`;
    const s = obj(raw, w);
    const call = obj(s.allocate, `${w}.allocate`);
    const pod = readPod(call.pod, `${w}.allocate.pod`);
    return {
      activePods: strs(s.activePods, `${w}.activePods`),
      pod,
      container: findContainer(pod, str(call.container, `${w}.allocate.container`), `${w}.allocate`),
    };
  });
  const expected = arr(c.expected, `${what}.expected`);
  if (expected.length !== steps.length)
    throw new DeviceVectorError(`${what}.expected: expected one entry per step`);
  return guard(name, () => {
    const manager = new DeviceManager(options);
    const actual = steps.map((step) => {
      active.uids = step.activePods;
      manager.beginAdmission();
      const err = manager.allocate(step.pod, step.container);
      return {
        error: err ? err.message : null,
        devicesToAllocate: manager.admissionTrace().map(callJSON),
        devices: holdingsJSON(manager.podDeviceIDs(step.pod.uid)),
        allocatedDevices: allocatedJSON(manager.allocatedDeviceIDs()),
      };
    });
    return compare(name, expected, actual);
  });
}

function runCase(raw: unknown, index: number): CaseOutcome {
  const name = caseName(raw, index);
  const what = `${FILE} ${JSON.stringify(name)}`;
  const c = obj(raw, what);
  const op = str(c.op, `${what}.op`);
  switch (op) {
    case "devicesToAllocate":
      return devicesToAllocateCase(c, name, what);
    case "filterByAffinity":
      return filterByAffinityCase(c, name, what);
    case "allocateSequence":
      return allocateSequenceCase(c, name, what);
    default:
      throw new DeviceVectorError(`${what}.op: unknown op ${JSON.stringify(op)}`);
  }
}

export const suite: Suite = {
  file: FILE,
  run(data: unknown): CaseOutcome[] {
    return asArray(data, FILE).map(runCase);
  },
};
