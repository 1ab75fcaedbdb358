// The court-ready report of a case (`ariadne report`) as one self-contained HTML page, laid out
// for A4 (its PDF is that page printed by Chromium).
#ifndef ARIADNE_ENGINE_REPORT_REPORT_HTML_H_
#define ARIADNE_ENGINE_REPORT_REPORT_HTML_H_

#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/render/trace_json.h"
#include "engine/report/case_file.h"
#include "proto/ariadne.pb.h"

namespace ariadne::report {

// Rows of a seed's hop table at most (the whole trace is in the store; the report names how many
// it leaves out).
inline constexpr size_t kHopRows = 300;
// Arrows of a seed's picture at most: the flows that carried the most tainted value.
inline constexpr size_t kPictureFlows = 60;

struct SeedReport {
  std::string seed;
  grpc::Status status;  // the first failed step; the rest is empty then
  v1::AddressSummary address;
  bool has_address = false;
  v1::ClusterSummary cluster;
  bool has_cluster = false;
  render::CollectedTrace edges;             // every edge (the hop table)
  render::CollectedTrace flows;             // aggregated by pair of nodes (the picture)
  std::string svg;                          // the picture, empty without Graphviz
  size_t flows_left_out = 0;                // flows not in the picture (the smallest)
  std::map<std::string, uint32_t> tx_time;  // block time of the hop table's transactions
};

struct WhyChain {
  std::string a;
  std::string b;
  v1::ExplainReply links;
};

struct ReportInput {
  CaseFile case_file;
  std::string server;
  v1::ChainStatus status;
  std::string digest;
  std::string audit_head;  // empty when no trail was given
  std::string taint;
  std::string stop_at;
  uint32_t hops = 0;
  std::vector<SeedReport> seeds;
  std::vector<WhyChain> why;
};

std::string ReportHtml(const ReportInput& in);

}  // namespace ariadne::report

#endif  // ARIADNE_ENGINE_REPORT_REPORT_HTML_H_
