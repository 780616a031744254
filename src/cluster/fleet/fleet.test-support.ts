import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository's examples folder (kubelet configurations the fleets name). */
export const EXAMPLES = fileURLToPath(new URL("../../../examples/", import.meta.url));

/** A scratch folder with the given files, removed when the test ends (even on failure). */
export function fleetDir(t: { after(fn: () => void): void }, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "podpin-fleet-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** Two worked-example nodes (2 NUMA nodes of 16 CPUs, 2 CPUs reserved on NUMA 0), pod scope. */
export function handFleet(replicas: number, cpu = "15"): string {
  return `apiVersion: podpin.io/v1alpha1
kind: Fleet
metadata: {name: hand}
nodeGroups:
  - name: small
    count: 2
    machine: worked-example
    kubeletConfig: ${join(EXAMPLES, "kubelet-pod-scope.yaml")}
workloads:
  - name: big
    manifest:
      apiVersion: v1
      kind: Pod
      metadata: {name: big}
      spec:
        containers:
          - name: c
            resources:
              requests: {cpu: "${cpu}", memory: 8Gi}
              limits: {cpu: "${cpu}", memory: 8Gi}
    replicas: ${replicas}
`;
}
