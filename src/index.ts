/**
 * podpin as a library: the kubelet's Topology, CPU, Memory and Device Managers (with KEP-5526
 * pod-level resource managers) behind one engine, `Node`.
 *
 *   const node = new Node({ machine: loadMachine("worked-example"), config: nodeConfigFromKubelet(cfg) });
 *   const result = node.admit(parsePods(text, "pod.yaml")[0]);
 */
export { CPUSet, MetricsRegistry, Quantity } from "./core/index.js";
export {
  featureGateSpec,
  type KubeletConfig,
  type KubeletConfigOverrides,
  type KubeletFlagSettings,
  kubeletArgsFromText,
  kubeletConfigFromDefaults,
  knownFeatureGates,
  loadKubeletConfigFromFile,
  parseKubeletFlags,
  loadPodsFromFile,
  parseKubeletConfig,
  parsePods,
  type PodInput,
  type PodInputOptions,
  podQOS,
  readPodInputs,
  validatePod,
  type Pod,
} from "./k8s/index.js";
export {
  type DeviceResource,
  type DeviceSpec,
  listPresets,
  loadMachine,
  type Machine,
} from "./machine/index.js";
export {
  type AdmissionResult,
  buildDecisions,
  type ContainerDecision,
  defaultNodeConfig,
  type DeviceAssignment,
  explainAdmission,
  type Explanation,
  metricsText,
  Node,
  type NodeConfig,
  nodeConfigFromKubelet,
  type PodDecision,
  type PredicateDecision,
  type PredicateFailure,
  type ResourceFit,
  runSimulation,
} from "./node/index.js";
export {
  readCPUCheckpoint,
  readDeviceCheckpoint,
  readMemoryCheckpoint,
  readStateDir,
  writeCPUCheckpoint,
  writeDeviceCheckpoint,
  writeMemoryCheckpoint,
} from "./checkpoint/index.js";
