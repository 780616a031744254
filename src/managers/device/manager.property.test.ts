import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { ManagerError, MetricsRegistry } from "../../core/index.js";
import {
  type Container,
  containersInOrder,
  DEFAULT_FEATURE_GATES,
  isSidecar,
  type Pod,
} from "../../k8s/index.js";
import type { DeviceResource, DeviceSpec, PreferredAllocationModel } from "../../machine/index.js";
import { createTopologyManager, type TopologyManager } from "../topology/index.js";
import { DeviceManager } from "./manager.js";
import { container, limits, machineDevices, pod } from "./test-support.js";

/*
 * Random admissions, removals and health changes through the Topology Manager with the Device
 * Manager as its provider, on machines of 1-4 NUMA nodes with two device resources. After every
 * step no device is held by two containers at once, except that a standard init container lends
 * its devices to later containers of its own pod; and admitting, removing and purging a pod gives
 * back exactly the free devices there were before it.
 */

const RESOURCES = ["example.com/gpu", "example.com/nic"] as const;

const machineArb = fc.integer({ min: 1, max: 4 }).chain((n) => {
  const ids = Array.from({ length: n }, (_, i) => i);
  const nodes = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...ids).map((i) => [i]) },
    { weight: 1, arbitrary: fc.constant(ids.length > 1 ? [0, 1] : [0]) },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.constant([]) },
  );
  const preferred: fc.Arbitrary<PreferredAllocationModel> = fc.oneof(
    fc.constant(null),
    fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 4 }).map((l) => ({ fixed: l.map((i) => `d${i}`) })),
    fc
      .shuffledSubarray(
        Array.from({ length: 10 }, (_, i) => `d${i}`),
        { minLength: 1 },
      )
      .map((order) => ({ order })),
  );
  const resourceArb = (name: string): fc.Arbitrary<DeviceResource> =>
    fc
      .record({
        devices: fc.array(fc.record({ nodes, healthy: fc.boolean() }), { minLength: 2, maxLength: 8 }),
        getPreferredAllocationAvailable: fc.boolean(),
        preStartRequired: fc.constantFrom(false, false, true),
        preferred,
      })
      .map((r) => ({
        name,
        registered: true,
        devices: r.devices.map(
          (d, i): DeviceSpec => ({ id: `d${i}`, numaNodes: d.nodes, healthy: d.healthy || i % 3 !== 0 }),
        ),
        plugin: {
          getPreferredAllocationAvailable: r.getPreferredAllocationAvailable,
          preStartRequired: r.preStartRequired,
          preferred: r.preferred,
        },
      }));
  return fc.record({
    numaNodes: fc.constant(ids),
    resources: fc.tuple(resourceArb(RESOURCES[0]), resourceArb(RESOURCES[1])),
    policy: fc.constantFrom("none", "best-effort", "restricted", "single-numa-node"),
    scope: fc.constantFrom("container", "pod"),
    podLevel: fc.boolean(),
  });
});

const containerArb = fc.record({
  kind: fc.constantFrom("init", "sidecar", "app", "app"),
  gpu: fc.integer({ min: 0, max: 2 }),
  nic: fc.integer({ min: 0, max: 1 }),
});

type Op =
  | { op: "admit"; containers: { kind: string; gpu: number; nic: number }[]; budget: boolean }
  | { op: "remove"; which: number }
  | { op: "health"; resource: 0 | 1; flip: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant("admit" as const),
      containers: fc.array(containerArb, { minLength: 1, maxLength: 4 }),
      budget: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("remove" as const), which: fc.nat(9) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("health" as const),
      resource: fc.constantFrom(0 as const, 1 as const),
      flip: fc.nat(7),
    }),
  },
);

function podOf(uid: string, shape: Extract<Op, { op: "admit" }>): Pod {
  const init: Container[] = [];
  const apps: Container[] = [];
  shape.containers.forEach((c, i) => {
    const list: Record<string, string> = {};
    if (c.gpu > 0 || i % 2 === 0) list[RESOURCES[0]] = String(c.gpu);
    if (c.nic > 0) list[RESOURCES[1]] = String(c.nic);
    if (c.kind === "app") apps.push(container(`app${i}`, list));
    else init.push(container(`init${i}`, list, c.kind === "sidecar" ? "Always" : undefined));
  });
  if (apps.length === 0) apps.push(container("main", {}));
  const p = pod(uid, apps, init);
  if (shape.budget)
    p.resources = {
      requests: limits({ cpu: "2", memory: "1Gi" }),
      limits: limits({ cpu: "2", memory: "1Gi" }),
    };
  return p;
}

/** A little node: the Topology Manager with the Device Manager, and the pods it admitted. */
class Harness {
  readonly dm: DeviceManager;
  private readonly tm: TopologyManager;
  readonly admitted = new Map<string, Pod>();
  /** Every pod built so far, admitted or not. */
  readonly built = new Map<string, Pod>();
  private admitting: Pod | null = null;
  private devices: DeviceResource[];
  private next = 0;

  constructor(m: MachineShape) {
    const tm = createTopologyManager({
      policy: m.policy,
      scope: m.scope,
      policyOptions: {},
      featureGates: {
        ...DEFAULT_FEATURE_GATES,
        PodLevelResources: m.podLevel,
        PodLevelResourceManagers: m.podLevel,
      },
      numaNodes: m.numaNodes,
      distances: null,
      metrics: new MetricsRegistry(),
    });
    if (tm instanceof ManagerError) throw tm;
    this.tm = tm;
    this.devices = [...m.resources];
    this.dm = new DeviceManager({
      resources: machineDevices(...m.resources),
      numaNodes: m.numaNodes,
      activePods: () => [...this.admitted.values(), ...(this.admitting ? [this.admitting] : [])],
      affinity: tm,
      topologyManagerPolicy: m.policy,
    });
    tm.addHintProvider(this.dm);
  }

  admit(shape: Extract<Op, { op: "admit" }>): Pod {
    const p = podOf(`pod-${this.next++}`, shape);
    this.built.set(p.uid, p);
    this.admitting = p;
    const result = this.tm.admit(p);
    this.admitting = null;
    if (result.admitted) {
      this.admitted.set(p.uid, p);
      if (result.trace.path === "pod-level") this.dm.runDeferredAllocation(p);
    }
    return p;
  }

  remove(uid: string): void {
    const p = this.admitted.get(uid);
    this.admitted.delete(uid);
    for (const c of p ? containersInOrder(p) : []) this.tm.removeContainer(uid, c.name);
  }

  run(op: Op): void {
    if (op.op === "admit") this.admit(op);
    else if (op.op === "remove") {
      const uids = [...this.admitted.keys()];
      if (uids.length > 0) this.remove(uids[op.which % uids.length]);
    } else {
      const r = this.devices[op.resource];
      const list = r.devices.map((d, i) => (i === op.flip ? { ...d, healthy: !d.healthy } : d));
      this.devices[op.resource] = { ...r, devices: list };
      this.dm.updateDevices(r.name, list);
    }
  }

  /** Every (pod, container, resource, device) the Device Manager records. */
  holdings(): { uid: string; container: string; resource: string; id: string }[] {
    const out: { uid: string; container: string; resource: string; id: string }[] = [];
    for (const [uid, containers] of this.dm.stateData().podDevices) {
      for (const [name, resources] of containers) {
        for (const [resource, record] of resources) {
          for (const id of new Set([...record.deviceIDs.values()].flat()))
            out.push({ uid, container: name, resource, id });
        }
      }
    }
    return out;
  }
}

interface MachineShape {
  numaNodes: number[];
  resources: [DeviceResource, DeviceResource];
  policy: string;
  scope: string;
  podLevel: boolean;
}

/** A standard (not restartable) init container of the pod, which lends its devices to later ones. */
function lends(uid: string, name: string, pods: ReadonlyMap<string, Pod>): boolean {
  const c = pods.get(uid)?.initContainers.find((x) => x.name === name);
  return c !== undefined && !isSidecar(c);
}

describe("Device Manager state (device-manager.md §2, §5, §6)", () => {
  it("never hands a device to two containers at once, except a standard init container's loan", () => {
    fc.assert(
      fc.property(machineArb, fc.array(opArb, { maxLength: 8 }), (m, ops) => {
        const h = new Harness(m);
        for (const op of ops) {
          h.run(op);
          const byDevice = new Map<string, { uid: string; container: string }[]>();
          for (const x of h.holdings()) {
            const key = `${x.resource}/${x.id}`;
            const list = byDevice.get(key) ?? [];
            list.push({ uid: x.uid, container: x.container });
            byDevice.set(key, list);
          }
          for (const [device, holders] of byDevice) {
            const keeping = holders.filter((x) => !lends(x.uid, x.container, h.built));
            assert.ok(keeping.length <= 1, `${device} held by ${JSON.stringify(keeping)}`);
            assert.ok(
              new Set(holders.map((x) => x.uid)).size <= 1,
              `${device} held by two pods ${JSON.stringify(holders)}`,
            );
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it("admitting, removing and purging a pod restores the free devices", () => {
    const admitArb = fc.record({
      op: fc.constant("admit" as const),
      containers: fc.array(containerArb, { minLength: 1, maxLength: 4 }),
      budget: fc.boolean(),
    });
    fc.assert(
      fc.property(machineArb, fc.array(opArb, { maxLength: 5 }), admitArb, (m, before, shape) => {
        const h = new Harness(m);
        for (const op of before) h.run(op);
        h.dm.updateAllocatedDevices();
        const free = h.dm.freeDevicesByResource();
        const p = h.admit(shape);
        h.remove(p.uid);
        h.dm.updateAllocatedDevices();
        assert.deepEqual(h.dm.freeDevicesByResource(), free);
      }),
      { numRuns: 300 },
    );
  });
});
