// Printers of wallet clusters: the cluster summary and why two addresses share one.
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "engine/render/reply_json.h"
#include "tools/output.h"
#include "tools/print_util.h"
#include "tools/printers.h"

namespace ariadne::cli {

int PrintCluster(const v1::ClusterSummary& r, bool json) {
  if (json) {
    std::printf("%s\n", render::ClusterJson(r).c_str());
    return 0;
  }
  std::printf("cluster       %u (%s addresses)\n", r.cluster_id(), FormatCount(r.size()).c_str());
  std::printf("transactions  %s\n", FormatCount(r.tx_count()).c_str());
  if (!IsAccount(r)) {
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

int PrintWhy(const v1::ExplainRequest& req, const v1::ExplainReply& r, bool json) {
  if (json) {
    std::printf("%s\n", render::WhyJson(r).c_str());
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
