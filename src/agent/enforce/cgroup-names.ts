import type { QOSClass } from "../../k8s/index.js";
import { CgroupPathError, EnforceConfigError } from "./errors.js";

/**
 * The kubelet's pod cgroup names (`pkg/kubelet/cm/pod_container_manager_linux.go`,
 * `cgroup_manager_linux.go`): under the node's cgroup root, `kubepods`, then the QoS class's
 * cgroup (none for Guaranteed, `burstable`, `besteffort`), then `pod<uid>`. The cgroupfs driver
 * writes that as a path; the systemd driver as nested slices whose names repeat their parents'
 * (`kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod<uid>.slice`, dashes in a name
 * becoming underscores). Only validated names reach a path: a pod UID must look like a UID.
 */

export type CgroupDriver = "cgroupfs" | "systemd";

/** The kubelet's defaults: `cgroupRoot` "/" and `cgroupDriver` "cgroupfs". */
export const DEFAULT_CGROUP_ROOT = "/";
export const DEFAULT_CGROUP_DRIVER: CgroupDriver = "cgroupfs";

const NODE_ALLOCATABLE_CGROUP = "kubepods";
const QOS_CGROUP: Record<QOSClass, string | null> = {
  Guaranteed: null,
  Burstable: "burstable",
  BestEffort: "besteffort",
};

/** A cgroup name component podpin accepts in a configured root: no separators, no dot names. */
const SAFE_COMPONENT = /^[A-Za-z0-9_.:@-]{1,255}$/;

/** An API-server UID (RFC 4122 text form) or a static pod's UID (32 hex digits of a hash). */
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const STATIC_POD_UID = /^[0-9a-f]{32}$/;

export function isPodUID(uid: string): boolean {
  return UUID.test(uid) || STATIC_POD_UID.test(uid);
}

/** The components of a configured cgroup root (`/` → none); refuses anything path-like but plain names. */
export function cgroupRootComponents(root: string, driver: CgroupDriver): string[] {
  const bad = (why: string) =>
    new EnforceConfigError(
      `cgroupRoot: ${why}, got ${JSON.stringify(root)} (expected / or a path such as /podpin)`,
    );
  if (!root.startsWith("/")) throw bad("expected an absolute cgroup path");
  const parts = root.split("/").filter((p) => p !== "");
  for (const p of parts) {
    if (p === "." || p === ".." || !SAFE_COMPONENT.test(p))
      throw bad(`component ${JSON.stringify(p)} is not a plain cgroup name`);
    if (driver === "systemd" && p.includes("."))
      throw bad(
        `with the systemd driver the root's names cannot contain dots (the kubelet derives the slices)`,
      );
  }
  return parts;
}

export function parseCgroupDriver(driver: string): CgroupDriver {
  if (driver === "cgroupfs" || driver === "systemd") return driver;
  throw new EnforceConfigError(`cgroupDriver: expected cgroupfs or systemd, got ${JSON.stringify(driver)}`);
}

/** The kubelet's abstract cgroup name of a pod: the root's components, kubepods, the QoS cgroup, pod<uid>. */
export function podCgroupName(rootComponents: readonly string[], qos: QOSClass, uid: string): string[] {
  if (!isPodUID(uid))
    throw new CgroupPathError(`pod uid ${JSON.stringify(uid)} is not a UID; no cgroup path is built from it`);
  const qosCgroup = QOS_CGROUP[qos];
  return [...rootComponents, NODE_ALLOCATABLE_CGROUP, ...(qosCgroup ? [qosCgroup] : []), `pod${uid}`];
}

/**
 * The name as the driver lays it out on the cgroup filesystem, absolute from the hierarchy's root:
 * `/a/b/c` for cgroupfs, `/a.slice/a-b.slice/a-b-c.slice` for systemd.
 */
export function cgroupfsPath(name: readonly string[], driver: CgroupDriver): string {
  if (name.length === 0) return "/";
  if (driver === "cgroupfs") return `/${name.join("/")}`;
  const escaped = name.map((part) => part.replaceAll("-", "_"));
  const slices: string[] = [];
  for (let i = 1; i <= escaped.length; i++) slices.push(`${escaped.slice(0, i).join("-")}.slice`);
  return `/${slices.join("/")}`;
}

/** The pod cgroup's path relative to a hierarchy's root, for the kubelet's root, driver and QoS class. */
export function podCgroupPath(root: string, driver: CgroupDriver, qos: QOSClass, uid: string): string {
  return cgroupfsPath(podCgroupName(cgroupRootComponents(root, driver), qos, uid), driver);
}
