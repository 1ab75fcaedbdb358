#include "heuristics/coinjoin.h"

#include <algorithm>
#include <cmath>

namespace ariadne::heuristics {
namespace {

constexpr int64_t kCoin = 100'000'000;
constexpr int64_t kWhirlpoolPools[] = {100'000, 1'000'000, 5'000'000, 50'000'000};

}  // namespace

std::string_view CoinJoinKindName(CoinJoinKind kind) {
  switch (kind) {
    case CoinJoinKind::kNone:
      return "none";
    case CoinJoinKind::kGeneric:
      return "generic";
    case CoinJoinKind::kWasabi1:
      return "wasabi1";
    case CoinJoinKind::kWasabi2:
      return "wasabi2";
    case CoinJoinKind::kWhirlpool:
      return "whirlpool";
    case CoinJoinKind::kJoinMarket:
      return "joinmarket";
  }
  return "unknown";
}

void CoinJoinDetector::CountValues(const store::ResolvedTx& tx) {
  scratch_.clear();
  for (const auto& o : tx.outputs) scratch_.push_back(o.value);
  std::sort(scratch_.begin(), scratch_.end());
  values_.clear();
  for (size_t i = 0; i < scratch_.size();) {
    size_t j = i + 1;
    while (j < scratch_.size() && scratch_[j] == scratch_[i]) ++j;
    values_.push_back({scratch_[i], static_cast<uint32_t>(j - i)});
    i = j;
  }
  std::sort(values_.begin(), values_.end(), [](const ValueCount& a, const ValueCount& b) {
    return a.count != b.count ? a.count > b.count : a.value > b.value;
  });
}

uint32_t CoinJoinDetector::DistinctInputAddresses(const store::ResolvedTx& tx) {
  addrs_.clear();
  for (const auto& in : tx.inputs) addrs_.push_back(in.addr.value());
  std::sort(addrs_.begin(), addrs_.end());
  return static_cast<uint32_t>(std::unique(addrs_.begin(), addrs_.end()) - addrs_.begin());
}

bool CoinJoinDetector::EqualOutputsShareType(const store::ResolvedTx& tx, int64_t value) {
  const store::ResolvedOutput* first = nullptr;
  for (const auto& o : tx.outputs) {
    if (o.value != value) continue;
    if (first == nullptr) {
      first = &o;
    } else if (o.type != first->type) {
      return false;
    }
  }
  return true;
}

bool CoinJoinDetector::SomeInputOfEqualOutputsType(const store::ResolvedTx& tx, int64_t value) {
  for (const auto& o : tx.outputs) {
    if (o.value != value) continue;
    for (const auto& in : tx.inputs) {
      if (in.type == o.type) return true;
    }
    return false;
  }
  return false;
}

bool CoinJoinDetector::EveryOutputHasAddress(const store::ResolvedTx& tx) {
  for (const auto& o : tx.outputs) {
    if (!o.addr.valid() || o.type == ScriptType::kOpReturn) return false;
  }
  return true;
}

bool CoinJoinDetector::InputsCanFund(const store::ResolvedTx& tx, size_t n, int64_t value) {
  // Each participant's coins pay for its equal output, so the inputs split into n disjoint groups
  // of at least `value` each. A group holds an input of at least `value`, or only smaller ones
  // summing to `value` or more: there are at most (inputs >= value) + (sum of the others) / value
  // groups.
  uint64_t large = 0;
  int64_t small_sum = 0;
  for (const auto& in : tx.inputs) {
    if (in.value >= value) {
      ++large;
    } else {
      small_sum += in.value;
    }
  }
  return value > 0 && large + static_cast<uint64_t>(small_sum / value) >= n;
}

bool CoinJoinDetector::IsGeneric(const store::ResolvedTx& tx) {
  const size_t n_in = tx.inputs.size(), n_out = tx.outputs.size();
  if (n_in < 2 || n_out < 5) return false;  // p >= 3: two equal outputs are a batched payment
  const size_t p = (n_out + 1) / 2;
  if (p > n_in) return false;
  if (p > DistinctInputAddresses(tx)) return false;
  CountValues(tx);
  const ValueCount& top = values_.front();
  if (top.count != p || !EveryOutputHasAddress(tx)) return false;
  return top.value != 546 && top.value != 2730 && EqualOutputsShareType(tx, top.value) &&
         SomeInputOfEqualOutputsType(tx, top.value) && InputsCanFund(tx, p, top.value);
}

bool CoinJoinDetector::IsWhirlpool(const store::ResolvedTx& tx) {
  const size_t n = tx.outputs.size();
  if (n < 5 || n > 8 || tx.inputs.size() != n) return false;
  const int64_t v = tx.outputs[0].value;
  if (std::find(std::begin(kWhirlpoolPools), std::end(kWhirlpoolPools), v) ==
      std::end(kWhirlpoolPools)) {
    return false;
  }
  for (const auto& in : tx.inputs) {
    if (in.value < v) return false;  // every input is a premix or postmix coin of the pool
  }
  addrs_.clear();
  for (const auto& o : tx.outputs) {
    if (o.value != v || !o.addr.valid()) return false;
    addrs_.push_back(o.addr.value());
  }
  std::sort(addrs_.begin(), addrs_.end());
  return std::unique(addrs_.begin(), addrs_.end()) == addrs_.end();
}

bool CoinJoinDetector::IsWasabi1(const store::ResolvedTx& tx) {
  if (tx.outputs.size() < 5 || tx.inputs.size() < 5) return false;
  CountValues(tx);
  const ValueCount& top = values_.front();
  if (top.count < 5 || DistinctInputAddresses(tx) < top.count) return false;
  if (!InputsCanFund(tx, top.count, top.value)) return false;
  for (int k = 0; k <= 6; ++k) {
    const double level = 0.1 * kCoin * std::ldexp(1.0, k);
    if (std::abs(static_cast<double>(top.value) - level) <= 0.05 * level) return true;
  }
  return false;
}

bool CoinJoinDetector::IsWasabi2(const store::ResolvedTx& tx) {
  if (tx.inputs.size() < 20 || tx.outputs.size() < 6) return false;
  CountValues(tx);
  int repeated = 0;
  for (const ValueCount& vc : values_) {
    if (vc.count < 2) break;
    ++repeated;
  }
  return repeated >= 3;
}

bool CoinJoinDetector::IsJoinMarket(const store::ResolvedTx& tx) {
  const size_t n_out = tx.outputs.size();
  if (n_out < 3 || tx.inputs.size() < 3) return false;
  CountValues(tx);
  const ValueCount& top = values_.front();
  const size_t n = top.count;
  if (n < 3 || n_out < n || n_out > 2 * n || tx.inputs.size() < n) return false;
  if (top.value < 10'000) return false;
  // Every maker's change (its coins less the amount plus its fee): at least n - 1 other outputs.
  if (n_out - n < n - 1) return false;
  for (size_t i = 1; i < values_.size(); ++i) {
    if (values_[i].count != 1) return false;  // change outputs are all different
  }
  if (!EveryOutputHasAddress(tx)) return false;
  return DistinctInputAddresses(tx) >= n && EqualOutputsShareType(tx, top.value) &&
         InputsCanFund(tx, n, top.value);
}

CoinJoinKind CoinJoinDetector::Detect(const store::ResolvedTx& tx) {
  if (tx.coinbase || !MayBeCoinJoin(tx.inputs.size(), tx.outputs.size())) {
    return CoinJoinKind::kNone;
  }
  if (IsWhirlpool(tx)) return CoinJoinKind::kWhirlpool;
  if (IsWasabi2(tx)) return CoinJoinKind::kWasabi2;
  if (IsWasabi1(tx)) return CoinJoinKind::kWasabi1;
  if (IsJoinMarket(tx)) return CoinJoinKind::kJoinMarket;
  if (IsGeneric(tx)) return CoinJoinKind::kGeneric;
  return CoinJoinKind::kNone;
}

}  // namespace ariadne::heuristics
