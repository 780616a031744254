import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { promisify } from "node:util";
import { Command } from "commander";
import { CustomResourceDefinition } from "kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition";
import { DaemonSet } from "kubernetes-models/apps/v1/DaemonSet";
import { ClusterRole } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole";
import { ClusterRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { Service } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { parseAllDocuments } from "yaml";
import { registerAgent } from "../cli/agent.js";

/*
 * deploy/ and the Dockerfile, checked without a cluster or a Docker engine: every manifest is a
 * valid Kubernetes object, the kustomization lists what is there, the DaemonSet's arguments are
 * options the `podpin agent` command has, and the image is built from what `npm pack` packs.
 */

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DEPLOY = `${ROOT}deploy/`;

type Manifest = { apiVersion: string; kind: string; metadata: { name: string }; [key: string]: unknown };

function manifests(file: string): Manifest[] {
  const docs = parseAllDocuments(readFileSync(DEPLOY + file, "utf8"));
  return docs.map((d) => {
    assert.deepEqual(d.errors, [], `${file}: ${d.errors.map((e) => e.message).join("; ")}`);
    return d.toJS() as Manifest;
  });
}

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  "v1/Namespace": Namespace,
  "v1/ServiceAccount": ServiceAccount,
  "v1/Service": Service,
  "apps/v1/DaemonSet": DaemonSet,
  "rbac.authorization.k8s.io/v1/ClusterRole": ClusterRole,
  "rbac.authorization.k8s.io/v1/ClusterRoleBinding": ClusterRoleBinding,
  "apiextensions.k8s.io/v1/CustomResourceDefinition": CustomResourceDefinition,
};

function kustomizationResources(): string[] {
  const [k] = manifests("kustomization.yaml") as unknown as { resources: string[] }[];
  return k.resources;
}

function daemonSet(): {
  spec: {
    selector: { matchLabels: Record<string, string> };
    template: {
      metadata: { labels: Record<string, string> };
      spec: {
        containers: {
          args: string[];
          ports: { name: string; containerPort: number }[];
          livenessProbe: { httpGet: { path: string; port: string } };
          readinessProbe: { httpGet: { path: string; port: string } };
        }[];
      };
    };
  };
} {
  return manifests("daemonset.yaml")[0] as never;
}

test("every manifest the kustomization lists validates against the Kubernetes API schemas", () => {
  const kinds: string[] = [];
  for (const file of kustomizationResources()) {
    for (const m of manifests(file)) {
      const Model = MODELS[`${m.apiVersion}/${m.kind}`];
      assert.ok(Model, `${file}: no schema for ${m.apiVersion} ${m.kind}`);
      assert.doesNotThrow(() => new Model(m as never).validate(), `${file}: ${m.kind} ${m.metadata.name}`);
      kinds.push(m.kind);
    }
  }
  assert.deepEqual(kinds.sort(), [
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "DaemonSet",
    "Namespace",
    "Service",
    "ServiceAccount",
  ]);
});

test("a broken manifest fails validation (the check can fail)", () => {
  const ds = structuredClone(daemonSet()) as unknown as {
    spec: { template: { spec: { containers: unknown } } };
  };
  ds.spec.template.spec.containers = "agent";
  assert.throws(() => new DaemonSet(ds as never).validate());
});

test("the kustomization lists exactly the manifests in deploy/, the optional ServiceMonitor aside", () => {
  const present = readdirSync(DEPLOY)
    .filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml" && f !== "servicemonitor.yaml")
    .sort();
  assert.deepEqual([...kustomizationResources()].sort(), present);
  const [k] = manifests("kustomization.yaml") as unknown as { namespace: string }[];
  assert.equal(k.namespace, "podpin-system");
});

test("the DaemonSet's arguments are options of `podpin agent`", () => {
  const [container] = daemonSet().spec.template.spec.containers;
  const [command, ...args] = container.args;
  assert.equal(command, "agent");
  const program = new Command().exitOverride();
  registerAgent(program);
  const agent = program.commands.find((c) => c.name() === "agent");
  assert.ok(agent);
  const { operands, unknown } = agent.parseOptions(args);
  assert.deepEqual({ operands, unknown }, { operands: [], unknown: [] });
  const known = new Set(agent.options.map((o) => o.long));
  for (const arg of args) assert.ok(known.has(arg.split("=")[0]), `${arg}: not an option of podpin agent`);
  assert.ok(args.includes("--in-cluster"));
  assert.ok(args.includes("--node-name=$(NODE_NAME)"));
  assert.ok(!args.includes("--enforce"), "the DaemonSet defaults to shadow mode");
});

test("probes and the metrics Service reach the agent's read-only metrics listener", () => {
  const ds = daemonSet();
  const [container] = ds.spec.template.spec.containers;
  const metrics = container.args.find((a) => a.startsWith("--metrics-listen="));
  assert.ok(metrics);
  const port = container.ports.find((p) => p.name === "metrics");
  assert.equal(metrics, `--metrics-listen=tcp://0.0.0.0:${port?.containerPort}`);
  assert.equal(container.livenessProbe.httpGet.path, "/healthz");
  assert.equal(container.readinessProbe.httpGet.path, "/readyz");
  assert.equal(container.livenessProbe.httpGet.port, "metrics");
  const [service] = manifests("service.yaml") as unknown as {
    spec: { selector: Record<string, string>; ports: { name: string; targetPort: string }[] };
  }[];
  for (const [k, v] of Object.entries(service.spec.selector))
    assert.equal(ds.spec.template.metadata.labels[k], v);
  assert.deepEqual(ds.spec.selector.matchLabels, service.spec.selector);
  assert.deepEqual(
    service.spec.ports.map((p) => [p.name, p.targetPort]),
    [["metrics", "metrics"]],
  );
  const [monitor] = manifests("servicemonitor.yaml") as unknown as {
    spec: { selector: { matchLabels: Record<string, string> }; endpoints: { port: string }[] };
  }[];
  assert.deepEqual(monitor.spec.selector.matchLabels, service.spec.selector);
  assert.equal(monitor.spec.endpoints[0].port, "metrics");
});

test("the Dockerfile installs the packed package on Node 20 and runs podpin", () => {
  const lines = readFileSync(`${ROOT}Dockerfile`, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "" && !l.trimStart().startsWith("#"));
  const from = lines.filter((l) => l.startsWith("FROM "));
  assert.ok(from.length >= 2, "multi-stage");
  for (const f of from) assert.match(f, /^FROM node:20-/);
  const text = lines.join("\n");
  assert.match(text, /COPY podpin-\*\.tgz/);
  assert.match(text, /npm install -g \/tmp\/podpin\.tgz --omit=dev/);
  assert.equal(lines.filter((l) => l.startsWith("ENTRYPOINT")).at(-1), 'ENTRYPOINT ["podpin"]');
  assert.match(readFileSync(`${ROOT}.dockerignore`, "utf8"), /^!podpin-\*\.tgz$/m);
});

test("npm pack includes what the image runs: the command, the compiled agent and the protocol files", async () => {
  const { stdout } = await promisify(execFile)("npm", ["pack", "--dry-run", "--ignore-scripts", "--json"], {
    cwd: ROOT,
    maxBuffer: 64 << 20,
  });
  const [packed] = JSON.parse(stdout) as { name: string; files: { path: string }[] }[];
  assert.equal(packed.name, "podpin");
  const files = new Set(packed.files.map((f) => f.path));
  for (const needed of [
    "package.json",
    "bin/podpin.js",
    "dist/bin/cli.js",
    "dist/cli/agent.js",
    "dist/agent/index.js",
    "dist/cluster/nrt/index.js",
  ])
    assert.ok(files.has(needed), `npm pack leaves out ${needed} (run npm run build first)`);
  assert.ok(
    [...files].some((f) => f.startsWith("proto/") && f.endsWith(".proto")),
    "no .proto file packed",
  );
  assert.ok(![...files].some((f) => f.endsWith(".test.ts")), "test files are packed");
});
