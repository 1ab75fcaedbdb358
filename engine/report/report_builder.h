// Asks the service every question of a case's court report (`ariadne report`, and the HTTP API's
// report route): per seed its summary, the trace as edges (the hop table) and as flows (the
// picture), the block time of the hop table's transactions, and the `why` chain of every pair of
// seeds that share a wallet. Everything goes through the Ariadne service's stub, so each call is
// authenticated, limited and audited like any other.
#ifndef ARIADNE_ENGINE_REPORT_REPORT_BUILDER_H_
#define ARIADNE_ENGINE_REPORT_REPORT_BUILDER_H_

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "engine/report/case_file.h"
#include "engine/report/report_html.h"
#include "proto/ariadne.grpc.pb.h"

namespace ariadne::report {

struct ReportOptions {
  uint32_t hops = 6;
  std::string taint = "haircut";
  std::string stop_at = "exchange,mixer,darknet_market,gambling";  // comma-separated categories
  std::string server;                                              // named in the report
};

// A fresh context per call, carrying the caller's credentials, case id and deadline.
using ContextFactory = std::function<std::unique_ptr<grpc::ClientContext>()>;

// Collects a whole Trace stream into `out` (asking for batched events).
grpc::Status CollectTrace(v1::Ariadne::StubInterface& stub, const ContextFactory& context,
                          const v1::TraceRequest& request, render::CollectedTrace* out);

// Fills `in` (case, status, seeds, why chains; not the digest or the audit head, which need the
// store and the trail on this machine) for `case_file`. Each seed's picture is drawn by Graphviz
// when it is installed. Returns: the status of GetStatus, or UNAVAILABLE when the server went away
// mid-report; a seed's own failure (an unknown address) is kept in its SeedReport instead.
grpc::Status BuildReport(v1::Ariadne::StubInterface& stub, const ContextFactory& context,
                         const CaseFile& case_file, const ReportOptions& options, ReportInput* in);

}  // namespace ariadne::report

#endif  // ARIADNE_ENGINE_REPORT_REPORT_BUILDER_H_
