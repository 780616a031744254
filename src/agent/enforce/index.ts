/**
 * Enforcement: the node agent's decisions applied to real containers (CRI UpdateContainerResources)
 * and pod cgroups, once after every change and again every reconcile period.
 */
export { createEnforcer, DEFAULT_RECONCILE_PERIOD_MS } from "./enforcer.js";
export type {
  EnforceFailure,
  EnforceLog,
  EnforceResult,
  EnforceTarget,
  EnforceWrite,
  Enforcer,
  EnforcerOptions,
  NodeLike,
  PendingContainer,
} from "./types.js";
export {
  CriClient,
  type CriClientOptions,
  type CriRuntime,
  DEFAULT_CRI_TIMEOUT_MS,
  DEFAULT_RUNTIME_ENDPOINT,
  socketPathOf,
} from "./cri-client.js";
export type * from "./cri-types.js";
export { CgroupMissingError, CgroupPathError, CriError, EnforceConfigError } from "./errors.js";
export {
  type CgroupDriver,
  cgroupfsPath,
  DEFAULT_CGROUP_DRIVER,
  DEFAULT_CGROUP_ROOT,
  isPodUID,
  parseCgroupDriver,
  podCgroupPath,
} from "./cgroup-names.js";
export { DEFAULT_CGROUP_MOUNT } from "./cgroup-fs.js";
export { CONTAINER_NAME_LABEL, POD_UID_LABEL } from "./pass.js";
export { containerUpdate } from "./container-update.js";
export { podCgroupFiles } from "./pod-cgroup-files.js";
