"""A PodResources v1 client independent of podpin's TypeScript stack.

It imports the message classes protoc generated from proto/podresources/v1/api.proto (into the
directory given with --generated), calls List, GetAllocatableResources and Get over the unix
socket with grpcio, and prints one JSON document: every response as protobuf's canonical JSON
mapping (proto field names, 64-bit integers as strings, unset and empty fields left out), and
for a failed Get the gRPC status code name and details.

    /usr/bin/python3 client.py --generated DIR --socket PATH [--get NAMESPACE/NAME ...]
"""

import argparse
import importlib
import json
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generated", required=True, help="directory holding podresources/v1/api_pb2.py")
    parser.add_argument("--socket", required=True, help="path of the PodResources unix socket")
    parser.add_argument("--get", action="append", default=[], metavar="NAMESPACE/NAME")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per call")
    args = parser.parse_args()

    sys.path.insert(0, args.generated)
    import grpc
    from google.protobuf import json_format

    api = importlib.import_module("podresources.v1.api_pb2")
    service = api.DESCRIPTOR.services_by_name["PodResourcesLister"]

    def method(name):
        m = service.methods_by_name[name]
        request = getattr(api, m.input_type.name)
        response = getattr(api, m.output_type.name)
        call = channel.unary_unary(
            "/%s/%s" % (service.full_name, m.name),
            request_serializer=request.SerializeToString,
            response_deserializer=response.FromString,
        )
        return request, call

    def as_json(message):
        return json_format.MessageToDict(message, preserving_proto_field_name=True)

    out = {}
    with grpc.insecure_channel("unix://" + args.socket) as channel:
        request, call = method("List")
        out["list"] = as_json(call(request(), timeout=args.timeout))
        request, call = method("GetAllocatableResources")
        out["allocatable"] = as_json(call(request(), timeout=args.timeout))
        request, call = method("Get")
        out["get"] = []
        for ref in args.get:
            namespace, _, name = ref.partition("/")
            entry = {"pod_namespace": namespace, "pod_name": name}
            try:
                entry["response"] = as_json(call(request(pod_name=name, pod_namespace=namespace), timeout=args.timeout))
            except grpc.RpcError as err:
                entry["error"] = {"code": err.code().name, "details": err.details()}
            out["get"].append(entry)
    json.dump(out, sys.stdout, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
