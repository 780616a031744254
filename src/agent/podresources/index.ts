/** The PodResources v1 gRPC service of the node agent: the answers built from the engine, and the server. */
export {
  startPodResourcesServer,
  type PodResourcesServer,
  type PodResourcesServerOptions,
} from "./server.js";
export {
  allocatableResources,
  getPodResources,
  listPodResources,
  type PodResourcesSource,
  podNotFoundMessage,
} from "./view.js";
export { PodResourcesServerError } from "./errors.js";
export { PROTO_FILE } from "./wire.js";
export type * from "./types.js";
