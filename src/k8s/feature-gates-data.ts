/**
 * Every feature gate the kubelet registers, with its stage, default and lock in Kubernetes 1.36
 * and 1.37. The kubelet's gate set is one process-wide registry: its own `pkg/features` gates plus
 * the generic API server, component-base (logging) and client-go gates registered into it, so a
 * gate "for the API server" is still a known name to the kubelet.
 *
 * Sources, read, not copied:
 * - 1.36: kubernetes' generated gate lists `test/compatibility_lifecycle/reference/
 *   versioned_feature_list.yaml` and `feature_list.md` of the 1.36 development line (as carried by
 *   the openshift/kubernetes fork, commits 0b0e324c and ce200add; the few OpenShift-only gates of
 *   that fork are left out), which are generated from `pkg/features/kube_features.go` and the
 *   staging feature files.
 * - 1.37: the "Feature gates in Kubernetes v1.37" reference page (kubernetes.io) for the gates new
 *   in 1.37 and the stage changes it lists, and the per-gate pages of kubernetes/website for the
 *   gates the resource managers read (DisableCPUQuotaWithExclusiveCPUs is locked from 1.37).
 *   Gates of 1.36 that the page no longer lists are kept as known: refusing a name the kubelet
 *   still has would be worse than accepting one it dropped. A gate that became GA in 1.37 is
 *   marked locked only where a source says so.
 *
 * Codes: `A` alpha, `B` beta, `G` GA, `D` deprecated; `+` on by default, `-` off; `!` locked to
 * its default; `.` the gate does not exist in that version.
 */
export const FEATURE_GATE_TABLE = `
AggregatedDiscoveryRemoveBetaType               D+!  D+!
AllAlpha                                        S-   S-
AllBeta                                         S-   S-
AllowDNSOnlyNodeCSR                             D-   D-
AllowInsecureKubeletCertificateSigningRequests  D-   D-
AllowOverwriteTerminationGracePeriodSeconds     D-!  D-!
AllowParsingUserUIDFromCertAuth                 B+   B+
AllowServiceExternalIPs                         G+   G+
AllowUnsafeMalformedObjectDeletion              A-   B+
AnonymousAuthConfigurableEndpoints              G+!  G+!
AnyVolumeDataSource                             G+!  G+!
APIResponseCompression                          B+   B+
APIServerIdentity                               B+   B+
APIServerTracing                                G+!  G+!
APIServerWebhookAuthenticationToken             .    A-
APIServingWithRoutine                           A-   A-
AtomicFIFO                                      B+   B+
AtomicWriteVolumeUserFields                     .    A-
AuthorizeNodeWithSelectors                      G+!  G+!
AuthorizePodWebsocketUpgradeCreatePermission    B+   B+
AuthorizeWithSelectors                          G+!  G+!
BtreeWatchCache                                 G+!  G+!
CBORServingAndStorage                           A-   A-
ChangeContainerStatusOnKubeletRestart           D-   D-
ClearingNominatedNodeNameAfterBinding           B+   B+
ClientsAllowCARotation                          B+   B+
ClientsAllowCBOR                                A-   A-
ClientsPreferCBOR                               A-   A-
CloudControllerManagerWatchBasedRoutesReconciliation A- A-
CloudControllerManagerWebhook                   A-   A-
ClusterTrustBundle                              B-   G+
ClusterTrustBundleProjection                    B-   G+
ComponentFlagz                                  B+   B+
ComponentStatusz                                B+   B+
CompositePodGroup                               .    A-
ConcurrentWatchObjectDecode                     B-   B+
ConsistentListFromCache                         G+!  G+!
ConstrainedImpersonation                        B+   B+
ContainerCheckpoint                             B+   B+
ContainerRestartRules                           B+   B+
ContainerStopSignals                            A-   A-
ContextualLogging                               B+   B+
ControllerManagerReleaseLeaderElectionLockOnExit A-  A-
CoordinatedLeaderElection                       B-   B-
CPUManagerPolicyAlphaOptions                    A-   A-
CPUManagerPolicyBetaOptions                     B+   B+
CPUManagerPolicyOptions                         G+!  G+!
CRDObservedGenerationTracking                   B+   B+
CRDValidationRatcheting                         G+!  G+!
CRIListStreaming                                A-   A-
CrossNamespaceVolumeDataSource                  A-   A-
CSIServiceAccountTokenSecrets                   G+!  G+!
CSIVolumeHealth                                 A-   A-
CustomCPUCFSQuotaPeriod                         G+   G+
CustomResourceFieldSelectors                    G+!  G+!
DeclarativeValidation                           G+!  G+!
DeclarativeValidationBeta                       B+   B+
DeclarativeValidationTakeover                   D-   D-
DefaultPodSysctls                               .    A-
DeploymentReplicaSetTerminatingReplicas         B+   B+
DetectCacheInconsistency                        B+   B+
DisableAllocatorDualWrite                       G+!  G+!
DisableCPUQuotaWithExclusiveCPUs                D+   D+!
DisableNodeKubeProxyVersion                     D+!  D+!
DRAAdminAccess                                  G+!  G+!
DRAConsumableCapacity                           B+   B+
DRADerivedAttributes                            .    A-
DRADeviceBindingConditions                      B+   B+
DRADeviceCompatibilityGroups                    .    A-
DRADeviceTaintRules                             B-   G+
DRADeviceTaints                                 B+   G+
DRAExtendedResource                             B+   G+!
DRAListTypeAttributes                           A-   A-
DRANodeAllocatableResources                     A-   A-
DRAOptionalNodeOperations                       .    A-
DRAPartitionableDevices                         B+   B+
DRAPartitionableDevicesType                     .    A-
DRAPrioritizedList                              G+   G+
DRAResourceClaimDeviceStatus                    B+   G+
DRAResourceClaimGranularStatusAuthorization     B+   B+
DRAResourcePoolStatus                           A-   A-
DRASchedulerFilterTimeout                       B+   B+
DRAWorkloadResourceClaims                       A-   B-
DynamicResourceAllocation                       G+!  G+!
EmptyDirVolumeMode                              .    A-
EnvFiles                                        B+   B+
EtcdRangeStream                                 .    B+
EventedPLEG                                     A-   A-
ExcludeAdmissionWebhookVirtualResources         .    B+
ExecProbeTimeout                                G+!  G+!
ExtendWebSocketsToKubelet                       B+   B+
ExternalServiceAccountTokenSigner               G+!  G+!
GangScheduling                                  A-   A-
GenericWorkload                                 A-   B-
GitRepoVolumeDriver                             D-!  D-!
GracefulNodeShutdown                            B+   B+
GracefulNodeShutdownBasedOnPodPriority          B+   B+
GRPCContainerProbeTLS                           .    A-
H2CContainerProbe                               .    A-
HostnameOverride                                B+   G+
HPAConfigurableTolerance                        B+   G+
HPAScaleToZero                                  A-   B+
HugepageAwareEviction                           .    B+
ImageMaximumGCAge                               G+!  G+!
ImageVolume                                     G+!  G+!
ImageVolumeWithDigest                           A-   A-
InformerResourceVersion                         G+   G+
InOrderInformers                                G+!  G+!
InOrderInformersBatchProcess                    B+   B+
InPlacePodLevelResourcesVerticalScaling         B+   B+
InPlacePodVerticalScaling                       G+!  G+!
InPlacePodVerticalScalingExclusiveCPUs          A-   A-
InPlacePodVerticalScalingExclusiveMemory        A-   A-
InPlacePodVerticalScalingInitContainers         B+   B+
InPlacePodVerticalScalingMemoryBackedVolumes    .    A-
InPlacePodVerticalScalingSchedulerPreemption    .    A-
JobBackoffLimitPerIndex                         G+!  G+!
JobManagedBy                                    G+!  G+!
JobPodReplacementPolicy                         G+!  G+!
JobSuccessPolicy                                G+!  G+!
KMSv1                                           D-   D-
KubeletCgroupDriverFromCRI                      G+!  G+!
KubeletCrashLoopBackOffMax                      B+   B+
KubeletEnsureSecretPulledImages                 B+   B+
KubeletFineGrainedAuthz                         G+!  G+!
KubeletInUserNamespace                          A-   B+
KubeletPodResourcesDynamicResources             G+!  G+!
KubeletPodResourcesGet                          G+!  G+!
KubeletPodResourcesListUseActivePods            D+   D+
KubeletPSI                                      G+!  G+!
KubeletRegistrationGetOnExistsOnly              D-   D-
KubeletSeparateDiskGC                           B+   B+
KubeletServiceAccountTokenForCredentialProviders B+  B+
KubeletTracing                                  G+!  G+!
KubeProxyIPVS                                   .    D+
KubeProxyNFTablesLocalhostNodePorts             .    A-
ListFromCacheSnapshot                           B+   B+
LocalStorageCapacityIsolationFSQuotaMonitoring  B-   B-
LogarithmicScaleDown                            G+!  G+!
LoggingAlphaOptions                             A-   A-
LoggingBetaOptions                              B+   B+
ManifestBasedAdmissionControlConfig             A-   B+
MatchLabelKeysInPodAffinity                     G+!  G+!
MatchLabelKeysInPodTopologySpread               B+   B+
MatchLabelKeysInPodTopologySpreadSelectorMerge  B+   B+
MaxUnavailableStatefulSet                       B-   B+
MemoryQoS                                       A-   B+
MultiCIDRServiceAllocator                       G+!  G+!
MutableCSINodeAllocatableCount                  G+!  G+!
MutablePodResourcesForSuspendedJobs             B+   B+
MutablePVNodeAffinity                           A-   A-
MutableSchedulingDirectivesForSuspendedJobs     B+   B+
MutatingAdmissionPolicy                         G+   G+
NativeHistograms                                A-   B+
NFTablesProxyMode                               G+!  G+!
NodeDeclaredFeatures                            B+   G+
NodeInclusionPolicyInPodTopologySpread          G+!  G+!
NodeLifecycleConditions                         .    A-
NodeLogQuery                                    G+!  G+!
NodeSwap                                        G+!  G+!
NominatedNodeNameForExpectation                 B+   B+
OpenAPIEnums                                    B+   B+
OpportunisticBatching                           B+   B+
OrderedNamespaceDeletion                        G+!  G+!
PersistentVolumeClaimUnusedSinceTime            A-   B+
PLEGOnDemandRelist                              B+   B+
PodAndContainerStatsFromCRI                     A-   B-
PodCertificateRequest                           B-   G+
PodDeletionCost                                 B+   B+
PodGroupPreemptionPolicy                        .    A-
PodLevelResourceManagers                        A-   B-
PodLevelResources                               B+   B+
PodLifecycleSleepAction                         G+!  G+!
PodLifecycleSleepActionAllowZero                G+!  G+!
PodLogsQuerySplitStreams                        A-   A-
PodObservedGenerationTracking                   G+!  G+!
PodReadyToStartContainersCondition              B+   G+
PodSchedulingReadiness                          G+!  G+!
PodsAPI                                         A-   B+
PodTopologyLabelsAdmission                      B+   B+
PortForwardWebsockets                           B+   B+
PreferSameTrafficDistribution                   G+!  G+!
PreventStaticPodAPIReferences                   B+   B+
ProcMountType                                   G+!  G+!
QOSReserved                                     A-   A-
RecoverVolumeExpansionFailure                   G+!  G+!
RecursiveReadOnlyMounts                         G+!  G+!
ReduceDefaultCrashLoopBackOffDecay              A-   A-
RelaxedDNSSearchValidation                      G+!  G+!
RelaxedEnvironmentVariableValidation            G+!  G+!
RelaxedServiceNameValidation                    B+   G+
ReloadKubeletClientCAFile                       B+   B+
ReloadKubeletServerCertificateFile              B+   B+
RemoteRequestHeaderUID                          B+   B+
ResilientWatchCacheInitialization               G+!  G+!
ResourceHealthStatus                            B+   B+
ResourceHealthStatusMessage                     B+   B+
RestartAllContainersOnContainerExits            B+   B+
RetryGenerateName                               G+!  G+!
RotateKubeletServerCertificate                  B+   B+
RuntimeClassInImageCriApi                       A-   A-
SchedulerAsyncAPICalls                          B-   B-
SchedulerAsyncPreemption                        B+   B+
SchedulerPopFromBackoffQ                        B+   B+
SchedulerQueueingHints                          G+!  G+!
SELinuxChangePolicy                             G+!  G+!
SELinuxMount                                    B-   G+
SELinuxMountReadWriteOncePod                    G+!  G+!
SeparateCacheWatchRPC                           D-!  D-!
SeparateTaintEvictionController                 G+!  G+!
ServiceAccountNodeAudienceRestriction           B+   B+
ServiceAccountTokenJTI                          G+!  G+!
ServiceAccountTokenNodeBinding                  G+!  G+!
ServiceAccountTokenNodeBindingValidation        G+!  G+!
ServiceAccountTokenPodNodeInfo                  G+!  G+!
ServiceCIDRStatusFieldWiping                    D+   D+
ShardedListAndWatch                             A-   A-
SidecarContainers                               G+!  G+!
SizeBasedListCostEstimate                       B+   B+
StaleControllerConsistencyDaemonSet             B+   B+
StaleControllerConsistencyJob                   B+   B+
StaleControllerConsistencyReplicaSet            B+   B+
StaleControllerConsistencyStatefulSet           B+   B+
StatefulSetRecreateStrategy                     .    A-
StatefulSetSemanticRevisionComparison           B+   B+
StorageCapacityScoring                          A-   B+
StorageNamespaceIndex                           D+   D+
StorageVersionAPI                               A-   A-
StorageVersionHash                              B+   B+
StorageVersionMigrator                          B-   B-
StreamingCollectionEncodingToJSON               G+!  G+!
StreamingCollectionEncodingToProtobuf           G+!  G+!
StrictIPCIDRValidation                          B+   B+
StructuredAuthenticationConfiguration           G+!  G+!
StructuredAuthenticationConfigurationEgressSelector B+ B+
StructuredAuthenticationConfigurationJWKSMetrics B+  B+
SupplementalGroupsPolicy                        G+!  G+!
SystemdWatchdog                                 G+!  G+!
TaintTolerationComparisonOperators              A-   A-
TokenRequestServiceAccountUIDValidation         B+   B+
TopologyAwareWorkloadScheduling                 A-   A-
TopologyManagerPolicyAlphaOptions               A-   A-
TopologyManagerPolicyBetaOptions                B+   B+
TopologyManagerPolicyOptions                    G+!  G+!
TranslateStreamCloseWebsocketRequests           B+   B+
UnauthenticatedHTTP2DOSMitigation               B+   B+
UnknownVersionInteroperabilityProxy             B+   B+
UnlockWhileProcessingFIFO                       B+   B+
UserNamespacesHostNetworkSupport                A-   A-
UserNamespacesSupport                           G+!  G+!
VolumeAttributesClass                           G+!  G+!
VolumeBindMountOptions                          .    A-
VolumeLimitScaling                              A-   B+
WatchCacheInitializationPostStartHook           B+   G+
WatchList                                       B+   B+
WatchListClient                                 B+   B+
WindowsCPUAndMemoryAffinity                     A-   A-
WindowsGracefulNodeShutdown                     B+   B+
WindowsHostNetwork                              D-   D-
WinDSR                                          G+!  G+!
WinOverlay                                      G+!  G+!
WorkloadAwarePreemption                         A-   A-
WorkloadWithJob                                 A-   A-
`;

/**
 * Gates of the resource managers that graduated and were removed from the kubelet: old node
 * configurations still name them, and the kubelet then refuses to start. Only used to explain
 * the refusal.
 */
export const REMOVED_RESOURCE_MANAGER_GATES: Readonly<Record<string, string>> = {
  CPUManager: "GA in 1.26",
  MemoryManager: "GA in 1.32",
  TopologyManager: "GA in 1.27",
  DevicePlugins: "GA in 1.26",
  HugePages: "GA in 1.14",
};
