// Output of the client commands for EVM stores (the account model): status, address, history,
// tx, trace, paths and exposure print the EVM fields of the replies, as JSON (amounts as decimal
// strings of the full 256-bit values) or as readable text (ether in ETH, tokens in base units).
#ifndef ARIADNE_TOOLS_CMD_EVM_OUTPUT_H_
#define ARIADNE_TOOLS_CMD_EVM_OUTPUT_H_

#include <string>

#include "proto/ariadne.pb.h"
#include "tools/trace_render.h"

namespace ariadne::cli {

// Returns: true for replies of an EVM store.
inline bool IsEvm(const v1::ChainStatus& r) { return r.chain_id() != 0; }
inline bool IsEvm(const v1::AddressSummary& r) {
  return r.type() == "account" || r.type() == "contract";
}
inline bool IsEvm(const v1::Transaction& r) { return r.has_evm(); }
inline bool IsEvm(const v1::HistoryEntry& e) { return !e.status().empty(); }

// Returns: wei as ether with its significant decimals ("1.5", "0.000000000000000001", "0").
std::string FormatEther(const std::string& wei);
// Returns: "1.5 ETH", or "1000000 <token contract>" (tokens in base units).
std::string FormatAssetAmount(const std::string& asset, const std::string& amount);

// Each prints the reply (as JSON with `json`) to stdout. Returns: the exit code (0).
int PrintEvmStatus(const v1::ChainStatus& r, bool json);
int PrintEvmAddress(const v1::AddressSummary& r, bool json);
int PrintEvmTx(const v1::Transaction& r, bool json);
// Appends one history entry (a JSON line, or a text line) to *out.
void AppendEvmHistoryEntry(const v1::HistoryEntry& e, bool json, std::string* out);
// Returns: the header line of the text history.
std::string EvmHistoryHeader();
// The readable trace summary (JSON, DOT and SVG go through trace_render.h).
int PrintEvmTrace(const CollectedTrace& t, const std::string& title);
int PrintEvmPaths(const v1::PathsRequest& req, const v1::PathsReply& r, bool json);
int PrintEvmExposure(const v1::ExposureReply& r, bool json);

}  // namespace ariadne::cli

#endif  // ARIADNE_TOOLS_CMD_EVM_OUTPUT_H_
