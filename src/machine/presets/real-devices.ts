import type { PresetDefinition } from "./definition.js";
import { assumed, unverified } from "./definition.js";
import {
  INTEL_SRIOV_NETDEVICE,
  NETWORK_OPERATOR_HOSTDEV_DOC,
  NVIDIA_GPU,
  NVIDIA_HOSTDEV,
  dgxH100Devices,
  sriovOneNicPerSocket,
} from "./device-layouts.js";
import { GiB, machineFromLayout, socketDistances } from "./generate.js";
import {
  SPR_56C_2S_PACKAGES,
  XEON_6230R_LAYOUT,
  XEON_6230R_NOTES,
  XEON_6230R_SOURCE,
  noL3Note,
} from "./real.js";

/**
 * Real machines whose device-plugin resources are the point: GPUs and NICs with their NUMA nodes
 * from the cited layouts (`device-layouts.ts`). They follow `REAL_MACHINES` in the catalogue.
 */

const DGX_H100_GUIDE = "https://docs.nvidia.com/dgx/dgxh100-user-guide/introduction-to-dgxh100.html";
const DGX_H100_TOPO = "https://github.com/vllm-project/vllm/issues/13855";
const SRIOV_PLUGIN_DOC = "https://github.com/k8snetworkplumbingwg/sriov-network-device-plugin";
const SRIOV_PLUGIN_LOG = "https://github.com/k8snetworkplumbingwg/sriov-network-device-plugin/issues/401";

export const DEVICE_MACHINES: readonly PresetDefinition[] = [
  {
    name: "nvidia-dgx-h100",
    aliases: ["dgx-h100"],
    description:
      "NVIDIA DGX H100: 2 × Xeon Platinum 8480C, 2 × 56 × 2 = 224 CPUs, NUMA = socket; 8 H100 GPUs and 8 compute ConnectX-7, 4 of each per socket",
    source: `${DGX_H100_GUIDE} ${DGX_H100_TOPO}`,
    build() {
      return machineFromLayout(
        this.name,
        { ...SPR_56C_2S_PACKAGES, memory: 1024n * GiB, distances: socketDistances(1, 10, 21) },
        [
          `source: ${this.source}`,
          "DGX H100 user guide: 2 × Xeon Platinum 8480C (56 cores), 2 TB DDR5, 8 H100 SXM GPUs, eight single-port ConnectX-7 for the compute fabric; its Network Modules table gives each card's PCI bus, CPU and GPU",
          "CPU lists (NUMA 0 = 0-55,112-167, NUMA 1 = 56-111,168-223) and GPUs 0-3 / 4-7 on NUMA 0 / 1 from nvidia-smi topo -m of a DGX H100 (vllm#13855)",
          `${NVIDIA_GPU}: GPUs 0-3 on NUMA 0, 4-7 on NUMA 1`,
          `${NVIDIA_HOSTDEV}: the compute ConnectX-7 as whole-NIC host devices (NVIDIA Network Operator's host-device setup, ${NETWORK_OPERATOR_HOSTDEV_DOC}), ids = PCI addresses from the interface names ibp<bus>s0`,
          noL3Note,
          unverified("1 TiB of memory per NUMA node (2 TB in total per the guide); one 105 MB L3 per socket"),
          unverified("distances 10/21; hugepage pools 2Mi/1Gi with no pages"),
          assumed(
            "the host-device pool holds only the eight compute cards (the two dual-port storage ConnectX-7 stay with the host)",
          ),
          assumed("GPU UUIDs are placeholders shaped like NVML's (real ones belong to one board)"),
        ],
        dgxH100Devices(this.name),
      );
    },
  },
  {
    name: "intel-xeon-6230r-2s-sriov",
    description:
      "intel-xeon-6230r-2s with one SR-IOV NIC per socket: 8 VFs each in one intel.com/intel_sriov_netdevice pool",
    source: `${XEON_6230R_SOURCE} ${SRIOV_PLUGIN_DOC} ${SRIOV_PLUGIN_LOG}`,
    build() {
      return machineFromLayout(
        this.name,
        XEON_6230R_LAYOUT,
        [
          `source: ${this.source}`,
          "CPUs, memory, distances and caches: the intel-xeon-6230r-2s capture",
          ...XEON_6230R_NOTES,
          `${INTEL_SRIOV_NETDEVICE}: the SR-IOV network device plugin's README example pool (resourceName intel_sriov_netdevice, prefix intel.com); the plugin names each VF by its PCI address and reports the NUMA node of its sysfs entry`,
          "VFs on bus 0x3b are on NUMA 0 and on bus 0xd8 on NUMA 1, as the plugin's ListAndWatch log of a two-socket Xeon Scalable node shows (sriov-network-device-plugin#401)",
          assumed(
            "one X710-class NIC per socket (PF 0000:3b:00.0, 0000:d8:00.0), 8 VFs each at 02.0-02.7 (i40e VF offset 16); the capture of the CPUs has no PCI data",
          ),
        ],
        sriovOneNicPerSocket(),
      );
    },
  },
];
