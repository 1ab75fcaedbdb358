"""Ariadne's Python client: ask an `ariadne serve` server the questions of an investigation.

    from ariadne import Client

    with Client("127.0.0.1:50051", token="...", case_id="CASE-17") as client:
        print(client.status().tip_height)
        summary = client.address("bc1q...")
        for entry in client.history("bc1q..."):
            ...
        result = client.trace("bc1q...", hops=4)

Answers are the protobuf messages of proto/ariadne.proto (google.protobuf.json_format.MessageToDict
turns them into dicts). Errors raise AriadneError with the gRPC status code name.

The stubs (ariadne_pb2, ariadne_pb2_grpc) are generated at build time into
BUILD/tools/python/gen: put that directory and tools/python on PYTHONPATH.
"""

from ariadne.client import AriadneError, Client, TraceResult

__all__ = ["AriadneError", "Client", "TraceResult"]
