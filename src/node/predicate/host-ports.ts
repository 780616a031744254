import { type Container, isSidecar, type Pod } from "../../k8s/index.js";

/**
 * Host ports (`HostPortInfo` of the scheduler framework): which `(ip, protocol, port)` the pods on
 * the node hold, and whether a wanted one conflicts.
 */

const ALL_ADDRESSES = "0.0.0.0";

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

/**
 * `GetHostPorts`: every `hostPort > 0` of the sidecars and app containers (standard init
 * containers finish before the pod runs, so their ports are never held), with the defaults
 * filled in (`0.0.0.0`, `TCP`).
 */
export function podHostPorts(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  for (const c of pod.initContainers) if (isSidecar(c)) pushHostPorts(c, out);
  for (const c of pod.containers) pushHostPorts(c, out);
  return out;
}

function pushHostPorts(c: Container, out: HostPort[]): void {
  if (!c.ports) return;
  for (const p of c.ports) {
    if (!p.hostPort || p.hostPort <= 0) continue;
    out.push({ ip: p.hostIP || ALL_ADDRESSES, protocol: p.protocol || "TCP", port: p.hostPort });
  }
}

/** The ports held on a node: IP → `protocol/port` → how many pods hold it (pods can leave). */
export class HostPortInfo {
  private readonly byIP = new Map<string, Map<string, number>>();

  add(p: HostPort): void {
    let ports = this.byIP.get(p.ip);
    if (!ports) this.byIP.set(p.ip, (ports = new Map()));
    const key = `${p.protocol}/${p.port}`;
    ports.set(key, (ports.get(key) ?? 0) + 1);
  }

  remove(p: HostPort): void {
    const ports = this.byIP.get(p.ip);
    const key = `${p.protocol}/${p.port}`;
    const n = ports?.get(key) ?? 0;
    if (n <= 1) ports?.delete(key);
    else ports?.set(key, n - 1);
  }

  /**
   * `CheckConflict`: a wildcard address conflicts with the same protocol and port on any address;
   * a specific address with the same protocol and port on itself or on the wildcard.
   */
  conflicts(p: HostPort): boolean {
    if (p.port <= 0) return false;
    const key = `${p.protocol}/${p.port}`;
    if (p.ip === ALL_ADDRESSES) return [...this.byIP.values()].some((s) => s.has(key));
    return [ALL_ADDRESSES, p.ip].some((ip) => this.byIP.get(ip)?.has(key) ?? false);
  }
}

/** `nodeports.Fits`: no wanted port conflicts with the ports the other pods hold. */
export function hostPortsFit(pod: Pod, used: HostPortInfo): boolean {
  for (const p of podHostPorts(pod)) if (used.conflicts(p)) return false;
  return true;
}
