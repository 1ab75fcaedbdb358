// Client commands for wallet clusters: `cluster` (summary and members) and `why` (the evidence
// joining two addresses).
#include <cstdio>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/client.h"
#include "tools/cmd_evm_output.h"
#include "tools/commands.h"
#include "tools/json_writer.h"
#include "tools/output.h"

namespace ariadne::cli {
namespace {

// "ADDRESS" or "cluster:ID".
template <typename Request>
void SetSelector(const std::string& arg, Request* req) {
  uint32_t id;
  if (arg.rfind("cluster:", 0) == 0 && absl::SimpleAtoi(arg.substr(8), &id)) {
    req->set_cluster_id(id);
  } else {
    req->set_address(arg);
  }
}

}  // namespace

int RunCluster(const std::vector<std::string>& argv) {
  auto args = Args::Parse(argv, ClientFlags({{"members", false}, {"limit", true}}));
  if (!args.ok()) return PrintError(args.status());
  if (args->positionals().size() != 1) {
    std::fputs("usage: ariadne cluster ADDR|cluster:ID [--members [--limit N]] [--json]\n", stderr);
    return 2;
  }
  Client client(*args);
  const bool json = args->Has("json");
  if (args->Has("members")) {
    auto limit = args->GetInt("limit", INT64_MAX, 1, INT64_MAX);
    if (!limit.ok()) return PrintError(limit.status());
    StdoutBuffer out;
    std::string cursor;
    int64_t remaining = *limit;
    while (remaining > 0) {
      v1::GetClusterMembersRequest req;
      SetSelector(args->positionals()[0], &req);
      req.set_limit(static_cast<uint32_t>(std::min<int64_t>(remaining, 10000)));
      req.set_cursor(cursor);
      auto ctx = client.Context();
      auto reader = client.stub()->GetClusterMembers(ctx.get(), req);
      v1::ClusterMember m;
      int64_t got = 0;
      while (reader->Read(&m)) {
        ++got;
        cursor = m.cursor();
        if (json) {
          JsonWriter w(out.buffer());
          w.BeginObject().Field("address", m.address()).EndObject();
          out.Append("\n");
        } else {
          out.Append(m.address() + "\n");
        }
      }
      grpc::Status s = reader->Finish();
      if (!s.ok()) return PrintRpcError(s, client.server());
      remaining -= got;
      if (got == 0 || cursor.empty()) break;
    }
    return 0;
  }
  v1::GetClusterRequest req;
  SetSelector(args->positionals()[0], &req);
  v1::ClusterSummary r;
  grpc::Status s = client.stub()->GetCluster(client.Context().get(), req, &r);
  if (!s.ok()) return PrintRpcError(s, client.server());
  if (json) {
    std::string out;
    JsonWriter w(&out);
    w.BeginObject()
        .Field("cluster_id", r.cluster_id())
        .Field("size", r.size())
        .Field("received", r.received())
        .Field("sent", r.sent())
        .Field("balance", r.balance())
        .Field("first_seen_height", r.first_seen_height())
        .Field("last_seen_height", r.last_seen_height())
        .Field("tx_count", r.tx_count())
        .Key("labels")
        .BeginArray();
    for (const auto& l : r.labels()) {
      w.BeginObject()
          .Field("label", l.label())
          .Field("category", l.category())
          .Field("source", l.source())
          .Field("address", l.address())
          .EndObject();
    }
    w.EndArray().Key("assets").BeginArray();
    for (const auto& a : r.assets()) {
      w.BeginObject()
          .Field("asset", a.asset())
          .Field("standard", a.standard())
          .Field("received", a.received())
          .Field("sent", a.sent())
          .Field("fees", a.fees())
          .Field("balance", a.balance())
          .EndObject();
    }
    w.EndArray().Field("policy", r.policy()).EndObject();
    std::printf("%s\n", out.c_str());
    return 0;
  }
  std::printf("cluster       %u (%s addresses)\n", r.cluster_id(), FormatCount(r.size()).c_str());
  std::printf("transactions  %s\n", FormatCount(r.tx_count()).c_str());
  // EVM clusters: flows per asset across the boundary; told apart by their 0x selector.
  const bool evm = r.assets_size() > 0 || args->positionals()[0].rfind("0x", 0) == 0;
  if (!evm) {
    std::printf("received      %s BTC from outside the cluster\n", FormatBtc(r.received()).c_str());
    std::printf("sent          %s BTC to outside the cluster (fees included)\n",
                FormatBtc(r.sent()).c_str());
    std::printf("balance       %s BTC\n", FormatBtc(r.balance()).c_str());
  }
  for (const auto& a : r.assets()) {
    std::printf("%-13s %s received from outside, %s sent outside%s, flow balance %s\n",
                a.asset() == "ETH" ? "ETH" : a.standard().c_str(),
                FormatAssetAmount(a.asset(), a.received()).c_str(),
                FormatAssetAmount(a.asset(), a.sent()).c_str(),
                a.asset() == "ETH" ? (" (fees " + FormatEther(a.fees()) + " ETH)").c_str() : "",
                FormatAssetAmount(a.asset(), a.balance()).c_str());
  }
  if (r.first_seen_height() >= 0) {
    std::printf("seen          heights %d .. %d\n", r.first_seen_height(), r.last_seen_height());
  }
  for (const auto& l : r.labels()) {
    std::printf("label         %s (%s) on %s, source %s\n", l.label().c_str(), l.category().c_str(),
                l.address().c_str(), l.source().c_str());
  }
  std::printf("policy        %s\n", r.policy().c_str());
  return 0;
}

int RunWhy(const std::vector<std::string>& argv) {
  auto args = Args::Parse(argv, ClientFlags({}));
  if (!args.ok()) return PrintError(args.status());
  if (args->positionals().size() != 2) {
    std::fputs("usage: ariadne why ADDR1 ADDR2 [--json]\n", stderr);
    return 2;
  }
  Client client(*args);
  v1::ExplainRequest req;
  req.set_from(args->positionals()[0]);
  req.set_to(args->positionals()[1]);
  v1::ExplainReply r;
  grpc::Status s = client.stub()->Explain(client.Context().get(), req, &r);
  if (!s.ok()) return PrintRpcError(s, client.server());
  if (args->Has("json")) {
    std::string out;
    JsonWriter w(&out);
    w.BeginArray();
    for (const auto& l : r.links()) {
      w.BeginObject()
          .Field("heuristic", l.heuristic())
          .Field("txid", l.txid())
          .Field("block_height", l.block_height())
          .Field("from", l.from())
          .Field("to", l.to());
      // A change link decided when the change was spent names that spend.
      if (!l.related_txid().empty()) w.Field("decided_by_txid", l.related_txid());
      w.EndObject();
    }
    w.EndArray();
    std::printf("%s\n", out.c_str());
    return 0;
  }
  std::printf("%s and %s are in cluster %u, joined by %d link(s) (policy %s):\n",
              req.from().c_str(), req.to().c_str(), r.cluster_id(), r.links_size(),
              r.policy().c_str());
  int i = 0;
  for (const auto& l : r.links()) {
    std::printf("  %2d. %-34s -> %-34s  %-40s tx %s (height %d)%s\n", ++i, l.from().c_str(),
                l.to().c_str(), l.heuristic().c_str(), l.txid().c_str(), l.block_height(),
                l.related_txid().empty()
                    ? ""
                    : absl::StrCat("; decided when spent in ", l.related_txid()).c_str());
  }
  return 0;
}

}  // namespace ariadne::cli
