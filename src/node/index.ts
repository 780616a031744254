/** The Node engine: the admission pipeline every front end drives. */
export { Node, NodeConfigError, type NodeOptions, type RemovalResult, type RestoredState } from "./node.js";
export { defaultNodeConfig, nodeConfigFromKubelet } from "./config.js";
export * from "./types.js";
