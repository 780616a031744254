import { join } from "node:path";

/**
 * containerd's configuration for a test: everything under `dir` (root, state, runc root, opt),
 * the gRPC socket given, the snapshotters that need kernel support (overlay, btrfs, zfs,
 * devmapper) disabled in favour of `native`, and the CRI plugin without CNI (sandboxes use the
 * node's network) and with the oom_score_adj of containers kept at or above containerd's own
 * (lowering it needs CAP_SYS_RESOURCE, which a sandboxed root may lack).
 */
export function containerdConfig(dir: string, socket: string, sandboxImage: string): string {
  const q = JSON.stringify;
  return `version = 2
root = ${q(join(dir, "root"))}
state = ${q(join(dir, "state"))}
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.overlayfs", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = ${q(socket)}
[ttrpc]
  address = ${q(`${socket}.ttrpc`)}
[metrics]
  address = ""

[plugins]
  [plugins."io.containerd.internal.v1.opt"]
    path = ${q(join(dir, "opt"))}
  [plugins."io.containerd.grpc.v1.cri"]
    sandbox_image = ${q(sandboxImage)}
    disable_apparmor = true
    restrict_oom_score_adj = true
    stream_server_address = "127.0.0.1"
    stream_server_port = "0"
    [plugins."io.containerd.grpc.v1.cri".containerd]
      snapshotter = "native"
      default_runtime_name = "runc"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
        runtime_type = "io.containerd.runc.v2"
        [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
          SystemdCgroup = false
          Root = ${q(join(dir, "runc"))}
    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = ${q(join(dir, "cni", "bin"))}
      conf_dir = ${q(join(dir, "cni", "conf"))}
`;
}
