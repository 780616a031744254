/**
 * The kubelet's command line (1.36/1.37) as data: which flags podpin reads, which it knows and
 * knowingly ignores, and which were removed (a kubelet refuses those as unknown). Read from
 * `cmd/kubelet/app/options/options.go` (`KubeletFlags.AddFlags`, `AddKubeletConfigFlags`),
 * `pkg/kubelet/config/flags.go` (container runtime options), the global flags (logging, version,
 * cadvisor's `housekeeping-interval`) and the removals announced in the release notes.
 *
 * The type decides how pflag parses the value (and so which parse errors the kubelet prints) and
 * whether the flag takes an argument at all (`bool` flags do not).
 */

export type KubeletFlagType =
  | "bool"
  | "int32"
  | "int64"
  | "duration"
  | "string"
  | "stringSlice"
  /** component-base `MapStringString`: `k=v,k2=v2`, accumulating over repeated flags. */
  | "mapStringString"
  /** `MapStringStringNoSplit`: one `k=v` per flag; repeat the flag for more. */
  | "mapStringStringNoSplit"
  /** `LangleSeparatedMapStringString`: `signal<quantity,...`. */
  | "langleMap"
  /** `MapStringBool`: `Gate=true,...`. */
  | "mapStringBool"
  /** `ReservedMemoryVar`: `0:memory=1Gi,hugepages-1Gi=2Gi;1:memory=2Gi`, repeatable. */
  | "reservedMemory"
  /** `RegisterWithTaintsVar`: `key=value:Effect,...`. */
  | "taints"
  /** `ConfigurationMap`: `k=v,...`, a pair without `=` has an empty value. */
  | "configurationMap"
  /** Values podpin does not check (IP addresses, log verbosity patterns, header maps). */
  | "text"
  /** `-v`: a verbosity level (unsigned 32-bit). */
  | "level";

/** A flag podpin reads, and the KubeletConfiguration field (or kubelet flag setting) it sets. */
export interface ReadFlag {
  type: KubeletFlagType;
  /** The KubeletConfiguration field the flag sets; `config` is the file to load. */
  field: string;
}

export const READ_FLAGS: Readonly<Record<string, ReadFlag>> = {
  config: { type: "string", field: "config" },
  "cpu-manager-policy": { type: "string", field: "cpuManagerPolicy" },
  "cpu-manager-policy-options": { type: "mapStringStringNoSplit", field: "cpuManagerPolicyOptions" },
  "cpu-manager-reconcile-period": { type: "duration", field: "cpuManagerReconcilePeriod" },
  "reserved-cpus": { type: "string", field: "reservedSystemCPUs" },
  "kube-reserved": { type: "mapStringString", field: "kubeReserved" },
  "system-reserved": { type: "mapStringString", field: "systemReserved" },
  "eviction-hard": { type: "langleMap", field: "evictionHard" },
  "reserved-memory": { type: "reservedMemory", field: "reservedMemory" },
  "memory-manager-policy": { type: "string", field: "memoryManagerPolicy" },
  "topology-manager-policy": { type: "string", field: "topologyManagerPolicy" },
  "topology-manager-scope": { type: "string", field: "topologyManagerScope" },
  "topology-manager-policy-options": {
    type: "mapStringStringNoSplit",
    field: "topologyManagerPolicyOptions",
  },
  "feature-gates": { type: "mapStringBool", field: "featureGates" },
  "max-pods": { type: "int32", field: "maxPods" },
  "pods-per-core": { type: "int32", field: "podsPerCore" },
  "cpu-cfs-quota": { type: "bool", field: "cpuCFSQuota" },
  "cpu-cfs-quota-period": { type: "duration", field: "cpuCFSQuotaPeriod" },
  "register-with-taints": { type: "taints", field: "registerWithTaints" },
  // Kubelet flags proper (not configuration fields): the node object's name and labels.
  "hostname-override": { type: "string", field: "nodeName" },
  "node-labels": { type: "configurationMap", field: "nodeLabels" },
};

/**
 * Flags the kubelet has that decide nothing podpin models (serving, authentication, images,
 * logging, cgroup plumbing, garbage collection, soft eviction): accepted, checked only as pflag
 * checks their type, and ignored.
 */
const IGNORED_BY_TYPE: Readonly<Record<string, readonly string[]>> = {
  bool: [
    "anonymous-auth",
    "authentication-token-webhook",
    "cgroups-per-qos",
    "contention-profiling",
    "enable-controller-attach-detach",
    "enable-debugging-handlers",
    "enable-server",
    "exit-on-lock-contention",
    "experimental-allocatable-ignore-eviction",
    "fail-swap-on",
    "kernel-memcg-notification",
    "local-storage-capacity-isolation",
    "log-json-split-stream",
    "log-text-split-stream",
    "make-iptables-util-chains",
    "protect-kernel-defaults",
    "register-node",
    "rotate-certificates",
    "rotate-server-certificates",
    "runonce",
    "seccomp-default",
    "serialize-image-pulls",
  ],
  int32: [
    "container-log-max-files",
    "event-burst",
    "event-qps",
    "eviction-max-pod-grace-period",
    "healthz-port",
    "image-gc-high-threshold",
    "image-gc-low-threshold",
    "iptables-drop-bit",
    "iptables-masquerade-bit",
    "kube-api-burst",
    "kube-api-qps",
    "maximum-dead-containers",
    "maximum-dead-containers-per-container",
    "node-status-max-images",
    "oom-score-adj",
    "port",
    "read-only-port",
    "registry-burst",
    "registry-qps",
  ],
  int64: ["max-open-files", "pod-max-pids"],
  duration: [
    "authentication-token-webhook-cache-ttl",
    "authorization-webhook-cache-authorized-ttl",
    "authorization-webhook-cache-unauthorized-ttl",
    "eviction-pressure-transition-period",
    "file-check-frequency",
    "housekeeping-interval",
    "http-check-frequency",
    "log-flush-frequency",
    "minimum-container-ttl-duration",
    "minimum-image-ttl-duration",
    "node-status-update-frequency",
    "runtime-request-timeout",
    "streaming-connection-idle-timeout",
    "sync-frequency",
    "volume-stats-agg-period",
  ],
  string: [
    "authorization-mode",
    "bootstrap-kubeconfig",
    "cert-dir",
    "cgroup-driver",
    "cgroup-root",
    "client-ca-file",
    "cloud-provider",
    "cluster-domain",
    "config-dir",
    "container-log-max-size",
    "container-runtime-endpoint",
    "experimental-mounter-path",
    "hairpin-mode",
    "image-credential-provider-bin-dir",
    "image-credential-provider-config",
    "image-service-endpoint",
    "kube-api-content-type",
    "kube-reserved-cgroup",
    "kubeconfig",
    "kubelet-cgroups",
    "lock-file",
    "log-json-info-buffer-size",
    "log-text-info-buffer-size",
    "logging-format",
    "manifest-url",
    "node-ip",
    "pod-cidr",
    "pod-manifest-path",
    "provider-id",
    "resolv-conf",
    "root-dir",
    "runtime-cgroups",
    "system-cgroups",
    "system-reserved-cgroup",
    "tls-cert-file",
    "tls-min-version",
    "tls-private-key-file",
    "volume-plugin-dir",
  ],
  stringSlice: ["allowed-unsafe-sysctls", "cluster-dns", "enforce-node-allocatable", "tls-cipher-suites"],
  mapStringString: ["eviction-minimum-reclaim", "eviction-soft-grace-period", "qos-reserved"],
  langleMap: ["eviction-soft"],
  text: ["address", "healthz-bind-address", "manifest-url-header", "vmodule"],
  level: ["v"],
};

export const IGNORED_FLAGS: ReadonlyMap<string, KubeletFlagType> = new Map(
  Object.entries(IGNORED_BY_TYPE).flatMap(([type, names]) =>
    names.map((n) => [n, type as KubeletFlagType] as const),
  ),
);

/** Shorthands the kubelet registers: `-v` (log verbosity) and `-h` (help). */
export const SHORTHANDS: Readonly<Record<string, string>> = { v: "v", h: "help" };

/** Flags that stop the kubelet before it starts (it prints something and exits). */
export const EXITING_FLAGS: Readonly<Record<string, string>> = {
  help: "the kubelet prints its help and exits instead of starting",
  version: "the kubelet prints its version and exits instead of starting",
};

/** Flags older kubelets had; a 1.36/1.37 kubelet fails with `unknown flag`. */
export const REMOVED_FLAGS: Readonly<Record<string, string>> = {
  "cloud-config": "1.34",
  "container-runtime": "1.27",
  "docker-endpoint": "1.24",
  "keep-terminated-pod-volumes": "1.31",
  "network-plugin": "1.24",
  "cni-bin-dir": "1.24",
  "cni-conf-dir": "1.24",
  "pod-infra-container-image": "1.35",
  "register-schedulable": "1.33",
};
