// podpin as a library: admit the blog's database pod, explain a pod that does not fit, and render
// both the way the CLI does. Run from the repository: npx tsx examples/library.ts
import { readFileSync } from "node:fs";
import {
  type AdmissionResult,
  type Explanation,
  explainAdmission,
  explainDoc,
  loadMachine,
  Node,
  nodeConfigFromKubelet,
  nodeDoc,
  parseKubeletConfig,
  parsePods,
  plainJSON,
  renderExplainText,
} from "podpin";

const read = (file: string) => readFileSync(new URL(file, import.meta.url), "utf8");
const kubelet = parseKubeletConfig(read("kubelet-pod-scope.yaml"), "kubelet-pod-scope.yaml");
const node = new Node({ machine: loadMachine("worked-example"), config: nodeConfigFromKubelet(kubelet) });

const [database] = parsePods(read("tightly-coupled-database.yaml"), "tightly-coupled-database.yaml");
const admitted: AdmissionResult = node.admit(database);
for (const c of admitted.containers ?? []) console.log(`${c.name}: ${c.assignmentType} ${c.cpus}`);

// A result prints with JSON.stringify as -o json does (CPU sets as lists, bytes as numbers while
// exact); plainJSON gives any part of one in the same form.
console.log(JSON.parse(JSON.stringify(admitted)).podDecision.bubble);
console.log(JSON.stringify(plainJSON(admitted.podDecision?.memory)));

const [big] = parsePods(read("too-big-database.yaml"), "too-big-database.yaml");
const why: Explanation = explainAdmission(node, big);
console.log(why.rejection?.fix);
process.stdout.write(renderExplainText(explainDoc(why, { node: nodeDoc(node) })));
