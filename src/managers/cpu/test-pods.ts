/** Small pod builders for the CPU Manager's unit and property tests. */
import { Quantity } from "../../core/index.js";
import type { Container, Pod, ResourceRequirements } from "../../k8s/index.js";

export interface TestContainer {
  name: string;
  /** CPU request = limit; absent = no CPU in the container's resources. */
  cpu?: string;
  /** CPU limit when it differs from the request. */
  cpuLimit?: string;
  sidecar?: boolean;
  /** No `resources` stanza at all. */
  bare?: boolean;
}

export interface TestPod {
  uid: string;
  /** Pod-level CPU (request = limit) with 1Gi memory; absent = no `.spec.resources`. */
  podCPU?: string;
  init?: TestContainer[];
  apps: TestContainer[];
}

function container(c: TestContainer): Container {
  const out: Container = { name: c.name, resources: null };
  if (c.sidecar) out.restartPolicy = "Always";
  if (c.bare) return out;
  const memory = Quantity.parse("100Mi");
  const res: ResourceRequirements = { requests: { memory }, limits: { memory } };
  if (c.cpu !== undefined) {
    res.requests.cpu = Quantity.parse(c.cpu);
    res.limits.cpu = Quantity.parse(c.cpuLimit ?? c.cpu);
  }
  out.resources = res;
  return out;
}

export function testPod(p: TestPod): Pod {
  const memory = Quantity.parse("1Gi");
  return {
    uid: p.uid,
    name: p.uid,
    namespace: "default",
    initContainers: (p.init ?? []).map(container),
    containers: p.apps.map(container),
    resources:
      p.podCPU === undefined
        ? null
        : {
            requests: { cpu: Quantity.parse(p.podCPU), memory },
            limits: { cpu: Quantity.parse(p.podCPU), memory },
          },
  };
}
