"""The Client class: a channel to one server, with the analyst's token and case id."""

import dataclasses
import os
import time
from typing import Iterator, List, Optional, Sequence

import grpc

try:
    import ariadne_pb2 as pb
    import ariadne_pb2_grpc as pb_grpc
except ImportError as e:  # pragma: no cover - a setup problem, said plainly
    raise ImportError(
        "the Ariadne gRPC stubs are missing: build the project (they are generated into "
        "BUILD/tools/python/gen) and add that directory to PYTHONPATH") from e


class AriadneError(Exception):
    """A failed call.

    Attributes:
      code: the gRPC status code name, e.g. "NOT_FOUND", "UNAUTHENTICATED",
        "PERMISSION_DENIED", "RESOURCE_EXHAUSTED".
      message: the server's explanation.
      retry_after: seconds to wait before retrying (rate limits), or None.
    """

    def __init__(self, code: str, message: str, retry_after: Optional[float] = None):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.retry_after = retry_after


@dataclasses.dataclass
class TraceResult:
    """A whole trace: the streamed nodes, edges (or flows) and endpoints, then the summary."""
    nodes: List["pb.TraceNode"] = dataclasses.field(default_factory=list)
    edges: List["pb.TraceEdge"] = dataclasses.field(default_factory=list)
    flows: List["pb.TraceFlow"] = dataclasses.field(default_factory=list)  # shape "aggregated"
    endpoints: List["pb.TraceEndpoint"] = dataclasses.field(default_factory=list)
    summary: Optional["pb.TraceSummary"] = None


def _read(path: Optional[str]) -> Optional[bytes]:
    if path is None:
        return None
    with open(path, "rb") as f:
        return f.read()


def _error(e: grpc.RpcError) -> AriadneError:
    retry_after = None
    for key, value in (e.trailing_metadata() or ()):
        if key == "retry-after-ms":
            try:
                retry_after = int(value) / 1000.0
            except ValueError:
                pass
    return AriadneError(e.code().name, e.details() or "", retry_after)


class Client:
    """A connection to `ariadne serve`.

    Args:
      server: HOST:PORT (default 127.0.0.1:50051).
      token: the bearer token (default: the ARIADNE_TOKEN environment variable; none when unset).
      case_id: sent with every call as x-case-id and recorded in the server's audit trail
        (default: ARIADNE_CASE_ID).
      ca_file: the server's CA certificate (PEM): use TLS. Also implied by cert_file.
      cert_file, key_file: a client certificate and key for mutual TLS.
      server_name: the name the server's certificate is checked against, when not the host.
      timeout: seconds each call may take (default 60).
      max_retries: how many times a rate-limited call (RESOURCE_EXHAUSTED with retry
        information) is retried after waiting as the server says (default 3; 0: never).
    """

    def __init__(self, server: str = "127.0.0.1:50051", token: Optional[str] = None,
                 case_id: Optional[str] = None, ca_file: Optional[str] = None,
                 cert_file: Optional[str] = None, key_file: Optional[str] = None,
                 server_name: Optional[str] = None, timeout: float = 60.0,
                 max_retries: int = 3):
        self.server = server
        self.timeout = timeout
        self.max_retries = max_retries
        token = token if token is not None else os.environ.get("ARIADNE_TOKEN")
        case_id = case_id if case_id is not None else os.environ.get("ARIADNE_CASE_ID")
        self._metadata = []
        if token:
            self._metadata.append(("authorization", "Bearer " + token))
        if case_id:
            self._metadata.append(("x-case-id", case_id))
        options = [("grpc.max_receive_message_length", 64 << 20)]
        if ca_file or cert_file:
            creds = grpc.ssl_channel_credentials(
                root_certificates=_read(ca_file), private_key=_read(key_file),
                certificate_chain=_read(cert_file))
            if server_name:
                options.append(("grpc.ssl_target_name_override", server_name))
            self._channel = grpc.secure_channel(server, creds, options=options)
        else:
            self._channel = grpc.insecure_channel(server, options=options)
        self._stub = pb_grpc.AriadneStub(self._channel)

    def close(self) -> None:
        self._channel.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # Plumbing: every call carries the metadata and the deadline; errors become AriadneError.
    def _unary(self, method, request):
        for attempt in range(self.max_retries + 1):
            try:
                return method(request, metadata=self._metadata, timeout=self.timeout)
            except grpc.RpcError as e:
                error = _error(e)
                if not self._wait_to_retry(error, attempt):
                    raise error from None

    def _stream(self, method, request) -> Iterator:
        for attempt in range(self.max_retries + 1):
            started = False
            try:
                for item in method(request, metadata=self._metadata, timeout=self.timeout):
                    started = True
                    yield item
                return
            except grpc.RpcError as e:
                error = _error(e)
                if started or not self._wait_to_retry(error, attempt):
                    raise error from None

    def _wait_to_retry(self, error: AriadneError, attempt: int) -> bool:
        """Sleeps as a rate-limited call was told to. Returns: whether to retry."""
        if error.retry_after is None or attempt >= self.max_retries:
            return False
        time.sleep(error.retry_after)
        return True

    # The questions.
    def status(self) -> "pb.ChainStatus":
        """The served chain: network, tip and counts."""
        return self._unary(self._stub.GetStatus, pb.GetStatusRequest())

    def address(self, address: str) -> "pb.AddressSummary":
        """Totals, cluster and labels of one address."""
        return self._unary(self._stub.GetAddress, pb.GetAddressRequest(address=address))

    def history(self, address: str, newest_first: bool = False, page: int = 1000,
                limit: Optional[int] = None) -> Iterator["pb.HistoryEntry"]:
        """Every transaction of an address (following the pages), or the first `limit`."""
        cursor, seen = "", 0
        while True:
            request = pb.GetAddressHistoryRequest(address=address, limit=page, cursor=cursor,
                                                  newest_first=newest_first)
            got = 0
            for entry in self._stream(self._stub.GetAddressHistory, request):
                yield entry
                got += 1
                seen += 1
                cursor = entry.cursor
                if limit is not None and seen >= limit:
                    return
            if got == 0 or not cursor:
                return

    def transaction(self, txid: str) -> "pb.Transaction":
        """One transaction, inputs resolved."""
        return self._unary(self._stub.GetTransaction, pb.GetTransactionRequest(txid=txid))

    def cluster(self, address: Optional[str] = None,
                cluster_id: Optional[int] = None) -> "pb.ClusterSummary":
        """The wallet cluster of an address, or a cluster by id."""
        request = (pb.GetClusterRequest(cluster_id=cluster_id) if cluster_id is not None
                   else pb.GetClusterRequest(address=address))
        return self._unary(self._stub.GetCluster, request)

    def cluster_members(self, address: Optional[str] = None, cluster_id: Optional[int] = None,
                        page: int = 1000) -> Iterator[str]:
        """The member addresses of a cluster (following the pages)."""
        cursor = ""
        while True:
            request = pb.GetClusterMembersRequest(limit=page, cursor=cursor)
            if cluster_id is not None:
                request.cluster_id = cluster_id
            else:
                request.address = address
            got = 0
            for member in self._stream(self._stub.GetClusterMembers, request):
                yield member.address
                got += 1
                cursor = member.cursor
            if got == 0 or not cursor:
                return

    def explain(self, address_a: str, address_b: str) -> "pb.ExplainReply":
        """Why two addresses share a cluster: the chain of evidence."""
        return self._unary(self._stub.Explain, pb.ExplainRequest(**{"from": address_a,
                                                                    "to": address_b}))

    def trace(self, seed: str, direction: str = "forward", hops: int = 3, taint: str = "",
              min_value: int = 0, from_height: int = 0, to_height: int = 0,
              stop_at: Sequence[str] = (), by_cluster: bool = False,
              max_edges: int = 0, shape: str = "edges") -> TraceResult:
        """Follows value from an address, a txid or txid:vout (see proto/ariadne.proto).

        shape: "edges" (every edge), "summary" (only the summary) or "aggregated" (the edges
        summed per pair of nodes, in `flows`); docs/trace-shapes.md.
        Raises ValueError for a direction other than "forward" or "backward", or an unknown
        shape."""
        directions = {"forward": pb.TraceRequest.FORWARD, "backward": pb.TraceRequest.BACKWARD}
        if direction not in directions:
            raise ValueError(f"unknown direction {direction!r} (forward, backward)")
        shapes = {"edges": pb.TraceRequest.EDGES, "summary": pb.TraceRequest.SUMMARY,
                  "aggregated": pb.TraceRequest.AGGREGATED}
        if shape not in shapes:
            raise ValueError(f"unknown shape {shape!r} (edges, summary, aggregated)")
        request = pb.TraceRequest(
            seed=seed, hops=hops, taint=taint, min_value=min_value, from_height=from_height,
            to_height=to_height, stop_at=list(stop_at), by_cluster=by_cluster,
            max_edges=max_edges, events_per_message=256,
            direction=directions[direction], shape=shapes[shape])
        result = TraceResult()
        for message in self._stream(self._stub.Trace, request):
            events = message.batch.events if message.WhichOneof("event") == "batch" else [message]
            for event in events:
                kind = event.WhichOneof("event")
                if kind == "node":
                    result.nodes.append(event.node)
                elif kind == "edge":
                    result.edges.append(event.edge)
                elif kind == "flow":
                    result.flows.append(event.flow)
                elif kind == "endpoint":
                    result.endpoints.append(event.endpoint)
                elif kind == "summary":
                    result.summary = event.summary
        return result

    def paths(self, source: str, target: str, max_hops: int = 0, by_cluster: bool = False,
              max_paths: int = 0) -> "pb.PathsReply":
        """The shortest chains of transactions moving value from `source` to `target`."""
        return self._unary(self._stub.FindPaths, pb.PathsRequest(
            **{"from": source, "to": target, "max_hops": max_hops, "by_cluster": by_cluster,
               "max_paths": max_paths}))

    def exposure(self, address: Optional[str] = None, cluster_id: Optional[int] = None,
                 hops: int = 0, taint: str = "", by_cluster: bool = False) -> "pb.ExposureReply":
        """Amounts received from and sent to labelled entities, direct and indirect."""
        request = pb.ExposureRequest(hops=hops, taint=taint, by_cluster=by_cluster)
        if cluster_id is not None:
            request.cluster_id = cluster_id
        else:
            request.address = address
        return self._unary(self._stub.GetExposure, request)
