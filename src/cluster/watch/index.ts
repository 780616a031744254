/** The pods bound to this node, listed and watched from the API server and kept in a cache. */
export { Backoff, type BackoffOptions, DEFAULT_BACKOFF } from "./backoff.js";
export { isFinishedTerminating, isTerminalPhase, kubeletOrder, podKey, releasesResources } from "./order.js";
export { PodReflector, type ReflectorLog, type ReflectorOptions } from "./reflector.js";
