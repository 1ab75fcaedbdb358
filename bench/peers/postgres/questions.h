// The questions of bench/peers/postgres, asked of Ariadne (gRPC) and of PostgreSQL (libpq, the
// SQL of queries.sql), and their answers in one canonical form so that the two can be compared
// line for line.
#ifndef ARIADNE_BENCH_PEERS_POSTGRES_QUESTIONS_H_
#define ARIADNE_BENCH_PEERS_POSTGRES_QUESTIONS_H_

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "bench/peers/postgres/pg_client.h"
#include "proto/ariadne.grpc.pb.h"

namespace ariadne::bench::peers {

enum class Question : uint8_t {
  kPing = 0,            // the bare round trip: gRPC health check, SELECT 1
  kSummary,             // who is this address: totals, first and last seen, labels
  kHistory,             // its first page of transactions (oldest first)
  kTransaction,         // one transaction, inputs resolved, outputs with their spenders
  kTraceForwardPoison,  // 3-hop traces from everything the address received
  kTraceForwardHaircut,
  kTraceBackwardPoison,
  kTraceBackwardHaircut,
  kPaths,     // shortest chains of transactions to another address
  kExposure,  // value received from and sent to labelled entities
};
inline constexpr int kNumQuestions = 10;

absl::string_view QuestionName(Question q);
// Returns: INVALID_ARGUMENT naming the known questions when `name` is none of them.
absl::StatusOr<Question> ParseQuestion(absl::string_view name);

// One seed address and what its questions need.
struct Subject {
  std::string address;
  int bucket = 0;        // history size: 0 for 1-2 transactions, 1 for 3-29, 2 for 30-299, 3 more
  int64_t tx_count = 0;  // transactions in its history
  std::string txid;      // the middle transaction of its history (the transaction question)
  std::string path_to;   // the other end of its paths question
};

struct QuestionParams {
  uint32_t hops = 3;                  // traces and exposure
  uint32_t max_edges = 10'000;        // traces: Ariadne's default (the service's and the CLI's)
  uint32_t history_limit = 100;       // entries in a history page
  uint32_t events_per_message = 256;  // trace events per stream message, as the CLI asks
  uint32_t path_max_hops = 6;         // Ariadne's defaults
  uint32_t max_paths = 10;
  double deadline_s = 3600;
};

// A canonical answer: one line per fact, in an order both systems can reproduce (sorted where the
// order is not part of the answer). A truncated trace or exposure is the single line "truncated"
// plus what stays comparable.
using Answer = std::vector<std::string>;

// PostgreSQL: the statement text of each question (prepared once per connection as "q<N>"), its
// parameters for a subject, and the canonical form of its rows.
std::string PgStatement(Question q);
std::vector<std::string> PgParams(Question q, const Subject& s, const QuestionParams& p);
absl::StatusOr<Answer> PgAnswer(Question q, const PgResult& r);

// Ariadne through its gRPC C++ client: one channel (one connection) per client.
class AriadneClient {
 public:
  // Args: target: "unix:/path" or "host:port"; index: keeps channels apart (own connection each).
  AriadneClient(const std::string& target, int index);

  // Returns: false when the channel did not connect within `seconds`.
  bool WaitConnected(double seconds);

  // Asks question `q` about `s`, reading the whole answer.
  // Out: *answer (optional): its canonical form.
  // Returns: the RPC's status.
  absl::Status Ask(Question q, const Subject& s, const QuestionParams& p, Answer* answer);

 private:
  absl::Status Ping();

  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Ariadne::Stub> stub_;
  std::unique_ptr<grpc::GenericStub> generic_;
  grpc::CompletionQueue cq_;  // for the ping's generic call
};

}  // namespace ariadne::bench::peers

#endif  // ARIADNE_BENCH_PEERS_POSTGRES_QUESTIONS_H_
