#include "indexer/btc/chainwork.h"

#include "absl/strings/str_format.h"
#include "indexer/btc/compact_target.h"

namespace ariadne::btc {

ChainWork ChainWork::FromBits(uint32_t bits) {
  ChainWork w;
  CompactFlags flags;
  const U256 target = TargetFromCompact(bits, &flags);
  if (flags.negative || flags.overflow || target.IsZero() || target == U256::Max()) return w;
  // work = (~target / (target + 1)) + 1, i.e. floor(2^256 / (target + 1)).
  const auto& t = target.limbs();
  const U256 not_target = U256::FromLimbs(~t[0], ~t[1], ~t[2], ~t[3]);
  U256 divisor;
  (void)U256::CheckedAdd(target, U256(1), &divisor);
  (void)U256::CheckedAdd(U256::MulDiv(not_target, U256(1), divisor), U256(1), &w.work_);
  return w;
}

ChainWork& ChainWork::operator+=(const ChainWork& o) {
  if (!U256::CheckedAdd(work_, o.work_, &work_)) work_ = U256::Max();
  return *this;
}

std::string ChainWork::ToHex() const {
  const auto& l = work_.limbs();
  return absl::StrFormat("%016x%016x%016x%016x", l[3], l[2], l[1], l[0]);
}

}  // namespace ariadne::btc
