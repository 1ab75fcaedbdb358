// Printers of flows of funds: the readable trace, paths and exposure.
#include <algorithm>
#include <cstdio>
#include <map>

#include "engine/render/reply_json.h"
#include "tools/output.h"
#include "tools/print_util.h"
#include "tools/printers.h"

namespace ariadne::cli {
namespace {

// Compares two decimal strings as numbers (for sorting endpoints by amount).
bool DecimalLess(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return a.size() < b.size();
  return a < b;
}

}  // namespace

int PrintTrace(const CollectedTrace& t, const std::string& title) {
  const v1::TraceSummary& sum = t.summary;
  const bool account = IsAccount(sum);
  std::printf("%s\n", title.c_str());
  std::string seeded;
  if (account) {
    for (const auto& a : sum.seed_amounts()) {
      seeded += (seeded.empty() ? "" : ", ") + FormatAssetAmount(a.asset(), a.amount());
    }
    if (seeded.empty()) seeded = "nothing";
  } else {
    seeded = FormatBtc(sum.seed_value()) + " BTC";
  }
  std::printf("seeded %s; through %s transactions, %s nodes, %s edges%s\n", seeded.c_str(),
              FormatCount(sum.transactions()).c_str(), FormatCount(sum.nodes()).c_str(),
              FormatCount(sum.edges()).c_str(),
              sum.truncated() ? " (TRUNCATED: raise --max-edges or narrow the trace)" : "");
  std::printf("\nwhere the tainted value ended:\n");
  if (account) {
    for (const auto& a : sum.tainted_amounts()) {
      std::printf("  %-16s %s\n", a.reason().c_str(),
                  FormatAssetAmount(a.asset(), a.amount()).c_str());
    }
  } else {
    std::map<std::string, int64_t> by_reason(sum.tainted_by_reason().begin(),
                                             sum.tainted_by_reason().end());
    for (const auto& [reason, v] : by_reason) {
      std::printf("  %-16s %18s BTC\n", reason.c_str(), FormatBtc(v).c_str());
    }
  }
  std::map<std::string, std::string> labels;
  for (const auto& n : t.nodes) {
    for (const auto& l : n.labels()) {
      std::string& s = labels[n.id()];
      if (s.find(l.label()) == std::string::npos) {
        s += (s.empty() ? "" : ", ") + l.label() + " [" + l.category() + "]";
      }
    }
  }
  std::vector<v1::TraceEndpoint> ends = t.endpoints;
  std::sort(ends.begin(), ends.end(), [account](const auto& a, const auto& b) {
    return account ? DecimalLess(b.tainted_amount(), a.tainted_amount())
                   : a.tainted_value() > b.tainted_value();
  });
  std::printf("\nlargest endpoints:\n");
  for (size_t i = 0; i < ends.size() && i < 15; ++i) {
    const auto& e = ends[i];
    if (account) {
      std::printf("  %-42s %-15s %s  hop %u  %s\n", e.node().c_str(), e.reason().c_str(),
                  FormatAssetAmount(e.asset(), e.tainted_amount()).c_str(), e.hop(),
                  labels[e.node()].c_str());
    } else {
      std::printf("  %-64s %-15s %18s BTC  hop %u  %s\n", e.node().c_str(), e.reason().c_str(),
                  FormatBtc(e.tainted_value()).c_str(), e.hop(), labels[e.node()].c_str());
    }
  }
  if (ends.size() > 15) std::printf("  ... %zu more (--json for all)\n", ends.size() - 15);
  if (t.shape != v1::TraceRequest::AGGREGATED) return 0;
  std::vector<v1::TraceFlow> flows = t.flows;
  std::sort(flows.begin(), flows.end(), [account](const auto& a, const auto& b) {
    return account ? DecimalLess(b.tainted_amount(), a.tainted_amount())
                   : a.tainted_value() > b.tainted_value();
  });
  std::printf("\nlargest flows (%s between pairs of nodes):\n", FormatCount(flows.size()).c_str());
  for (size_t i = 0; i < flows.size() && i < 15; ++i) {
    const auto& f = flows[i];
    const std::string tainted = account ? FormatAssetAmount(f.asset(), f.tainted_amount())
                                        : FormatBtc(f.tainted_value()) + " BTC";
    std::printf("  %s -> %s  %s tainted, %s tx, hop %u\n", f.from().c_str(), f.to().c_str(),
                tainted.c_str(), FormatCount(f.transactions()).c_str(), f.hop());
  }
  if (flows.size() > 15) std::printf("  ... %zu more (--json for all)\n", flows.size() - 15);
  return 0;
}

int PrintPaths(const v1::PathsRequest& req, const v1::PathsReply& r, bool json) {
  const bool account = IsAccount(r);
  if (json) {
    std::printf("%s\n", render::PathsJson(req, r).c_str());
    return 0;
  }
  if (r.paths_size() == 0) {
    std::printf("no path from %s to %s within %u hops%s\n", req.from().c_str(), req.to().c_str(),
                req.max_hops(), r.truncated() ? " (search truncated)" : "");
    return 0;
  }
  std::printf("%d shortest path(s) of %u %s from %s to %s:\n", r.paths_size(), r.hops(),
              account ? "transfer(s)" : "transaction(s)", req.from().c_str(), req.to().c_str());
  int i = 0;
  for (const auto& p : r.paths()) {
    if (account) {
      std::printf("\npath %d:\n", ++i);
    } else {
      std::printf("\npath %d (at most %s BTC moved along it):\n", ++i,
                  FormatBtc(p.bottleneck()).c_str());
    }
    for (const auto& st : p.steps()) {
      if (account) {
        std::printf("  block %-9d tx %s  %s -> %s  %s\n", st.block_height(), st.txid().c_str(),
                    st.from().c_str(), st.to().c_str(),
                    FormatAssetAmount(st.asset(), st.amount()).c_str());
      } else {
        std::printf("  height %-7d tx %s:%u  %s -> %s  %s BTC\n", st.block_height(),
                    st.txid().c_str(), st.vout(), st.from().c_str(), st.to().c_str(),
                    FormatBtc(st.value()).c_str());
      }
    }
  }
  return 0;
}

namespace {

void PrintAccountExposure(const v1::ExposureReply& r) {
  std::printf("exposure of %s (%s addresses) within %u hops\n", r.subject().c_str(),
              FormatCount(r.addresses()).c_str(), r.hops());
  for (const auto& a : r.received_amounts()) {
    std::printf("  received %s\n", FormatAssetAmount(a.asset(), a.amount()).c_str());
  }
  for (const auto& a : r.sent_amounts()) {
    std::printf("  sent     %s\n", FormatAssetAmount(a.asset(), a.amount()).c_str());
  }
  for (const auto& e : r.categories()) {
    std::printf("\n%s (%s): received %s direct, %s indirect; sent %s direct, %s indirect\n",
                e.category().c_str(), e.asset().c_str(),
                FormatAssetAmount(e.asset(), e.received_direct_amount()).c_str(),
                FormatAssetAmount(e.asset(), e.received_indirect_amount()).c_str(),
                FormatAssetAmount(e.asset(), e.sent_direct_amount()).c_str(),
                FormatAssetAmount(e.asset(), e.sent_indirect_amount()).c_str());
  }
  for (const auto& e : r.entities()) {
    std::printf("  %s [%s] (%s): received %s / %s, sent %s / %s\n", e.entity().c_str(),
                e.category().c_str(), e.asset().c_str(), e.received_direct_amount().c_str(),
                e.received_indirect_amount().c_str(), e.sent_direct_amount().c_str(),
                e.sent_indirect_amount().c_str());
  }
}

void PrintUtxoExposure(const v1::ExposureReply& r) {
  std::printf("exposure of %s (%s addresses) within %u hops: received %s BTC, sent %s BTC\n",
              r.subject().c_str(), FormatCount(r.addresses()).c_str(), r.hops(),
              FormatBtc(r.received()).c_str(), FormatBtc(r.sent()).c_str());
  std::printf("\n%-30s %16s %16s %16s %16s\n", "category / entity", "recv direct", "recv indirect",
              "sent direct", "sent indirect");
  for (const auto& e : r.categories()) {
    std::printf("%-30s %16s %16s %16s %16s\n", e.category().c_str(),
                FormatBtc(e.received_direct()).c_str(), FormatBtc(e.received_indirect()).c_str(),
                FormatBtc(e.sent_direct()).c_str(), FormatBtc(e.sent_indirect()).c_str());
  }
  for (const auto& e : r.entities()) {
    std::printf("  %-28s %16s %16s %16s %16s\n", (e.entity() + " [" + e.category() + "]").c_str(),
                FormatBtc(e.received_direct()).c_str(), FormatBtc(e.received_indirect()).c_str(),
                FormatBtc(e.sent_direct()).c_str(), FormatBtc(e.sent_indirect()).c_str());
  }
}

}  // namespace

int PrintExposure(const v1::ExposureReply& r, bool json) {
  const bool account = IsAccount(r);
  if (json) {
    std::printf("%s\n", render::ExposureJson(r).c_str());
    return 0;
  }
  account ? PrintAccountExposure(r) : PrintUtxoExposure(r);
  if (r.categories_size() == 0) std::printf("(no labelled entity within %u hops)\n", r.hops());
  return 0;
}

}  // namespace ariadne::cli
