import { amountsOf, Node } from "../../node/index.js";
import { ClusterState } from "./cluster-state.js";
import type { FleetGroup } from "./fleet-inputs.js";
import type { TopologyMatchNode } from "./numa-filter.js";
import { type NrtView, nrtViewOf } from "./numa-zones.js";
import { toNumbers } from "./requests.js";

/**
 * The fleet's nodes: the scheduler's cache, and per node its kubelet (a podpin `Node`, built when
 * the first pod is bound to it: until then it is its group's fresh node) and what the scheduler
 * reads of its NodeResourceTopology object: the one the node agent would publish, built again
 * after each change on that node only, when next needed.
 */
export class FleetNodes {
  readonly state: ClusterState;
  /** Group index of each node. */
  readonly groupOf: Int32Array;
  readonly names: string[];
  private readonly kubelets: (Node | null)[];
  private readonly topologies: (TopologyMatchNode | null)[];
  /** 1 where the node changed since its topology was last read. */
  private readonly stale: Uint8Array;
  private readonly fresh: { view: NrtView; allocatable: Map<string, number> }[];

  constructor(readonly groups: readonly FleetGroup[]) {
    this.fresh = groups.map((g) => {
      const probe = new Node({ machine: g.machine, config: g.config });
      return {
        view: nrtViewOf(probe, g.name),
        allocatable: toNumbers(amountsOf(probe.nodeObject().allocatable)),
      };
    });
    const groupOf: number[] = [];
    this.names = [];
    groups.forEach((g, gi) => {
      for (let i = 0; i < g.count; i++) {
        groupOf.push(gi);
        this.names.push(`${g.name}-${i}`);
      }
    });
    this.groupOf = Int32Array.from(groupOf);
    this.state = new ClusterState(groupOf.map((gi) => this.fresh[gi].allocatable));
    this.kubelets = groupOf.map(() => null);
    this.topologies = groupOf.map(() => null);
    this.stale = new Uint8Array(groupOf.length);
  }

  get size(): number {
    return this.names.length;
  }

  kubelet(node: number): Node {
    let k = this.kubelets[node];
    if (!k) {
      const g = this.groups[this.groupOf[node]];
      k = new Node({ machine: g.machine, config: g.config });
      this.kubelets[node] = k;
    }
    return k;
  }

  /** The kubelet, when one was built (a node no pod was bound to has none). */
  builtKubelet(node: number): Node | null {
    return this.kubelets[node];
  }

  /** The node's state changed: its zones are read again when next needed. */
  changed(node: number): void {
    this.stale[node] = 1;
  }

  /**
   * The node's NodeResourceTopology as the scheduler reads it. With `amounts` false the caller
   * needs only which resources each zone lists, never how much is left: that list is fixed for
   * the whole run (device lists do not change in a fleet), so the last reading serves, however
   * old, and the object is not built again (most of the fleet's pods are such).
   */
  topology(node: number, amounts = true): TopologyMatchNode {
    const known = this.topologies[node];
    if (known && (!amounts || this.stale[node] === 0)) return known;
    const gi = this.groupOf[node];
    const k = this.kubelets[node];
    const view = k ? nrtViewOf(k, this.names[node]) : this.fresh[gi].view;
    const topology: TopologyMatchNode = { ...view, allocatable: this.fresh[gi].allocatable };
    this.topologies[node] = topology;
    this.stale[node] = 0;
    return topology;
  }
}
