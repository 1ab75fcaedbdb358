#include "indexer/btc/chainwork.h"

namespace ariadne::btc {

ChainWork ChainWork::FromBits(uint32_t bits) {
  ChainWork w;
  Arith256::Compact flags;
  const Arith256 target = Arith256::FromCompact(bits, &flags);
  if (flags.negative || flags.overflow || target.IsZero()) return w;
  // work = (~target / (target + 1)) + 1, i.e. floor(2^256 / (target + 1)).
  Arith256 divisor = target;
  divisor += Arith256(1);
  if (divisor.IsZero()) return w;  // target = 2^256 - 1: unreachable from compact bits
  w.work_ = (~target).DividedBy(divisor);
  w.work_ += Arith256(1);
  return w;
}

}  // namespace ariadne::btc
