/**
 * podpin as a library: the kubelet's Topology, CPU, Memory and Device Managers (with KEP-5526
 * pod-level resource managers) behind one engine, `Node`.
 *
 *   const node = new Node({ machine: loadMachine("worked-example"), config: nodeConfigFromKubelet(cfg) });
 *   const result = node.admit(parsePods(text, "pod.yaml")[0]);
 *
 * Results print with `JSON.stringify` in the conventions of `podpin ... -o json` (bigints as
 * numbers while exact, else digit strings; quantities and CPU sets as text), and the renderers the
 * CLI uses are here too: the documents (`simulationDoc`, `explainDoc`), the tables
 * (`renderSimulationTable`, `renderExplainText`) and the HTML report (`renderHtmlReport`).
 */
export { CPUSet, MetricsRegistry, plainJSON, Quantity } from "./core/index.js";
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
  type ExplainOptions,
  type FitReport,
  type PodDecision,
  type PredicateDecision,
  type PredicateFailure,
  type RejectionCause,
  type RequestFit,
  type ResourceFit,
  runSimulation,
  type SimulationStep,
} from "./node/index.js";
export {
  type AdmitStepDoc,
  admitStepDoc,
  buildNodeView,
  type DataFormat,
  decisionRowFromAdmission,
  type ExplainDoc,
  explainDoc,
  type ExplainTextOptions,
  formatData,
  type HtmlReportInput,
  type NodeConfigDoc,
  type NodeDoc,
  nodeConfigDoc,
  nodeDoc,
  nodeStateOf,
  renderExplainText,
  renderHtmlReport,
  renderMachineTable,
  renderNodeTable,
  renderSimulationTable,
  renderTable,
  type SimulationDoc,
  simulationDoc,
  toJSONText,
  toYAMLText,
} from "./report/index.js";
export {
  readCPUCheckpoint,
  readDeviceCheckpoint,
  readMemoryCheckpoint,
  readStateDir,
  writeCPUCheckpoint,
  writeDeviceCheckpoint,
  writeMemoryCheckpoint,
} from "./checkpoint/index.js";
