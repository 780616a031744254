import { Quantity } from "../../core/index.js";
import type { PodCgroup } from "../../node/index.js";
import type { CgroupController } from "./cgroup-fs.js";

/**
 * What enforcement writes to a pod cgroup: the CFS quota (with its period) and the memory and
 * huge page limits the engine derived (the pod-level quota that caps a pod shared pool, or no
 * quota for a pod whose containers all have exclusive CPUs). cpu.shares, which the resource
 * managers never change, is left as the kubelet wrote it. Values not set in the decision (null)
 * are left alone.
 */
export interface PodCgroupFile {
  controller: CgroupController;
  file: string;
  value: string;
}

const PAGE_SIZE_UNITS = ["B", "KB", "MB", "GB", "TB", "PB"];

/** The kubelet's page size name in cgroup file names: 2Mi → `2MB`, 1Gi → `1GB` (binary multiples). */
export function hugePageSizeName(resourceName: string): string {
  const size = resourceName.startsWith("hugepages-") ? resourceName.slice("hugepages-".length) : resourceName;
  let bytes = Quantity.parse(size, resourceName).value();
  let unit = 0;
  while (bytes >= 1024n && bytes % 1024n === 0n && unit < PAGE_SIZE_UNITS.length - 1) {
    bytes /= 1024n;
    unit++;
  }
  return `${bytes}${PAGE_SIZE_UNITS[unit]}`;
}

/** The files and values for cgroup v1 or v2, in the order they are written (period before quota). */
export function podCgroupFiles(c: PodCgroup, version: 1 | 2): PodCgroupFile[] {
  const out: PodCgroupFile[] = [];
  if (c.cpuQuotaUs !== null) {
    if (version === 1) {
      out.push({ controller: "cpu", file: "cpu.cfs_period_us", value: String(c.cpuPeriodUs) });
      out.push({ controller: "cpu", file: "cpu.cfs_quota_us", value: String(c.cpuQuotaUs) });
    } else {
      const quota = c.cpuQuotaUs === -1 ? "max" : String(c.cpuQuotaUs);
      out.push({ controller: "cpu", file: "cpu.max", value: `${quota} ${c.cpuPeriodUs}` });
    }
  }
  if (c.memoryLimitBytes !== null) {
    const file = version === 1 ? "memory.limit_in_bytes" : "memory.max";
    out.push({ controller: "memory", file, value: c.memoryLimitBytes.toString() });
  }
  for (const [name, bytes] of Object.entries(c.hugepageLimitsBytes).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const size = hugePageSizeName(name);
    const file = version === 1 ? `hugetlb.${size}.limit_in_bytes` : `hugetlb.${size}.max`;
    out.push({ controller: "hugetlb", file, value: bytes.toString() });
  }
  return out;
}

const PAGE = 4096n;
const MEMORY_FILES = new Set(["memory.limit_in_bytes", "memory.max"]);

/**
 * Whether a file already holds the value. The kernel keeps memory limits in whole pages and
 * prints them back rounded down, so a limit that is not a page multiple still counts as set.
 */
export function holdsValue(file: string, current: string, desired: string): boolean {
  const norm = (s: string) => s.trim().split(/\s+/).join(" ");
  if (norm(current) === norm(desired)) return true;
  if (!MEMORY_FILES.has(file) || !/^\d+$/.test(current.trim()) || !/^\d+$/.test(desired)) return false;
  return BigInt(current.trim()) / PAGE === BigInt(desired) / PAGE;
}
