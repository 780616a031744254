import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { loadSync } from "@grpc/proto-loader";
import { PROTO_FILE, SERVICE_NAME } from "./wire.js";

/*
 * proto/podresources/v1/api.proto against the message table of podresources-api.md §2 (the
 * kubelet's api.proto): every message's fields with their numbers, labels and types, the
 * service's methods, and the upstream header.
 */

type Field = [name: string, number: number, label: "one" | "repeated", type: string];

const TABLE: Record<string, Field[]> = {
  AllocatableResourcesRequest: [],
  AllocatableResourcesResponse: [
    ["devices", 1, "repeated", "ContainerDevices"],
    ["cpu_ids", 2, "repeated", "int64"],
    ["memory", 3, "repeated", "ContainerMemory"],
  ],
  ListPodResourcesRequest: [],
  ListPodResourcesResponse: [["pod_resources", 1, "repeated", "PodResources"]],
  PodResources: [
    ["name", 1, "one", "string"],
    ["namespace", 2, "one", "string"],
    ["containers", 3, "repeated", "ContainerResources"],
    ["cpu_ids", 4, "repeated", "int64"],
    ["memory", 5, "repeated", "ContainerMemory"],
  ],
  ContainerResources: [
    ["name", 1, "one", "string"],
    ["devices", 2, "repeated", "ContainerDevices"],
    ["cpu_ids", 3, "repeated", "int64"],
    ["memory", 4, "repeated", "ContainerMemory"],
    ["dynamic_resources", 5, "repeated", "DynamicResource"],
  ],
  ContainerMemory: [
    ["memory_type", 1, "one", "string"],
    ["size", 2, "one", "uint64"],
    ["topology", 3, "one", "TopologyInfo"],
  ],
  ContainerDevices: [
    ["resource_name", 1, "one", "string"],
    ["device_ids", 2, "repeated", "string"],
    ["topology", 3, "one", "TopologyInfo"],
  ],
  TopologyInfo: [["nodes", 1, "repeated", "NUMANode"]],
  NUMANode: [["ID", 1, "one", "int64"]],
  DynamicResource: [
    ["claim_name", 2, "one", "string"],
    ["claim_namespace", 3, "one", "string"],
    ["claim_resources", 4, "repeated", "ClaimResource"],
  ],
  ClaimResource: [
    ["cdi_devices", 1, "repeated", "CDIDevice"],
    ["driver_name", 2, "one", "string"],
    ["pool_name", 3, "one", "string"],
    ["device_name", 4, "one", "string"],
    ["share_id", 5, "one", "string"],
  ],
  CDIDevice: [["name", 1, "one", "string"]],
  GetPodResourcesRequest: [
    ["pod_name", 1, "one", "string"],
    ["pod_namespace", 2, "one", "string"],
  ],
  GetPodResourcesResponse: [["pod_resources", 1, "one", "PodResources"]],
};

interface DescriptorField {
  name: string;
  number: number;
  label: string;
  type: string;
  typeName: string;
}

interface Descriptor {
  type: { field: DescriptorField[]; oneofDecl: { name: string }[] };
}

const definition = loadSync(PROTO_FILE, { keepCase: true });

function fieldsOf(message: string): Field[] {
  const d = definition[`v1.${message}`] as unknown as Descriptor | undefined;
  assert.ok(d && "type" in d, `message v1.${message} is missing`);
  return d.type.field.map((f) => [
    f.name,
    f.number,
    f.label === "LABEL_REPEATED" ? "repeated" : "one",
    f.type === "TYPE_MESSAGE" ? f.typeName : f.type.replace("TYPE_", "").toLowerCase(),
  ]);
}

describe("proto/podresources/v1/api.proto", () => {
  it("has the kubelet's messages, no others", () => {
    const messages = Object.keys(definition)
      .filter((k) => k !== SERVICE_NAME)
      .map((k) => k.replace(/^v1\./, ""))
      .sort();
    assert.deepEqual(messages, Object.keys(TABLE).sort());
  });

  for (const [message, fields] of Object.entries(TABLE))
    it(`${message}: fields, numbers, labels and types`, () => {
      assert.deepEqual(fieldsOf(message), fields);
    });

  it("ClaimResource.share_id is proto3 `optional` (field presence), the other scalars are not", () => {
    const claim = definition["v1.ClaimResource"] as unknown as Descriptor;
    assert.deepEqual(
      claim.type.oneofDecl.map((o) => o.name),
      ["_share_id"],
    );
    for (const m of Object.keys(TABLE).filter((n) => n !== "ClaimResource"))
      assert.deepEqual((definition[`v1.${m}`] as unknown as Descriptor).type.oneofDecl, [], m);
  });

  it("serves List, GetAllocatableResources and Get of v1.PodResourcesLister", () => {
    const service = definition[SERVICE_NAME] as unknown as Record<
      string,
      { path: string; requestType: { type: { name: string } }; responseType: { type: { name: string } } }
    >;
    assert.deepEqual(
      Object.entries(service).map(([name, m]) => [
        name,
        m.path,
        m.requestType.type.name,
        m.responseType.type.name,
      ]),
      [
        ["List", "/v1.PodResourcesLister/List", "ListPodResourcesRequest", "ListPodResourcesResponse"],
        [
          "GetAllocatableResources",
          "/v1.PodResourcesLister/GetAllocatableResources",
          "AllocatableResourcesRequest",
          "AllocatableResourcesResponse",
        ],
        ["Get", "/v1.PodResourcesLister/Get", "GetPodResourcesRequest", "GetPodResourcesResponse"],
      ],
    );
  });

  it("is proto3, package v1, and names its upstream source and versions", () => {
    const text = readFileSync(PROTO_FILE, "utf8");
    assert.match(text, /^syntax = "proto3";$/m);
    assert.match(text, /^package v1;$/m);
    assert.match(text, /staging\/src\/k8s\.io\/kubelet\/pkg\/apis\/podresources\/v1\/api\.proto/);
    assert.match(text, /k8s\.io\/kubelet v0\.36\.x and the v0\.37 line/);
  });
});
