import type { DeviceResource } from "../devices.js";
import { type PresetDevice, pciAddress, placeholderGpuUuid, pluginResource } from "./devices.js";

/**
 * Device layouts of real machines: which devices a plugin advertises and on which NUMA node.
 * Every placement is read in the source named beside it; what a source does not show is
 * marked "assumed" here and flagged `(unverified)` in the preset's notes.
 */

export const NVIDIA_GPU = "nvidia.com/gpu";
/** NVIDIA Network Operator's host-device example: the SR-IOV device plugin exposing whole NICs. */
export const NVIDIA_HOSTDEV = "nvidia.com/hostdev";
/** The SR-IOV network device plugin's README example pool (`resourceName` under prefix `intel.com`). */
export const INTEL_SRIOV_NETDEVICE = "intel.com/intel_sriov_netdevice";

export const NETWORK_OPERATOR_HOSTDEV_DOC =
  "https://docs.nvidia.com/networking/display/kubernetes2570/quick-start/host-device-rdma.html";

/**
 * DGX H100 compute fabric, NVIDIA DGX H100/H200 User Guide, "Network Modules" table: each of the
 * eight single-port ConnectX-7 cards serves one GPU and hangs off the CPU of its network module.
 * `bus` is the PCI bus of the card, read from its default interface name `ibp<bus>s0` (the
 * kernel's predictable name: bus in decimal, slot 0).
 */
export const DGX_H100_COMPUTE_FABRIC: readonly {
  gpu: number;
  cpu: number;
  bus: number;
  netdev: string;
  rdma: string;
}[] = [
  { gpu: 0, cpu: 0, bus: 24, netdev: "ibp24s0", rdma: "mlx5_0" },
  { gpu: 1, cpu: 0, bus: 64, netdev: "ibp64s0", rdma: "mlx5_3" },
  { gpu: 2, cpu: 0, bus: 79, netdev: "ibp79s0", rdma: "mlx5_4" },
  { gpu: 3, cpu: 0, bus: 94, netdev: "ibp94s0", rdma: "mlx5_5" },
  { gpu: 4, cpu: 1, bus: 154, netdev: "ibp154s0", rdma: "mlx5_6" },
  { gpu: 5, cpu: 1, bus: 192, netdev: "ibp192s0", rdma: "mlx5_9" },
  { gpu: 6, cpu: 1, bus: 206, netdev: "ibp206s0", rdma: "mlx5_10" },
  { gpu: 7, cpu: 1, bus: 220, netdev: "ibp220s0", rdma: "mlx5_11" },
];

/**
 * DGX H100: 8 H100 SXM GPUs, GPUs 0-3 on NUMA node 0 and 4-7 on node 1 (the user guide's table
 * puts them on CPU 0 / CPU 1; `nvidia-smi topo -m` of a DGX shows NUMA affinity 0 / 1), and the
 * eight compute ConnectX-7 as whole-NIC host devices on the same nodes. One NUMA node per socket.
 */
export function dgxH100Devices(preset: string): DeviceResource[] {
  const gpus: PresetDevice[] = DGX_H100_COMPUTE_FABRIC.map((f) => ({
    id: placeholderGpuUuid(`${preset}/${f.gpu}`),
    numaNode: f.cpu,
  }));
  const nics: PresetDevice[] = DGX_H100_COMPUTE_FABRIC.map((f) => ({
    id: pciAddress(0, f.bus, 0, 0),
    numaNode: f.cpu,
  }));
  return [pluginResource(NVIDIA_GPU, gpus), pluginResource(NVIDIA_HOSTDEV, nics)];
}

/**
 * GB200 compute tray: 4 GPUs, each with its own CPU-less NUMA node, as `nvidia-smi topo -m`
 * reports them ("GPU NUMA ID" 2, 10, 18 for GPUs 0-2, sglang#11208; 26 for GPU 3 is assumed from
 * the stride of 8 nodes per GPU). Assumed: the plugin reports that GPU-memory node as the device's
 * TopologyInfo (the C2C-coherent memory mode, where GPU memory is a NUMA node), not the Grace
 * node of its PCI function.
 */
export function gb200TrayGpus(preset: string): DeviceResource[] {
  const gpus = [0, 1, 2, 3].map((g) => ({ id: placeholderGpuUuid(`${preset}/${g}`), numaNode: 2 + 8 * g }));
  return [pluginResource(NVIDIA_GPU, gpus)];
}

/** VFs of one PF: `count` functions from device `firstDevice`, function 0 on (stride 1). */
function virtualFunctions(bus: number, firstDevice: number, count: number, numaNode: number): PresetDevice[] {
  return Array.from({ length: count }, (_, i) => ({
    id: pciAddress(0, bus, firstDevice + Math.floor(i / 8), i % 8),
    numaNode,
  }));
}

/**
 * A two-socket Xeon Scalable node with one SR-IOV NIC per socket, every VF in one pool of the
 * SR-IOV network device plugin, which reports each VF by PCI address with the NUMA node of its
 * sysfs entry. Bus 0x3b is socket 0's and bus 0xd8 socket 1's, as the plugin's own ListAndWatch
 * log of such a node shows (sriov-network-device-plugin#401). Assumed: one X710-class PF at
 * device 00.0 of each bus, 8 VFs each, the i40e VF offset 16 putting them at 02.0-02.7.
 */
export function sriovOneNicPerSocket(vfsPerNic = 8): DeviceResource[] {
  return [
    pluginResource(INTEL_SRIOV_NETDEVICE, [
      ...virtualFunctions(0x3b, 0x02, vfsPerNic, 0),
      ...virtualFunctions(0xd8, 0x02, vfsPerNic, 1),
    ]),
  ];
}
