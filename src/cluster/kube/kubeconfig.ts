import { KubeConfig } from "@kubernetes/client-node";
import { ClusterSetupError } from "./errors.js";

export type KubeConfigSource = { kubeconfig: string } | { inCluster: true };

function oneLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).replace(/\s+/g, " ").trim();
}

/**
 * The API server connection: a kubeconfig file's current context, or the pod's service account
 * (KUBERNETES_SERVICE_HOST/PORT and the token and CA under /var/run/secrets/kubernetes.io).
 */
export function loadKubeConfig(source: KubeConfigSource): KubeConfig {
  const kc = new KubeConfig();
  if ("kubeconfig" in source) {
    try {
      kc.loadFromFile(source.kubeconfig);
    } catch (err) {
      throw new ClusterSetupError(`--kubeconfig ${source.kubeconfig}: cannot be read: ${oneLine(err)}`);
    }
    if (!kc.getCurrentCluster())
      throw new ClusterSetupError(
        `--kubeconfig ${source.kubeconfig}: current-context names no cluster (expected a context with a cluster and a user)`,
      );
    return kc;
  }
  if (!process.env.KUBERNETES_SERVICE_HOST || !process.env.KUBERNETES_SERVICE_PORT)
    throw new ClusterSetupError(
      "--in-cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set (not running in a pod?)",
    );
  try {
    kc.loadFromCluster();
  } catch (err) {
    throw new ClusterSetupError(`--in-cluster: ${oneLine(err)}`);
  }
  return kc;
}
