/** The API server connection: kubeconfig or in-cluster credentials, and the requests podpin makes. */
export {
  ClusterClient,
  type ClusterLog,
  type CoreEvent,
  type EventApi,
  FIELD_MANAGER,
  type NodeObject,
  type PodPage,
  type PodSource,
  type PodWatch,
  type WatchEnd,
  type WatchOptions,
} from "./client.js";
export { ClusterSetupError, KubeApiError } from "./errors.js";
export { type KubeConfigSource, loadKubeConfig } from "./kubeconfig.js";
export { type KubeRequest, type KubeRequester, kubeRequester } from "./request.js";
