#include "indexer/pipeline/btc_indexer.h"

#include "indexer/pipeline/btc_run.h"

namespace ariadne::pipeline {

absl::Status IndexBitcoin(store::Store* store, const BtcIndexOptions& options,
                          IndexResult* result) {
  *result = IndexResult();
  BtcRun indexer(store, options, result);
  return indexer.Run();
}

struct BtcIndexSession::Impl {
  BtcIndexOptions options;
  IndexResult closing;  // where the last round's results point while saving
  BtcRun indexer;
  uint64_t blocks_applied = 0;
  Impl(store::Store* store, BtcIndexOptions o)
      : options(std::move(o)), indexer(store, options, &closing) {}
};

BtcIndexSession::BtcIndexSession(store::Store* store, const BtcIndexOptions& options)
    : impl_(std::make_unique<Impl>(store, options)) {}

BtcIndexSession::~BtcIndexSession() { Close(); }

absl::Status BtcIndexSession::Round(const std::vector<std::filesystem::path>& inputs,
                                    IndexResult* result, bool* needs_full_run) {
  if (impl_ == nullptr) return absl::FailedPreconditionError("index session is closed");
  impl_->indexer.set_inputs(inputs);
  absl::Status status = impl_->indexer.Round(result, needs_full_run);
  impl_->blocks_applied += result->blocks_applied;
  return status;
}

std::vector<std::string> BtcIndexSession::Close() {
  if (impl_ == nullptr) return {};
  // The indexer's result pointer is the last round's, which the caller may have dropped.
  impl_->closing = IndexResult();
  impl_->indexer.SaveForNextRunInto(&impl_->closing, impl_->blocks_applied);
  std::vector<std::string> warnings = std::move(impl_->closing.warnings);
  impl_.reset();
  return warnings;
}

}  // namespace ariadne::pipeline
