import type { TestContext } from "node:test";
import { ClusterClient, loadKubeConfig } from "../kube/index.js";
import { type FakeApiServer, startFakeApiServer } from "./fake-apiserver.test-support.js";

export const NODE = "node-a";

/** A stand-in API server for one test, closed after it, and a real client on its kubeconfig. */
export async function fakeCluster(
  t: TestContext,
  nodeName = NODE,
): Promise<{ api: FakeApiServer; client: ClusterClient }> {
  const api = await startFakeApiServer();
  t.after(() => api.close());
  api.addNode(nodeName);
  const client = new ClusterClient(loadKubeConfig({ kubeconfig: api.kubeconfigPath }), nodeName);
  return { api, client };
}

/** A real client on an already running stand-in server's kubeconfig. */
fakeCluster.clientFor = async (api: FakeApiServer, nodeName = NODE) => ({
  client: new ClusterClient(loadKubeConfig({ kubeconfig: api.kubeconfigPath }), nodeName),
});

/** Polls `check` until it holds (or fails with `what` after `ms`). */
export async function eventually(
  what: string,
  check: () => boolean | Promise<boolean>,
  ms = 5000,
): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const FAST_BACKOFF = { initialMs: 5, maxMs: 50, jitter: 0.5 };

/** A pod spec of one Guaranteed container `main` with `cpu` CPUs and `memory`, plus `extra` spec fields. */
export function guaranteedPodSpec(cpu: string, memory = "1Gi", extra: Record<string, unknown> = {}) {
  const r = { cpu, memory };
  return {
    containers: [{ name: "main", image: "busybox", resources: { requests: r, limits: r } }],
    ...extra,
  };
}
