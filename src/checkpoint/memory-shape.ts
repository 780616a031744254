/**
 * Recognises memory pod entries written as a bare `[Block, ...]` instead of the kubelet's
 * `{"memoryBlocks": [...]}` (checkpoints.md CK-2). The kubelet refuses such a file with a Go type
 * error that does not say what is wrong with it; older podpin versions wrote V2 files this way, so
 * the refusal gets a hint that names the pods and the shape the kubelet expects.
 */
import { type JSONNode, foldKey, parseGoJSON } from "./gojson-parse.js";
import { goQuote } from "./gostring.js";
import type { ParsedText } from "./settings.js";

function member(node: JSONNode, key: string): JSONNode | undefined {
  if (node.t !== "object") return undefined;
  // Go applies duplicate keys one after the other, so the last match is the one that counts.
  const matches = node.members.filter(([k]) => foldKey(k) === foldKey(key));
  return matches.length > 0 ? matches[matches.length - 1][1] : undefined;
}

function bareListPods(root: JSONNode): string[] {
  const pods = member(root, "podEntries");
  if (pods?.t !== "object") return [];
  return pods.members.filter(([, v]) => v.t === "array").map(([uid]) => uid);
}

/** The pods whose entries are bare lists, top level (V2) and inside `data` (V3). */
function bareListPodsOf(parsed: ParsedText): string[] {
  if (!("node" in parsed)) return [];
  const found = bareListPods(parsed.node);
  const data = member(parsed.node, "data");
  if (data?.t === "string") {
    try {
      found.push(...bareListPods(parseGoJSON(data.v)));
    } catch {
      // A `data` that does not parse is reported by the load itself.
    }
  }
  return [...new Set(found)];
}

/** A hint for a refused file whose pod entries are bare block lists; null when none is. */
export function bareListHint(parsed: ParsedText): string | null {
  const pods = bareListPodsOf(parsed);
  if (pods.length === 0) return null;
  const names = pods.map((p) => goQuote(p)).join(", ");
  const what =
    pods.length === 1
      ? `the pod-level entry of pod ${names} is a bare list of memory blocks, as older podpin versions wrote it`
      : `the pod-level entries of pods ${names} are bare lists of memory blocks, as older podpin versions wrote them`;
  return `${what}; the kubelet reads a pod entry only as {"memoryBlocks": [...]}`;
}
