/**
 * What the columns and notations of `podpin simulate`'s table mean, for `--help` (the README's
 * "Reading the table" section says the same). Kept beside the options rather than in report/:
 * it is help text, and loading it costs nothing.
 */
export const SIMULATE_COLUMN_KEY = `
Reading the table:
  KIND              app, init (runs to completion before the apps), or sidecar (an init container
                    with restartPolicy: Always, which keeps running beside the apps)
  ASSIGNMENT        how the container holds its CPUs: node exclusive (CPUs of its own, from the
                    node), pod exclusive (CPUs of its own, from its pod's bubble), pod shared (the
                    pod shared pool of its bubble), node shared (no CPUs of its own)
  CPUS              the container's cpuset, in Linux list format (1-3,17-19 is CPUs 1, 2, 3, 17, 18,
                    19); "(node shared pool)" marks the node's default CPU set, which every
                    container without CPUs of its own shares and which shrinks as CPUs are given out
  NUMA              the NUMA nodes of the topology hint stored for the container; any: no affinity
  MEMS              the container's cpuset.mems, the NUMA nodes its memory may come from, when the
                    Memory Manager pins it; -: not pinned (every NUMA node)
  MEMORY            the container's Memory Manager blocks as size @NUMA nodes: 12Gi @0 is 12Gi on
                    NUMA node 0, hugepages-1Gi 2Gi @0,1 is 2Gi of 1Gi pages across nodes 0 and 1;
                    -: none
  DEVICES           device-plugin devices (shown when the machine has some): resource, shortened
                    device ids, @NUMA node
  CFS QUOTA         the container's cpu.cfs_quota_us: max (-1) is no CFS limit (a container with
                    exclusive CPUs, DisableCPUQuotaWithExclusiveCPUs), a number is microseconds per
                    CFS period from its CPU limit, -: no quota (no CPU limit, or cpuCFSQuota: false)
  pod bubble        pod-level resources (KEP-5526): the CPUs set aside for the whole pod's budget
                    (.spec.resources), which its exclusive containers take from
  pod shared pool   the bubble's CPUs that no container holds exclusively, shared by the pod's other
                    containers; "- (empty)" when the exclusive containers took them all
  pod memory        the Memory Manager blocks of the pod's budget, as in MEMORY
  pod cpu quota     the pod cgroup's cpu.cfs_quota_us per CFS period; max (-1) is no CFS limit
  pod memory limit  the pod cgroup's memory limit
  NODE              after the last step: the default CPU set (the node shared pool), the reserved
                    CPUs, and per NUMA node its CPUs, free CPUs and free/allocatable memory
See https://kubernetes.io/docs/tasks/administer-cluster/cpu-management-policies/ and
https://kubernetes.io/docs/tasks/administer-cluster/memory-manager/ for the managers themselves.
`;
