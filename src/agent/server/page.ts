import { buildDecisions, type Node } from "../../node/index.js";
import { buildNodeView, type DecisionRow, nodeStateOf, renderHtmlReport } from "../../report/index.js";

/** The decisions-table row of a pod as the node holds it now. */
function liveRow(node: Node, uid: string): DecisionRow[] {
  const pod = node.pod(uid);
  if (!pod) return [];
  const { containers, podDecision } = buildDecisions(node, pod);
  return [
    {
      pod: { uid: pod.uid, name: pod.name, namespace: pod.namespace },
      admitted: true,
      reason: null,
      message: null,
      bubble: podDecision.bubble,
      podSharedPool: podDecision.podSharedPool,
      podMemory: podDecision.memory,
      podCpuQuotaUs: podDecision.cgroup.cpuQuotaUs,
      containers,
    },
  ];
}

/**
 * The node's picture (the `simulate --html` report) for the live state, reloading itself every
 * `refreshSeconds` so a browser left open follows admissions and removals.
 */
export function livePage(node: Node, refreshSeconds: number): string {
  const cfg = node.config;
  const html = renderHtmlReport({
    title: `podpin agent · ${node.machine.name}`,
    view: buildNodeView(node.machine, nodeStateOf(node)),
    decisions: node.admittedPods().flatMap((p) => liveRow(node, p.uid)),
    summary: [
      `kubelet ${cfg.kubernetesVersion}: cpuManagerPolicy ${cfg.cpuManagerPolicy}, memoryManagerPolicy ${cfg.memoryManagerPolicy}, topologyManagerPolicy ${cfg.topologyManagerPolicy} (scope ${cfg.topologyManagerScope})`,
      `${node.admittedPods().length} pods admitted; this page reloads every ${refreshSeconds} s`,
    ],
    notes: node.machine.notes,
  });
  return html.replace("<head>", `<head><meta http-equiv="refresh" content="${refreshSeconds}">`);
}
