// The printers of the client commands: one per reply, as JSON (--json) or readable text. A reply
// whose fields differ by chain model says which it is in (its `model` field: UTXO replies carry
// satoshi amounts, ACCOUNT replies per-asset decimal amounts); each printer chooses by it, never by
// which fields happen to be set.
#ifndef ARIADNE_TOOLS_PRINTERS_H_
#define ARIADNE_TOOLS_PRINTERS_H_

#include <string>

#include "engine/render/trace_dot.h"
#include "proto/ariadne.pb.h"

namespace ariadne::cli {

// The renderings of a collected trace (engine/render), under the names the commands use.
using render::CollectedTrace;
using render::RenderSvg;
using render::TraceToDot;
using render::WriteTraceJson;

// Returns: wei as ether with its significant decimals ("1.5", "0.000000000000000001", "0").
std::string FormatEther(const std::string& wei);
// Returns: "1.5 ETH", or "1000000 <token contract>" (tokens in base units).
std::string FormatAssetAmount(const std::string& asset, const std::string& amount);

// Each prints a reply to stdout (as JSON with `json`). Returns: the exit code (0).
int PrintStatus(const v1::ChainStatus& r, bool json);
int PrintAddress(const v1::AddressSummary& r, bool json);
int PrintTx(const v1::Transaction& r, bool json);
int PrintCluster(const v1::ClusterSummary& r, bool json);
int PrintWhy(const v1::ExplainRequest& req, const v1::ExplainReply& r, bool json);
int PrintPaths(const v1::PathsRequest& req, const v1::PathsReply& r, bool json);
int PrintExposure(const v1::ExposureReply& r, bool json);
// The readable trace (JSON, DOT and SVG are engine/render's).
int PrintTrace(const CollectedTrace& t, const std::string& title);

// A history is printed entry by entry as it streams: the text header comes before the first.
class HistoryPrinter {
 public:
  explicit HistoryPrinter(bool json) : json_(json) {}
  // Appends one entry (a JSON line, or a text line) to *out.
  void Append(const v1::HistoryEntry& e, std::string* out);

 private:
  bool json_;
  bool header_ = false;
};

}  // namespace ariadne::cli

#endif  // ARIADNE_TOOLS_PRINTERS_H_
