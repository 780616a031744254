/**
 * podpin as a library: the kubelet's Topology, CPU and Memory Managers (with KEP-5526 pod-level
 * resource managers) behind one engine, `Node`.
 *
 *   const node = new Node({ machine: loadMachine("worked-example"), config: nodeConfigFromKubelet(cfg) });
 *   const result = node.admit(parsePods(text, "pod.yaml")[0]);
 */
export { CPUSet } from "./core/cpuset.js";
export { Quantity } from "./core/quantity.js";
export { MetricsRegistry } from "./core/metrics.js";
export {
  type KubeletConfig,
  loadKubeletConfigFromFile,
  loadPodsFromFile,
  parseKubeletConfig,
  parsePods,
  podQOS,
  validatePod,
  type Pod,
} from "./k8s/index.js";
export { listPresets, loadMachine, type Machine } from "./machine/index.js";
export {
  type AdmissionResult,
  buildDecisions,
  type ContainerDecision,
  defaultNodeConfig,
  metricsText,
  Node,
  type NodeConfig,
  nodeConfigFromKubelet,
  type PodDecision,
  runSimulation,
} from "./node/index.js";
export { explainAdmission, type Explanation } from "./node/explain.js";
export {
  readCPUCheckpoint,
  readMemoryCheckpoint,
  readStateDir,
  writeCPUCheckpoint,
  writeMemoryCheckpoint,
} from "./checkpoint/index.js";
