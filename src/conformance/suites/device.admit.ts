import { ManagerError, MetricsRegistry } from "../../core/index.js";
import { containersInOrder, type Container, DEFAULT_FEATURE_GATES, type Pod } from "../../k8s/index.js";
import type { DeviceResources, DeviceSpec } from "../../machine/index.js";
import { DeviceManager, deviceHintSettings } from "../../managers/device/index.js";
import {
  createTopologyManager,
  type HintProvider,
  type MergeData,
  type ProviderHints,
  type TopologyManager,
  topologyVectors,
} from "../../managers/topology/index.js";
import {
  allocatedJSON,
  arr,
  bool,
  callJSON,
  DeviceVectorError,
  holdingsJSON,
  ints,
  type Obj,
  obj,
  readDevice,
  readPod,
  readResources,
  str,
} from "../device-vectors.js";
import { asArray, type CaseOutcome, caseName, compare, guard, type Suite } from "../suite.js";

const FILE = "device/admit.json";

/** `otherHints` of one admit step: per container (container scope) or `pod`, one answer per provider. */
type OtherHints = ReadonlyMap<string, readonly ProviderHints[]>;

type Step =
  | { op: "admit"; pod: Pod; otherHints: OtherHints }
  | { op: "remove"; pod: string }
  | { op: "updateDevices"; resource: string; devices: DeviceSpec[] };

/**
 * A provider standing for the CPU or Memory Manager: the answer the step gives it, no allocation.
 * A container the step does not list gets no preference (a nil answer, which leaves the merge as
 * it is).
 */
class FixedAnswerProvider implements HintProvider {
  answers: OtherHints = new Map();
  constructor(
    readonly resource: "cpu" | "memory",
    private readonly slot: number,
  ) {}
  getTopologyHints(_pod: Pod, container: Container): ProviderHints {
    return this.answers.get(container.name)?.[this.slot] ?? null;
  }
  getPodTopologyHints(): ProviderHints {
    return this.answers.get("pod")?.[this.slot] ?? null;
  }
  allocate(): ManagerError | null {
    return null;
  }
  allocatePod(): ManagerError | null {
    return null;
  }
}

function readOtherHints(v: unknown, what: string): OtherHints {
  if (v === undefined || v === null) return new Map();
  return new Map(
    Object.entries(obj(v, what)).map(([key, answers]) => [
      key,
      arr(answers, `${what}.${key}`).map((a, i) =>
        topologyVectors.providerHintsFromJSON(a, `${what}.${key}[${i}]`),
      ),
    ]),
  );
}

function readStep(v: unknown, what: string): Step {
  const s = obj(v, what);
  const op = str(s.op, `${what}.op`);
  switch (op) {
    case "admit":
      return {
        op,
        pod: readPod(s.pod, `${what}.pod`),
        otherHints: readOtherHints(s.otherHints, `${what}.otherHints`),
      };
    case "remove":
      return { op, pod: str(s.pod, `${what}.pod`) };
    case "updateDevices":
      return {
        op,
        resource: str(s.resource, `${what}.resource`),
        devices: arr(s.devices, `${what}.devices`).map((d, i) => readDevice(d, `${what}.devices[${i}]`)),
      };
    default:
      throw new DeviceVectorError(`${what}.op: unknown op ${JSON.stringify(op)}`);
  }
}

interface Kubelet {
  policy: string;
  scope: string;
  podLevelResources: boolean;
  podLevelResourceManagers: boolean;
}

function readKubelet(v: unknown, what: string): Kubelet {
  const k = obj(v, what);
  const gates = obj(k.featureGates, `${what}.featureGates`);
  return {
    policy: str(k.topologyManagerPolicy, `${what}.topologyManagerPolicy`),
    scope: str(k.topologyManagerScope, `${what}.topologyManagerScope`),
    podLevelResources: bool(gates.PodLevelResources, `${what}.featureGates.PodLevelResources`),
    podLevelResourceManagers: bool(
      gates.PodLevelResourceManagers,
      `${what}.featureGates.PodLevelResourceManagers`,
    ),
  };
}

/** The node under test: the Device Manager first, then the two fixed-answer providers. */
class AdmitHarness {
  readonly topology: TopologyManager;
  readonly devices: DeviceManager;
  private readonly others: FixedAnswerProvider[];
  private readonly admitted = new Map<string, Pod>();
  private admitting: Pod | null = null;

  constructor(numaNodes: number[], resources: DeviceResources, kubelet: Kubelet) {
    const tm = createTopologyManager({
      policy: kubelet.policy,
      scope: kubelet.scope,
      // Machines of more than the default 8 nodes need the limit raised, as on a real node.
      policyOptions: numaNodes.length > 8 ? { "max-allowable-numa-nodes": String(numaNodes.length) } : {},
      featureGates: {
        ...DEFAULT_FEATURE_GATES,
        PodLevelResources: kubelet.podLevelResources,
        PodLevelResourceManagers: kubelet.podLevelResourceManagers,
      },
      numaNodes,
      distances: null,
      metrics: new MetricsRegistry(),
    });
    if (tm instanceof ManagerError) throw new DeviceVectorError(`kubelet: ${tm.message}`);
    this.topology = tm;
    this.devices = new DeviceManager({
      resources,
      numaNodes,
      activePods: () => this.activePods(),
      affinity: tm,
      topologyManagerPolicy: kubelet.policy,
    });
    this.others = [new FixedAnswerProvider("cpu", 0), new FixedAnswerProvider("memory", 1)];
    tm.addHintProvider(this.devices);
    for (const p of this.others) tm.addHintProvider(p);
  }

  private activePods(): Pod[] {
    const pods = [...this.admitted.values()];
    if (this.admitting && !this.admitted.has(this.admitting.uid)) pods.push(this.admitting);
    return pods;
  }

  admit(pod: Pod, otherHints: OtherHints): Obj {
    for (const p of this.others) p.answers = otherHints;
    this.devices.beginAdmission();
    this.admitting = pod;
    const result = this.topology.admit(pod);
    this.admitting = null;
    if (result.admitted) this.admitted.set(pod.uid, pod);
    const out: Obj = {
      admitted: result.admitted,
      reason: result.reason,
      message: result.message,
      hints: result.trace.merges.map(hintsEntry),
      devicesToAllocate: this.devices.admissionTrace().map(callJSON),
    };
    if (result.admitted && result.trace.path === "pod-level") {
      out.deferred = this.devices.runDeferredAllocation(pod).map((d) => ({
        container: d.container,
        error: d.error,
        devicesToAllocate: d.devicesToAllocate.map(callJSON),
      }));
    }
    out.devices = holdingsJSON(this.devices.podDeviceIDs(pod.uid));
    out.allocatedDevices = allocatedJSON(this.devices.allocatedDeviceIDs());
    return out;
  }

  remove(uid: string): void {
    const pod = this.admitted.get(uid);
    this.admitted.delete(uid);
    if (pod) for (const c of containersInOrder(pod)) this.topology.removeContainer(uid, c.name);
  }
}

function hintsEntry(m: MergeData): Obj {
  const device = m.answers.find((a) => a.provider === "device");
  const entry: Obj = { deviceHints: device ? device.hints : null, bestHint: m.hint, admit: m.admit };
  if (m.container !== null) entry.container = m.container;
  return entry;
}

function runCase(raw: unknown, index: number): CaseOutcome {
  const name = caseName(raw, index);
  const what = `${FILE} ${JSON.stringify(name)}`;
  const c = obj(raw, what);
  const numaNodes = ints(c.numaNodes, `${what}.numaNodes`);
  const resources = readResources(c.resources, `${what}.resources`);
  const kubelet = readKubelet(c.kubelet, `${what}.kubelet`);
  const steps = arr(c.steps, `${what}.steps`).map((s, i) => readStep(s, `${what}.steps[${i}]`));
  const expected = arr(c.expected, `${what}.expected`);
  if (expected.length !== steps.length)
    throw new DeviceVectorError(`${what}.expected: expected one entry per step`);
  bool(c.kubeletDecisionsVary, `${what}.kubeletDecisionsVary`);
  bool(c.kubeletDevicesVary, `${what}.kubeletDevicesVary`);

  return guard(name, () => {
    const node = new AdmitHarness(numaNodes, resources, kubelet);
    const actual = steps.map((step): Obj => {
      if (step.op === "admit") return node.admit(step.pod, step.otherHints);
      if (step.op === "remove") node.remove(step.pod);
      else node.devices.updateDevices(step.resource, step.devices);
      return { op: step.op, allocatedDevices: allocatedJSON(node.devices.allocatedDeviceIDs()) };
    });
    return compare(name, expected, actual);
  });
}

/**
 * The vectors list every hint the kubelet lists, so the single-numa-node shortcut (same merge and
 * verdict, fewer hints; proven by the hint property tests) is off while they run.
 */
function withFullHintLists<T>(fn: () => T): T {
  const saved = deviceHintSettings.singleNUMAFastPath;
  deviceHintSettings.singleNUMAFastPath = false;
  try {
    return fn();
  } finally {
    deviceHintSettings.singleNUMAFastPath = saved;
  }
}

export const suite: Suite = {
  file: FILE,
  run(data: unknown): CaseOutcome[] {
    return withFullHintLists(() => asArray(data, FILE).map(runCase));
  },
};
