import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

/** The repository's deploy/ directory (the manifests the tests read). */
export const DEPLOY_DIR = fileURLToPath(new URL("../../../deploy/", import.meta.url));

export type JsonSchema = { [key: string]: unknown };

interface OpenAPISchema {
  type?: string;
  properties?: Record<string, OpenAPISchema>;
  required?: string[];
  items?: OpenAPISchema;
  pattern?: string;
  "x-kubernetes-int-or-string"?: boolean;
}

/**
 * The subset of an OpenAPI v3 structural schema a CRD uses, as JSON Schema for ajv: type,
 * properties, required, items, pattern and `x-kubernetes-int-or-string` (an integer, or a string
 * matching the pattern). Objects refuse unknown fields: the API server would prune them silently,
 * so for our own objects an unknown field is a mistake worth failing on.
 */
export function toJsonSchema(s: OpenAPISchema, freeObject = false): JsonSchema {
  if (s["x-kubernetes-int-or-string"])
    return { anyOf: [{ type: "integer" }, { type: "string", ...(s.pattern ? { pattern: s.pattern } : {}) }] };
  const out: JsonSchema = {};
  if (s.type) out.type = s.type;
  if (s.pattern) out.pattern = s.pattern;
  if (s.properties) {
    out.properties = Object.fromEntries(
      Object.entries(s.properties).map(([k, v]) => [k, toJsonSchema(v, k === "metadata")]),
    );
    if (!freeObject) out.additionalProperties = false;
  }
  if (s.required) out.required = s.required;
  if (s.items) out.items = toJsonSchema(s.items);
  return out;
}

export interface CrdDocument {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: {
    group: string;
    scope: string;
    names: { kind: string; plural: string };
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      schema: { openAPIV3Schema: OpenAPISchema };
    }[];
  };
}

export function readCrd(): CrdDocument {
  return parse(readFileSync(`${DEPLOY_DIR}crd-noderesourcetopologies.yaml`, "utf8")) as CrdDocument;
}

export function versionSchema(crd: CrdDocument, version: string): JsonSchema {
  const v = crd.spec.versions.find((x) => x.name === version);
  if (!v) throw new Error(`the CRD has no version ${version}`);
  return toJsonSchema(v.schema.openAPIV3Schema);
}
