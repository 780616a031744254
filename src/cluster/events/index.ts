/** Kubernetes Events about pods, posted and aggregated as the kubelet's recorder does. */
export {
  EVENT_COMPONENT,
  EventRecorder,
  type EventRecorderOptions,
  REPORTING_CONTROLLER,
} from "./recorder.js";
