/** The agent's HTTP layer: routing, body limits, bearer tokens, unix and TCP listeners, the API. */
export { type ApiContext, apiRoutes, METRICS_TYPE } from "./api.js";
export { bearerTokenCheck, MIN_TOKEN_LENGTH, readTokenFile } from "./auth.js";
export { assertPodContentType, readBody } from "./body.js";
export { errorReplyFor } from "./error-status.js";
export {
  type AgentHttpServerOptions,
  createAgentHttpServer,
  DEFAULT_HTTP_LIMITS,
  type HttpLimits,
} from "./http-server.js";
export { DEFAULT_LISTEN, isLoopback, type ListenAddress, parseListenAddress } from "./listen-address.js";
export { type Listener, listen } from "./listeners.js";
export { livePage } from "./page.js";
export { errorReply, HttpError, jsonReply, type Reply, textReply } from "./reply.js";
export { type Route, type RouteHandler, type RouteMatch, type RouteParams, Router } from "./router.js";
export { clearStaleSocket } from "./unix-socket.js";
