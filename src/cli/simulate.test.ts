/**
 * `simulate()` as a function: the three output forms agree, the blog decisions of pod-level.md §7,
 * metrics, HTML, scripted steps, option overrides and the errors bad input produces.
 */
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { parse as parseYAML } from "yaml";
import { CPUSet } from "../core/index.js";
import { loadMachine } from "../machine/index.js";
import type { AdmitStepDoc, RemoveStepDoc, SimulationDoc } from "../report/index.js";
import {
  assertCPUs,
  assertDatabaseDecision,
  assertMLDecision,
  CONTAINER_SCOPE_CONFIG,
  DATABASE_POD,
  EMPTY_SHARED_POOL_MESSAGE,
  type Fixtures,
  GI,
  ML_1_36_MESSAGE,
  ML_POD,
  POD_SCOPE_CONFIG,
  writeFixtures,
} from "./cli.test-support.js";
import { isInputError } from "./errors.js";
import { loadKubeletConfig } from "./inputs.js";
import { type SimulateOptions, simulate } from "./simulate.js";
import { topologyOutput } from "./topology.js";

const podScope: SimulateOptions = { config: POD_SCOPE_CONFIG, machine: "worked-example", output: "json" };
const containerScope: SimulateOptions = { ...podScope, config: CONTAINER_SCOPE_CONFIG };

async function simulateDoc(
  pods: string[],
  opts: SimulateOptions,
): Promise<{ exitCode: number; doc: SimulationDoc }> {
  const run = await simulate(pods, { ...opts, output: "json" });
  return { exitCode: run.exitCode, doc: JSON.parse(run.stdout) as SimulationDoc };
}

function admits(doc: SimulationDoc): AdmitStepDoc[] {
  return doc.steps.filter((s): s is AdmitStepDoc => s.op === "admit");
}

/** Runs `fn`, which must fail with bad-input error whose one-line message contains `fragments`. */
async function assertInputError(fn: () => unknown, ...fragments: string[]): Promise<void> {
  await assert.rejects(
    async () => fn(),
    (err: unknown) => {
      assert.ok(isInputError(err), `a bad-input error, got ${String(err)}`);
      assert.doesNotMatch(err.message, /\n/, "one line");
      for (const f of fragments) assert.ok(err.message.includes(f), `"${f}" in: ${err.message}`);
      return true;
    },
  );
}

describe("simulate()", () => {
  let fx: Fixtures;
  before(() => {
    fx = writeFixtures();
  });
  after(() => rmSync(fx.dir, { recursive: true, force: true }));

  describe("output forms", () => {
    it("json and yaml carry the same document; the table shows its decisions", async () => {
      const json = await simulate([DATABASE_POD, ML_POD], podScope);
      const yaml = await simulate([DATABASE_POD, ML_POD], { ...podScope, output: "yaml" });
      const table = await simulate([DATABASE_POD, ML_POD], { ...podScope, output: "table" });
      const doc = JSON.parse(json.stdout) as SimulationDoc;
      assert.deepEqual(parseYAML(yaml.stdout), doc);
      assert.deepEqual([json.exitCode, yaml.exitCode, table.exitCode], [0, 0, 0]);
      for (const step of admits(doc)) {
        assert.ok(table.stdout.includes(`ADMITTED  ${step.pod.namespace}/${step.pod.name}  `));
        for (const c of step.containers ?? [])
          assert.match(table.stdout, new RegExp(`\\n {2}${c.name} +${c.kind} +[a-z ]+ +${c.cpus}[ \\n]`));
      }
      assert.ok(table.stdout.includes(`default CPU set ${doc.node.defaultCpuSet}, reserved 0,16`));
      assert.equal(json.html, null, "no HTML unless asked");
    });

    it("sizes are exact JSON integers and CPU sets Linux lists", async () => {
      const { doc } = await simulateDoc([DATABASE_POD], podScope);
      const numa0 = doc.node.numaNodes[0];
      assert.deepEqual(numa0.memory?.memory, {
        allocatable: 64 * GI - 1100 * 1024 ** 2,
        reserved: 16 * GI,
        free: 48 * GI - 1100 * 1024 ** 2,
      });
      assertCPUs(numa0.freeCpus, "5-7,21-23", "NUMA 0 free CPUs");
      assert.equal(doc.kubelet.reservedCpus, "0,16");
      assert.equal(doc.metrics, undefined, "metrics only with --metrics");
    });
  });

  describe("the blog pods (pod-level.md §7)", () => {
    it("§7.1 tightly-coupled-database, pod scope: bubble, pod shared pool, memory blocks, quotas", async () => {
      const { exitCode, doc } = await simulateDoc([DATABASE_POD], podScope);
      assert.equal(exitCode, 0);
      assertDatabaseDecision(admits(doc)[0]);
      assertCPUs(doc.node.defaultCpuSet, "0,5-16,21-31", "default CPU set");
      const cpu = JSON.parse(doc.state.cpuManagerCheckpoint ?? "null");
      assert.deepEqual(cpu.podEntries, { "uid-db": { cpuSet: "1-4,17-20" } });
    });

    it("§7.1 step 7: the metric deltas", async () => {
      const { doc } = await simulateDoc([DATABASE_POD], { ...podScope, metrics: true });
      const m = doc.metrics ?? {};
      const expected: Record<string, number> = {
        topology_manager_admission_requests_total: 1,
        "container_aligned_compute_resources_count{pod,numa_node}": 1,
        cpu_manager_pinning_requests_total: 1,
        "resource_manager_container_assignments{cpu,pod_exclusive}": 1,
        "resource_manager_container_assignments{cpu,pod_shared}": 2,
        "resource_manager_allocations_total{cpu,pod}": 3,
        cpu_manager_exclusive_cpu_allocation_count: 8,
        // 30 CPUs outside the reserved ones, 8 taken by the bubble.
        cpu_manager_shared_pool_size_millicores: 22000,
        memory_manager_pinning_requests_total: 4,
        "resource_manager_container_assignments{memory,pod_exclusive}": 1,
        "resource_manager_container_assignments{memory,pod_shared}": 2,
        "resource_manager_allocations_total{memory,pod}": 3,
      };
      for (const [k, v] of Object.entries(expected)) assert.equal(m[k], v, k);
    });

    it("§7.2 ml-workload, container scope (1.37)", async () => {
      const { exitCode, doc } = await simulateDoc([ML_POD], containerScope);
      assert.equal(exitCode, 0);
      assertMLDecision(admits(doc)[0]);
    });

    it("§7.2 ml-workload on a 1.36 kubelet: rejected by the Memory Manager, exit 1", async () => {
      const { exitCode, doc } = await simulateDoc([ML_POD], { ...containerScope, kubernetesVersion: "1.36" });
      assert.equal(exitCode, 1);
      assert.equal(doc.kubernetesVersion, "1.36");
      const step = admits(doc)[0];
      assert.equal(step.admitted, false);
      assert.equal(step.reason, "UnexpectedAdmissionError");
      assert.equal(step.message, ML_1_36_MESSAGE);
      assert.equal(step.status, `Pod was rejected: ${ML_1_36_MESSAGE}`);
    });

    it("both pods in pod scope: the second bubble is on one NUMA node and avoids the first", async () => {
      const { doc } = await simulateDoc([DATABASE_POD, ML_POD], podScope);
      const [db, ml] = admits(doc);
      assertDatabaseDecision(db);
      assert.equal(ml.admitted, true);
      const bubble = CPUSet.parse(ml.bubble ?? "");
      assert.equal(bubble.size, 4);
      assert.ok(!bubble.intersects(CPUSet.parse("0-4,16-20")), `ml bubble ${bubble} avoids db and reserved`);
      const m = loadMachine("worked-example");
      assert.ok(
        [0, 1].some((n) => bubble.isSubsetOf(m.topology.cpusInNUMANode(n))),
        `ml bubble ${bubble} on one NUMA node`,
      );
      assertCPUs(
        ml.podSharedPool,
        bubble.difference(CPUSet.parse(ml.containers?.[1].cpus ?? "")).toString(),
        "ml pool",
      );
    });
  });

  describe("rejections (pod-level.md §7.3 empty-shared-pool)", () => {
    it("single-numa-node: TopologyAffinityError, exit 1", async () => {
      const { exitCode, doc } = await simulateDoc([fx.emptySharedPool], podScope);
      assert.equal(exitCode, 1);
      const step = admits(doc)[0];
      assert.equal(step.reason, "TopologyAffinityError");
      assert.equal(step.message, EMPTY_SHARED_POOL_MESSAGE);
      assert.equal(step.containers, null);
      assertCPUs(doc.node.defaultCpuSet, "0-31", "nothing held");
    });

    it("best-effort: EmptyPodSharedPoolError", async () => {
      const config = join(fx.dir, "kubelet-best-effort.yaml");
      writeFileSync(
        config,
        `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
featureGates: {PodLevelResources: true, PodLevelResourceManagers: true}
cpuManagerPolicy: static
kubeReserved: {cpu: "1", memory: 500Mi}
systemReserved: {cpu: "1", memory: 500Mi}
evictionHard: {memory.available: 100Mi}
memoryManagerPolicy: Static
reservedMemory: [{numaNode: 0, limits: {memory: 1100Mi}}]
topologyManagerPolicy: best-effort
topologyManagerScope: pod
`,
      );
      const { exitCode, doc } = await simulateDoc([fx.emptySharedPool], { ...podScope, config });
      assert.equal(exitCode, 1);
      const step = admits(doc)[0];
      assert.equal(step.reason, "EmptyPodSharedPoolError");
      assert.equal(
        step.message,
        "pod rejected, sum of exclusive container cpu requests equals pod budget, leaving no cpus for shared containers",
      );
    });

    it("one rejected pod among admitted ones still gives exit 1", async () => {
      const run = await simulate([DATABASE_POD, fx.emptySharedPool], { ...podScope, output: "table" });
      assert.equal(run.exitCode, 1);
      assert.match(run.stdout, /^ADMITTED {2}default\/tightly-coupled-database/);
      assert.match(run.stdout, /\nREJECTED {2}default\/empty-shared-pool {2}reason=TopologyAffinityError\n/);
    });
  });

  describe("--steps", () => {
    it("sequential pods get the same CPUs and memory back after release", async () => {
      const { exitCode, doc } = await simulateDoc([], { ...podScope, steps: fx.steps });
      assert.equal(exitCode, 0);
      const [first, removal, again] = doc.steps as [AdmitStepDoc, RemoveStepDoc, AdmitStepDoc];
      assertDatabaseDecision(first);
      assert.equal(removal.removed, true);
      assert.equal(removal.target, "default/tightly-coupled-database");
      assertCPUs(removal.defaultCpuSet, "0-31", "all CPUs back");
      assertDatabaseDecision(again);
      assert.equal(again.pod.name, "database-2");
      assert.equal(doc.node.numaNodes[0].memory?.memory.reserved, 16 * GI, "only the second pod's memory");
    });

    it("the same pod may come back after its removal, not while it runs", async () => {
      const again = join(fx.dir, "again.yaml");
      writeFileSync(
        again,
        `steps:\n  - admit: ${DATABASE_POD}\n  - remove: uid-db\n  - admit: ${DATABASE_POD}\n`,
      );
      const { exitCode, doc } = await simulateDoc([], { ...podScope, steps: again });
      assert.equal(exitCode, 0);
      const [first, , second] = doc.steps as [AdmitStepDoc, RemoveStepDoc, AdmitStepDoc];
      assertDatabaseDecision(first);
      assertDatabaseDecision(second);
      await assertInputError(
        () => simulate([DATABASE_POD], { ...podScope, steps: fx.steps }),
        "pod default/tightly-coupled-database: metadata.uid: uid-db is already admitted",
      );
    });

    it("pods on the command line are admitted before the steps; remove by name or uid", async () => {
      const steps = join(fx.dir, "remove-both.yaml");
      writeFileSync(
        steps,
        "steps:\n  - remove: ml-workload\n  - remove: uid-db\n  - remove: default/ghost\n",
      );
      const { exitCode, doc } = await simulateDoc([DATABASE_POD, ML_POD], { ...podScope, steps });
      assert.equal(exitCode, 0, "an unknown pod to remove is a no-op step, not a rejection");
      assert.deepEqual(
        doc.steps.map((s) =>
          s.op === "admit"
            ? `admit ${s.pod.name}`
            : s.op === "remove"
              ? `remove ${s.target} ${s.removed}`
              : s.op,
        ),
        [
          "admit tightly-coupled-database",
          "admit ml-workload",
          "remove ml-workload true",
          "remove uid-db true",
          "remove default/ghost false",
        ],
      );
      assertCPUs(doc.node.defaultCpuSet, "0-31", "all released");
      for (const n of doc.node.numaNodes)
        assert.equal(n.memory?.memory.reserved, 0, `NUMA ${n.id} memory released`);
    });

    it("property: admitting copies of the database pod and removing them in any order restores the node", async () => {
      const copies = Array.from({ length: 5 }, (_, i) => {
        const file = join(fx.dir, `copy-${i}.yaml`);
        writeFileSync(
          file,
          `apiVersion: v1
kind: Pod
metadata: {name: copy-${i}, namespace: default, uid: uid-copy-${i}}
spec:
  resources:
    requests: {cpu: "${2 + 2 * (i % 3)}", memory: ${1 + i}Gi}
    limits: {cpu: "${2 + 2 * (i % 3)}", memory: ${1 + i}Gi}
  initContainers: [{name: side, image: x, restartPolicy: Always}]
  containers:
    - name: main
      image: x
      resources:
        requests: {cpu: "1", memory: 1Gi}
        limits: {cpu: "1", memory: 1Gi}
`,
        );
        return file;
      });
      const stepsFile = join(fx.dir, "property-steps.yaml");
      await fc.assert(
        fc.asyncProperty(
          fc.subarray([0, 1, 2, 3, 4], { minLength: 1 }),
          fc.infiniteStream(fc.nat()),
          async (picked, noise) => {
            const order = [...picked];
            for (let i = order.length - 1; i > 0; i--) {
              const j = noise.next().value % (i + 1);
              [order[i], order[j]] = [order[j], order[i]];
            }
            writeFileSync(
              stepsFile,
              `steps:\n${picked.map((i) => `  - admit: ${copies[i]}\n`).join("")}${order
                .map((i) => `  - remove: uid-copy-${i}\n`)
                .join("")}`,
            );
            const { doc } = await simulateDoc([], { ...podScope, steps: stepsFile });
            const held = admits(doc)
              .filter((s) => s.admitted)
              .map((s) => CPUSet.parse(s.bubble ?? ""));
            for (let a = 0; a < held.length; a++)
              for (let b = a + 1; b < held.length; b++)
                assert.ok(!held[a].intersects(held[b]), `bubbles ${held[a]} and ${held[b]} are disjoint`);
            assertCPUs(doc.node.defaultCpuSet, "0-31", "default set restored");
            for (const n of doc.node.numaNodes)
              assert.equal(
                n.memory?.memory.free,
                n.memory?.memory.allocatable,
                `NUMA ${n.id} memory restored`,
              );
          },
        ),
        { numRuns: 25 },
      );
    });
  });

  describe("options", () => {
    it("--feature-gates overrides the config file: gates off admit the pod without pinning", async () => {
      for (const gates of ["PodLevelResourceManagers=false", "PodLevelResources=false"]) {
        const { exitCode, doc } = await simulateDoc([DATABASE_POD], { ...podScope, featureGates: gates });
        assert.equal(exitCode, 0, gates);
        const step = admits(doc)[0];
        assert.equal(step.admitted, true, gates);
        assert.equal(step.bubble, null, gates);
        assert.ok(
          step.containers?.every((c) => c.nodeSharedPool && c.memory === null),
          `${gates}: every container in the node shared pool`,
        );
        assertCPUs(doc.node.defaultCpuSet, "0-31", gates);
        assert.equal(doc.node.numaNodes[0].memory?.memory.reserved, 0, gates);
      }
    });

    it("--feature-gates can also turn the gates on over the kubelet's defaults", async () => {
      const config = join(fx.dir, "kubelet-gates-off.yaml");
      // The worked-example configuration without its featureGates section.
      writeFileSync(
        config,
        readFileSync(POD_SCOPE_CONFIG, "utf8").replace(/^featureGates:\n(?: {2}.*\n)+/m, ""),
      );
      const off = await simulateDoc([DATABASE_POD], { ...podScope, config });
      assert.equal(admits(off.doc)[0].bubble, null);
      const on = await simulateDoc([DATABASE_POD], {
        ...podScope,
        config,
        featureGates: "PodLevelResources=true,PodLevelResourceManagers=true",
      });
      assertDatabaseDecision(admits(on.doc)[0]);
    });

    it("a machine file decides as the preset it was written from", async () => {
      const file = join(fx.dir, "machine-m.json");
      writeFileSync(file, topologyOutput(loadMachine("worked-example"), "json"));
      const fromFile = await simulateDoc([DATABASE_POD, ML_POD], { ...podScope, machine: file });
      const fromPreset = await simulateDoc([DATABASE_POD, ML_POD], podScope);
      assert.deepEqual(fromFile.doc.steps, fromPreset.doc.steps);
      assert.deepEqual(fromFile.doc.node, fromPreset.doc.node);
    });

    it("--html returns a self-contained page with every CPU and pod", async () => {
      const run = await simulate([DATABASE_POD, ML_POD], { ...podScope, output: "table", html: "x.html" });
      const html = run.html ?? "";
      assert.match(html, /^<!DOCTYPE html>/i);
      assert.equal(html.match(/data-cpu="/g)?.length, 32);
      assert.ok(html.includes("tightly-coupled-database") && html.includes("ml-workload"));
      assert.ok(html.includes("PodLevelResourceManagers=true"), "the configuration summary");
      assert.doesNotMatch(html, /\s(src|href)="(?!#)|@import|url\((?!#)/);
    });

    it("without --config: the kubelet's defaults, every manager off", async () => {
      const { doc } = await simulateDoc([DATABASE_POD], { machine: "worked-example", output: "json" });
      assert.deepEqual(doc.kubelet.cpuManagerPolicy, "none");
      assert.deepEqual(doc.kubelet.memoryManagerPolicy, "None");
      assert.equal(doc.state.cpuManagerCheckpoint, null);
      assert.equal(doc.state.memoryManagerCheckpoint, null);
      // The Device Manager has no policy to turn off: the kubelet always writes its checkpoint.
      assert.match(
        doc.state.deviceManagerCheckpoint,
        /^\{"Data":\{"PodDeviceEntries":null,"RegisteredDevices":\{\}\},"Checksum":\d+\}$/,
      );
      assert.equal(admits(doc)[0].admitted, true);
    });
  });

  describe("bad input names the file and the field", () => {
    it("no pods at all", async () => {
      await assertInputError(() => simulate([], podScope), "no pods");
    });

    it("invalid YAML, an unknown field, a bad quantity", async () => {
      await assertInputError(() => simulate([fx.badYaml], podScope), `${fx.badYaml}:`, "invalid YAML");
      await assertInputError(
        () => simulate([fx.unknownField], podScope),
        `${fx.unknownField}:8: spec.containers[0].resourcez: unknown field "resourcez"`,
      );
      const badQuantity = join(fx.dir, "bad-quantity.yaml");
      writeFileSync(
        badQuantity,
        `apiVersion: v1
kind: Pod
metadata: {name: q, uid: uid-q}
spec:
  containers:
    - name: app
      image: x
      resources: {requests: {cpu: 2x}}
`,
      );
      await assertInputError(
        () => simulate([badQuantity], podScope),
        `${badQuantity}:8: spec.containers[0].resources.requests.cpu: invalid quantity "2x"`,
      );
    });

    it("a missing pod file, config file or machine", async () => {
      const missing = join(fx.dir, "nope.yaml");
      await assertInputError(() => simulate([missing], podScope), `cannot read ${missing}: no such file`);
      await assertInputError(() => simulate([ML_POD], { ...podScope, config: missing }), missing);
      await assertInputError(
        () => simulate([ML_POD], { ...podScope, machine: "no-such-preset" }),
        "no-such-preset: unknown machine",
      );
    });

    it("a kubelet configuration with a bad value", async () => {
      const config = join(fx.dir, "bad-kubelet.yaml");
      writeFileSync(
        config,
        "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\ncpuManagerPolicy: statik\n",
      );
      await assertInputError(
        () => simulate([ML_POD], { ...podScope, config }),
        `${config}:3: cpuManagerPolicy: expected one of`,
        '"statik"',
      );
    });

    it("--kubernetes-version and --feature-gates values", () => {
      assert.throws(
        () => loadKubeletConfig({ machine: "worked-example", kubernetesVersion: "1.35" }),
        /^UsageError: --kubernetes-version: unsupported version "1.35": expected "1.36" or "1.37"$/,
      );
      assert.throws(
        () => loadKubeletConfig({ machine: "worked-example", featureGates: "PodLevelResources=maybe" }),
        (err: Error) => isInputError(err) && err.message.startsWith("--feature-gates: "),
      );
    });

    it("two pods with one uid", async () => {
      await assertInputError(() => simulate([ML_POD, ML_POD], podScope), "the same uid uid-ml");
    });

    it("steps files: not a list, an unknown step, a missing pod file", async () => {
      const file = (name: string, text: string) => {
        const p = join(fx.dir, name);
        writeFileSync(p, text);
        return p;
      };
      const notList = file("steps-not-list.yaml", "steps: {admit: x.yaml}\n");
      await assertInputError(
        () => simulate([], { ...podScope, steps: notList }),
        `${notList}: steps: expected a list`,
      );
      const unknown = file("steps-unknown.yaml", "steps:\n  - launch: x.yaml\n");
      await assertInputError(
        () => simulate([], { ...podScope, steps: unknown }),
        `${unknown}: steps[0]: unknown step "launch"`,
      );
      const twoKeys = file("steps-two.yaml", "steps:\n  - {admit: a.yaml, remove: b}\n");
      await assertInputError(
        () => simulate([], { ...podScope, steps: twoKeys }),
        `${twoKeys}: steps[0]: expected exactly one`,
      );
      const empty = file("steps-empty.yaml", "steps:\n  - remove: ''\n");
      await assertInputError(
        () => simulate([], { ...podScope, steps: empty }),
        `${empty}: steps[0].remove: expected a string`,
      );
      const missingPod = file("steps-missing.yaml", "steps:\n  - admit: not-here.yaml\n");
      await assertInputError(
        () => simulate([], { ...podScope, steps: missingPod }),
        `cannot read ${join(fx.dir, "not-here.yaml")}: no such file`,
      );
    });
  });
});
