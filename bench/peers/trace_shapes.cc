// One trace asked again and again in one shape (TraceRequest.shape), over one persistent gRPC
// connection, as a client that reads and parses every message: latency per request (p50, p99),
// bytes and messages received, and what came back (edges, flows, the summary's counts). Driven by
// bench/peers/trace_shapes.sh, which runs each shape against a server of its own so that the
// server's peak RSS is the shape's.
//
//   trace_shapes_bench --server unix:/tmp/a.sock --seed ADDRESS --shape edges|summary|aggregated
//                      [--taint poison] [--direction forward|backward] [--hops 3]
//                      [--max-edges 1000000] [--repeat 10] [--warmup 1] [--by-cluster]
//
// Prints one JSON object on stdout.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "proto/ariadne.grpc.pb.h"

namespace {

using ariadne::v1::TraceEvent;
using ariadne::v1::TraceRequest;

struct Options {
  std::string server;
  std::string seed;
  std::string shape = "edges";
  std::string taint = "poison";
  std::string direction = "forward";
  uint32_t hops = 3;
  uint32_t max_edges = 1'000'000;
  int repeat = 10;
  int warmup = 1;
  bool by_cluster = false;
};

struct Received {
  uint64_t bytes = 0;  // serialized size of the messages: what gRPC carried, before framing
  uint64_t messages = 0;
  uint64_t nodes = 0, edges = 0, flows = 0, endpoints = 0;
  ariadne::v1::TraceSummary summary;
};

[[noreturn]] void Usage(const char* why) {
  std::fprintf(stderr,
               "trace_shapes_bench: %s\nusage: trace_shapes_bench --server TARGET --seed SEED "
               "--shape edges|summary|aggregated [--taint T] [--direction D] [--hops N] "
               "[--max-edges N] [--repeat N] [--warmup N] [--by-cluster]\n",
               why);
  std::exit(2);
}

Options Parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--by-cluster") {
      o.by_cluster = true;
      continue;
    }
    if (i + 1 >= argc) Usage(("missing value of " + flag).c_str());
    const std::string v = argv[++i];
    auto number = [&](auto* out) {
      if (!absl::SimpleAtoi(v, out)) Usage(("not a number: " + flag + " " + v).c_str());
    };
    if (flag == "--server") {
      o.server = v;
    } else if (flag == "--seed") {
      o.seed = v;
    } else if (flag == "--shape") {
      o.shape = v;
    } else if (flag == "--taint") {
      o.taint = v;
    } else if (flag == "--direction") {
      o.direction = v;
    } else if (flag == "--hops") {
      number(&o.hops);
    } else if (flag == "--max-edges") {
      number(&o.max_edges);
    } else if (flag == "--repeat") {
      number(&o.repeat);
    } else if (flag == "--warmup") {
      number(&o.warmup);
    } else {
      Usage(("unknown flag " + flag).c_str());
    }
  }
  if (o.server.empty() || o.seed.empty()) Usage("--server and --seed are required");
  if (o.repeat < 1) Usage("--repeat must be at least 1");
  return o;
}

void Take(const TraceEvent& e, Received* r) {
  switch (e.event_case()) {
    case TraceEvent::kNode:
      ++r->nodes;
      break;
    case TraceEvent::kEdge:
      ++r->edges;
      break;
    case TraceEvent::kFlow:
      ++r->flows;
      break;
    case TraceEvent::kEndpoint:
      ++r->endpoints;
      break;
    case TraceEvent::kSummary:
      r->summary = e.summary();
      break;
    default:
      break;
  }
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const size_t k = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(k, v.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = Parse(argc, argv);
  TraceRequest req;
  req.set_seed(o.seed);
  req.set_taint(o.taint);
  req.set_hops(o.hops);
  req.set_max_edges(o.max_edges);
  req.set_by_cluster(o.by_cluster);
  req.set_events_per_message(256);  // as the CLI asks: few, larger messages
  if (o.direction == "backward") {
    req.set_direction(TraceRequest::BACKWARD);
  } else if (o.direction != "forward") {
    Usage("--direction must be forward or backward");
  }
  if (o.shape == "summary") {
    req.set_shape(TraceRequest::SUMMARY);
  } else if (o.shape == "aggregated") {
    req.set_shape(TraceRequest::AGGREGATED);
  } else if (o.shape != "edges") {
    Usage("--shape must be edges, summary or aggregated");
  }
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(256 << 20);
  auto channel = grpc::CreateCustomChannel(o.server, grpc::InsecureChannelCredentials(), args);
  auto stub = ariadne::v1::Ariadne::NewStub(channel);
  std::vector<double> ms;
  Received last;
  for (int i = 0; i < o.warmup + o.repeat; ++i) {
    Received r;
    grpc::ClientContext ctx;
    const auto t0 = std::chrono::steady_clock::now();
    auto reader = stub->Trace(&ctx, req);
    TraceEvent ev;
    while (reader->Read(&ev)) {
      ++r.messages;
      r.bytes += ev.ByteSizeLong();
      if (ev.has_batch()) {
        for (const TraceEvent& e : ev.batch().events()) Take(e, &r);
      } else {
        Take(ev, &r);
      }
    }
    const grpc::Status s = reader->Finish();
    const double elapsed =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (!s.ok()) {
      std::fprintf(stderr, "trace_shapes_bench: %s: %s\n", o.seed.c_str(),
                   s.error_message().c_str());
      return 1;
    }
    if (i >= o.warmup) ms.push_back(elapsed);
    last = r;
  }
  std::printf(
      "{\"shape\": \"%s\", \"seed\": \"%s\", \"taint\": \"%s\", \"direction\": \"%s\", "
      "\"hops\": %u, \"requests\": %zu, \"p50_ms\": %.2f, \"p99_ms\": %.2f, \"bytes\": %llu, "
      "\"messages\": %llu, \"nodes\": %llu, \"edges\": %llu, \"flows\": %llu, "
      "\"endpoints\": %llu, \"summary_nodes\": %llu, \"summary_edges\": %llu, "
      "\"transactions\": %llu, \"truncated\": %s}\n",
      o.shape.c_str(), o.seed.c_str(), o.taint.c_str(), o.direction.c_str(), o.hops, ms.size(),
      Percentile(ms, 0.5), Percentile(ms, 0.99), static_cast<unsigned long long>(last.bytes),
      static_cast<unsigned long long>(last.messages), static_cast<unsigned long long>(last.nodes),
      static_cast<unsigned long long>(last.edges), static_cast<unsigned long long>(last.flows),
      static_cast<unsigned long long>(last.endpoints),
      static_cast<unsigned long long>(last.summary.nodes()),
      static_cast<unsigned long long>(last.summary.edges()),
      static_cast<unsigned long long>(last.summary.transactions()),
      last.summary.truncated() ? "true" : "false");
  return 0;
}
