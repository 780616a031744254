/**
 * Rendering for people: the node view (who holds each CPU, memory per NUMA node), the machine
 * picture (SVG) and the HTML report, plain-text tables, and JSON/YAML output.
 */
export {
  type ContainerState,
  type CPUOwner,
  type CPUOwnerKind,
  type CPUView,
  CPU_OWNER_KINDS,
  type NodeState,
  type NodeView,
  type NUMANodeView,
  type NUMAResourceView,
  type PodMemoryUsage,
  type PodState,
  type PodSummary,
  buildNodeView,
  cpuOwners,
  cpusOwnedAs,
  emptyNodeState,
} from "./ownership.js";
export {
  type ContainerRow,
  type DecisionRow,
  formatBlocks,
  formatContainerCpus,
  formatQuota,
} from "./decisions.js";
export { decisionRowFromAdmission, podStateFromAdmission } from "./from-node.js";
export { type SvgOptions, renderMachineSvg, viewSummary } from "./svg.js";
export { type HtmlReportInput, renderHtmlReport } from "./html.js";
export { type Align, type Column, type TableOptions, renderKeyValues, renderTable } from "./table.js";
export {
  type MachineSummary,
  type NUMANodeSummary,
  machineSummary,
  renderMachineTable,
} from "./machine-table.js";
export { type DataFormat, formatData, toJSONText, toYAMLText } from "./serialize.js";
export { escapeXml, formatBytes } from "./units.js";
export { nodeStateOf } from "./node-state.js";
export {
  type AdmitStepDoc,
  admitStepDoc,
  type BlockDoc,
  blockDocs,
  type ContainerDoc,
  containerDoc,
  type JSONInteger,
  type NodeDoc,
  nodeDoc,
  type NUMANodeDoc,
  numaNodeDocs,
  type PodCgroupDoc,
  podCgroupDoc,
  type PodRefDoc,
  type RemoveStepDoc,
  SIMULATION_API_VERSION,
  type SimulationDoc,
  type SimulationInputs,
  simulationDoc,
} from "./simulation-doc.js";
export type {
  DeferredDevicesDoc,
  DeviceAllocationDoc,
  DeviceAssignmentDoc,
  DeviceHolderDoc,
  DevicePoolDoc,
  DeviceResourceDoc,
  UpdateDevicesStepDoc,
} from "./device-doc.js";
export { formatHeldDevices, shortDeviceIds } from "./device-text.js";
export { renderNodeTable, renderSimulationTable } from "./simulation-table.js";
export {
  type ExplainDoc,
  explainDoc,
  type PodBudgetFixDoc,
  type RejectionDoc,
  type RequestFitDoc,
} from "./explain-doc.js";
export { type ExplainTextOptions, renderExplainText } from "./explain-text.js";
export { type NodeConfigDoc, nodeConfigDoc } from "./node-config-doc.js";
