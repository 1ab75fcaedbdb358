// What an exposure computation is asked and what it answers, in either chain model
// (exposure.h for UTXO chains, account_exposure.h for account chains): amounts received from and
// sent to each labelled entity and category, directly and indirectly, per asset (UTXO chains have
// one asset, AssetId 0). An address with several labels counts an amount once per distinct entity
// and once per distinct category.
#ifndef ARIADNE_ENGINE_TRACE_EXPOSURE_RESULT_H_
#define ARIADNE_ENGINE_TRACE_EXPOSURE_RESULT_H_

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>

#include "engine/core/types.h"
#include "engine/core/u256.h"
#include "engine/graph/label_index.h"
#include "engine/trace/trace_options.h"

namespace ariadne::trace {

struct ExposureOptions {
  uint32_t hops = 3;                          // default 3
  TaintModel model = TaintModel::kHaircut;    // default haircut
  const graph::LabelIndex* labels = nullptr;  // required
  std::function<bool()> cancelled;
};

// Returns: the options of an exposure of `hops` under `model`, labelled by `labels`.
inline ExposureOptions ExposureOptionsOf(uint32_t hops, TaintModel model,
                                         const graph::LabelIndex* labels,
                                         std::function<bool()> cancelled) {
  ExposureOptions o;
  o.hops = hops;
  o.model = model;
  o.labels = labels;
  o.cancelled = std::move(cancelled);
  return o;
}

// Amount: int64_t (satoshi) or evm::U256 (base units, sums saturate).
template <typename Amount>
struct ExposureAmounts {
  Amount received_direct{};
  Amount received_indirect{};
  Amount sent_direct{};
  Amount sent_indirect{};
};

template <typename Amount>
struct ExposureResult {
  std::map<std::pair<std::string, AssetId>, ExposureAmounts<Amount>> by_category;
  // (label, category, asset)
  std::map<std::tuple<std::string, std::string, AssetId>, ExposureAmounts<Amount>> by_entity;
  std::map<AssetId, Amount> received;  // per asset, from outside the subject
  std::map<AssetId, Amount> sent;      // per asset, to outside the subject
  bool truncated = false;
  bool cancelled = false;
};

// Returns: a + b (U256 sums saturate at 2^256 - 1).
inline int64_t AddAmounts(int64_t a, int64_t b) { return a + b; }
inline evm::U256 AddAmounts(const evm::U256& a, const evm::U256& b) {
  evm::U256 r;
  return evm::U256::CheckedAdd(a, b, &r) ? r : evm::U256::Max();
}

// Adds `amount` of `asset` into `field` of every distinct entity and category of `member`'s labels.
template <typename Amount>
void CreditLabels(const graph::LabelIndex& labels, uint32_t member, AssetId asset,
                  Amount ExposureAmounts<Amount>::*field, const Amount& amount,
                  ExposureResult<Amount>* r) {
  std::set<std::string> categories;
  std::set<std::pair<std::string, std::string>> entities;
  for (uint32_t id : labels.Of(member)) {
    const store::LabelRow& row = labels.labels()[id];
    if (categories.insert(row.category).second) {
      Amount& a = r->by_category[{row.category, asset}].*field;
      a = AddAmounts(a, amount);
    }
    if (entities.insert({row.label, row.category}).second) {
      Amount& a = r->by_entity[{row.label, row.category, asset}].*field;
      a = AddAmounts(a, amount);
    }
  }
}

}  // namespace ariadne::trace

#endif  // ARIADNE_ENGINE_TRACE_EXPOSURE_RESULT_H_
