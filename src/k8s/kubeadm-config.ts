import { InputError } from "./input-error.js";
import type { SourceDocument } from "./yaml-source.js";

/**
 * Which document of a configuration file is the kubelet's. A plain kubelet configuration file has
 * one document; a kubeadm configuration (`kubeadm init --config`) is a multi-document stream of
 * `InitConfiguration`, `ClusterConfiguration`, `JoinConfiguration`, `KubeletConfiguration`,
 * `KubeProxyConfiguration`, ... of which podpin takes the `KubeletConfiguration`, as kubeadm hands
 * that document to the kubelet. Other documents are left alone, as kubeadm ignores kinds it does not
 * know; a kind given twice is refused, as kubeadm refuses it.
 */

const KUBELET_KIND = "KubeletConfiguration";

const kindOf = (doc: SourceDocument): unknown =>
  doc.data && typeof doc.data === "object" && !Array.isArray(doc.data)
    ? (doc.data as { kind?: unknown }).kind
    : undefined;

export function selectKubeletConfigDocument(docs: readonly SourceDocument[], file: string): SourceDocument {
  // One document: the kubelet's own file, which may leave out `kind`; it is checked as one.
  if (docs.length === 1) return docs[0];
  const kubelet = docs.filter((d) => kindOf(d) === KUBELET_KIND);
  if (kubelet.length === 1) return kubelet[0];
  if (kubelet.length > 1)
    throw new InputError({ file }, "", `expected one ${KUBELET_KIND} document, found ${kubelet.length}`);
  const kinds = docs.map((d) => {
    const k = kindOf(d);
    return typeof k === "string" ? k : "(no kind)";
  });
  const what = docs.length === 0 ? "the file is empty" : `its documents are ${kinds.join(", ")}`;
  throw new InputError(
    { file },
    "",
    `no ${KUBELET_KIND} document: ${what}; a kubeadm configuration passes the kubelet's settings in a document with apiVersion: kubelet.config.k8s.io/v1beta1 and kind: ${KUBELET_KIND}`,
  );
}
