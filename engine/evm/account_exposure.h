// Exposure of an account (or a cluster of accounts) to labelled entities, per asset: how much it
// received from and sent to each labelled entity and category, directly (the counterparty is
// labelled) and indirectly (within N hops, by the taint model, account_trace.h).
//
//   received  transfers from outside the subject: from a labelled account is direct; otherwise a
//             backward trace from them stops at labelled accounts (indirect, hops 2..N)
//   sent      transfers to outside the subject: to a labelled account is direct; otherwise a
//             forward trace from their recipients stops at labelled accounts (indirect)
// An account with several labels counts an amount once per distinct entity and once per category.
#ifndef ARIADNE_ENGINE_EVM_ACCOUNT_EXPOSURE_H_
#define ARIADNE_ENGINE_EVM_ACCOUNT_EXPOSURE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <tuple>

#include "engine/evm/account_graph.h"
#include "engine/evm/account_labels.h"
#include "engine/trace/taint.h"

namespace ariadne::account {

struct ExposureOptions {
  uint32_t hops = 3;                                      // default 3
  trace::TaintModel model = trace::TaintModel::kHaircut;  // default haircut
  const LabelIndex* labels = nullptr;                     // required
  std::function<bool()> cancelled;
};

struct ExposureAmounts {
  U256 received_direct;
  U256 received_indirect;
  U256 sent_direct;
  U256 sent_indirect;
};

struct ExposureResult {
  std::map<std::pair<std::string, uint32_t>, ExposureAmounts> by_category;  // (category, asset)
  // (label, category, asset)
  std::map<std::tuple<std::string, std::string, uint32_t>, ExposureAmounts> by_entity;
  std::map<uint32_t, U256> received;  // per asset, from outside the subject
  std::map<uint32_t, U256> sent;      // per asset, to outside the subject
  bool truncated = false;
  bool cancelled = false;
};

// Args: members: the subject's accounts (sorted).
ExposureResult ComputeExposure(const Graph& graph, std::span<const uint32_t> members,
                               const ExposureOptions& options);

}  // namespace ariadne::account

#endif  // ARIADNE_ENGINE_EVM_ACCOUNT_EXPOSURE_H_
