#include "engine/report/report_builder.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "engine/render/trace_dot.h"

namespace ariadne::report {
namespace {

// Returns: the seed's summary (address or cluster) in `r`; r->status is its failure.
void Summarise(v1::Ariadne::StubInterface& stub, const ContextFactory& context, SeedReport* r,
               bool is_cluster, bool is_tx) {
  if (is_cluster) {
    v1::GetClusterRequest req;
    req.set_cluster_id(static_cast<uint32_t>(std::strtoul(r->seed.c_str() + 8, nullptr, 10)));
    r->status = stub.GetCluster(context().get(), req, &r->cluster);
    r->has_cluster = r->status.ok();
  } else if (!is_tx) {
    v1::GetAddressRequest req;
    req.set_address(r->seed);
    r->status = stub.GetAddress(context().get(), req, &r->address);
    r->has_address = r->status.ok();
    if (r->status.ok() && r->address.cluster_id() >= 0) {
      v1::GetClusterRequest creq;
      creq.set_address(r->seed);
      r->has_cluster = stub.GetCluster(context().get(), creq, &r->cluster).ok();
    }
  }
}

// Keeps the flows that carried the most tainted value (an A4 page shows about kPictureFlows
// arrows readably) and the nodes they touch; counts the rest in r->flows_left_out.
void KeepLargestFlows(SeedReport* r) {
  auto& flows = r->flows.flows;
  if (flows.size() <= kPictureFlows) return;
  r->flows_left_out = flows.size() - kPictureFlows;
  std::stable_sort(flows.begin(), flows.end(), [](const v1::TraceFlow& a, const v1::TraceFlow& b) {
    return a.tainted_value() > b.tainted_value();
  });
  flows.resize(kPictureFlows);
  std::set<std::string> kept = {r->seed};
  for (const auto& f : flows) kept.insert({f.from(), f.to()});
  std::erase_if(r->flows.nodes, [&](const v1::TraceNode& n) { return !kept.count(n.id()); });
  std::erase_if(r->flows.endpoints,
                [&](const v1::TraceEndpoint& e) { return !kept.count(e.node()); });
}

void TraceSeed(v1::Ariadne::StubInterface& stub, const ContextFactory& context,
               const ReportOptions& options, bool is_cluster, SeedReport* r) {
  v1::TraceRequest treq;
  treq.set_seed(r->seed);
  treq.set_by_cluster(is_cluster);
  treq.set_hops(options.hops);
  treq.set_taint(options.taint);
  for (absl::string_view c : absl::StrSplit(options.stop_at, ',', absl::SkipEmpty())) {
    treq.add_stop_at(std::string(c));
  }
  r->status = CollectTrace(stub, context, treq, &r->edges);
  treq.set_shape(v1::TraceRequest::AGGREGATED);
  if (r->status.ok()) r->status = CollectTrace(stub, context, treq, &r->flows);
  if (!r->status.ok()) return;
  // The time of each transaction of the hop table (the first rows of it).
  std::set<std::string> txids;
  for (const auto& e : r->edges.edges) {
    if (txids.size() >= kHopRows) break;
    txids.insert(e.txid());
  }
  for (const std::string& txid : txids) {
    v1::GetTransactionRequest req;
    req.set_txid(txid);
    v1::Transaction tx;
    if (stub.GetTransaction(context().get(), req, &tx).ok()) r->tx_time[txid] = tx.block_time();
  }
  KeepLargestFlows(r);
  auto svg = render::SvgOf(render::TraceToDot(r->flows, absl::StrCat("flows from ", r->seed),
                                              /*page=*/true));
  if (svg.ok()) r->svg = *std::move(svg);
}

}  // namespace

grpc::Status CollectTrace(v1::Ariadne::StubInterface& stub, const ContextFactory& context,
                          const v1::TraceRequest& request, render::CollectedTrace* out) {
  v1::TraceRequest req = request;
  if (req.events_per_message() == 0) req.set_events_per_message(256);  // few, larger messages
  auto ctx = context();
  auto reader = stub.Trace(ctx.get(), req);
  v1::TraceEvent ev;
  out->shape = req.shape();
  while (reader->Read(&ev)) render::Collect(ev, out);
  return reader->Finish();
}

grpc::Status BuildReport(v1::Ariadne::StubInterface& stub, const ContextFactory& context,
                         const CaseFile& case_file, const ReportOptions& options, ReportInput* in) {
  in->case_file = case_file;
  in->taint = options.taint;
  in->stop_at = options.stop_at;
  in->hops = options.hops;
  in->server = options.server;
  grpc::Status s = stub.GetStatus(context().get(), {}, &in->status);
  if (!s.ok()) return s;
  for (const std::string& seed : case_file.seeds) {
    SeedReport r;
    r.seed = seed;
    const bool is_cluster = seed.rfind("cluster:", 0) == 0;
    const bool is_tx =
        seed.size() >= 64 && seed.find_first_not_of("0123456789abcdefABCDEF:") == std::string::npos;
    Summarise(stub, context, &r, is_cluster, is_tx);
    if (r.status.error_code() == grpc::StatusCode::UNAVAILABLE) return r.status;
    if (r.status.ok()) TraceSeed(stub, context, options, is_cluster, &r);
    in->seeds.push_back(std::move(r));
  }
  // Why the seeds that share a wallet are one wallet.
  for (size_t i = 0; i < in->seeds.size(); ++i) {
    for (size_t j = i + 1; j < in->seeds.size(); ++j) {
      const SeedReport& a = in->seeds[i];
      const SeedReport& b = in->seeds[j];
      if (!a.has_address || !b.has_address || a.address.cluster_id() < 0 ||
          a.address.cluster_id() != b.address.cluster_id()) {
        continue;
      }
      v1::ExplainRequest req;
      req.set_from(a.seed);
      req.set_to(b.seed);
      v1::ExplainReply reply;
      if (stub.Explain(context().get(), req, &reply).ok()) {
        in->why.push_back({a.seed, b.seed, reply});
      }
    }
  }
  return grpc::Status::OK;
}

}  // namespace ariadne::report
