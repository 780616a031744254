/**
 * The node agent: one engine (the state directory's `Node`) driven one operation at a time, served
 * over HTTP+JSON on a unix socket or a token-guarded TCP port, with hooks for PodResources and
 * enforcement.
 */
export {
  type Agent,
  type AgentAddOn,
  type AgentAddOnHandle,
  type AgentOptions,
  startAgent,
} from "./agent.js";
export {
  AgentEngine,
  type ChangeListener,
  type EngineChange,
  type EngineOp,
  type EngineOptions,
  type RemoveContainerResult,
  type RemoveStep,
} from "./engine.js";
export { AgentSetupError, AgentUnavailableError, NotAdmittedError, ReadOnlyStateError } from "./errors.js";
export {
  type NodeInfoDoc,
  nodeInfoDoc,
  type PodDoc,
  podDoc,
  type PodListDoc,
  podListDoc,
  type RemoveContainerDoc,
  removeContainerDoc,
  removeStepDoc,
} from "./docs.js";
export { type AgentLog, createLog, type LogFields, logfmtLine, type LogLevel, type LogValue } from "./log.js";
export { type PodStatusDoc, podStatusDoc } from "./pod-doc.js";
export { type PodRequest, podFromRequest, REQUEST_BODY } from "./pod-request.js";
export { SerialQueue } from "./serial-queue.js";
export {
  type OpenedStateDir,
  openStateDir,
  type StateDir,
  StateDirError,
  type StateDirOptions,
  type StateOp,
} from "./state/index.js";
export { coalesced, type EnforcementSettings, enforcementAddOn, podResourcesAddOn } from "./add-ons.js";
export {
  DEFAULT_HTTP_LIMITS,
  DEFAULT_LISTEN,
  type HttpLimits,
  type ListenAddress,
  parseListenAddress,
  readTokenFile,
} from "./server/index.js";
