// Taint models: how a transaction passes the tainted part of its inputs on to its outputs (tracing
// forward) or attributes the tainted part of its outputs to its inputs (tracing backward).
//
//   poison   any tainted input taints every output in full (the most inclusive: an upper bound)
//   haircut  every output gets the tainted share of the inputs: value * tainted_in / total_in
//   fifo     first in, first out (Anderson et al., "Bitcoin Redemption"; Clayton's case in UK law):
//            the inputs' value ranges are laid end to end in input order, the outputs take
//            consecutive slices in output order, and the fee the remainder. Each coin carries its
//            tainted intervals, so the mapping is exact.
#ifndef ARIADNE_ENGINE_TRACE_TAINT_H_
#define ARIADNE_ENGINE_TRACE_TAINT_H_

#include <cstdint>
#include <span>
#include <vector>

#include "engine/query/vocabulary.h"

namespace ariadne::trace {

using query::TaintModel;

// A coin's tainted part: disjoint, sorted intervals [begin, end) of its value (satoshi).
struct Interval {
  int64_t begin;
  int64_t end;
  friend bool operator==(const Interval&, const Interval&) = default;
};
using Intervals = std::vector<Interval>;

struct Taint {
  int64_t amount = 0;   // tainted value
  Intervals intervals;  // fifo only (empty in the other models): where in the coin the taint is
  bool any() const { return amount > 0; }
};

// The whole coin tainted.
Taint Whole(int64_t value);

// Passes taint through one transaction, forward.
// Args: in_values/in_taint: the inputs (taint of untainted inputs has amount 0);
//       out_values: the outputs' values (sum <= sum of inputs; the rest is the fee).
// Out: *out_taint (one per output); *fee_taint: the tainted part paid as fee.
//      *share (optional): share[i][j], the tainted value input i passed to output j.
void Forward(TaintModel model, std::span<const int64_t> in_values, std::span<const Taint> in_taint,
             std::span<const int64_t> out_values, std::vector<Taint>* out_taint, int64_t* fee_taint,
             std::vector<std::vector<int64_t>>* share = nullptr);

// Attributes the tainted part of a transaction's outputs to its inputs, backward (where did the
// tainted value come from).
// Out: *in_taint (one per input); *share (optional): share[i][j] from output j to input i.
void Backward(TaintModel model, std::span<const int64_t> in_values,
              std::span<const int64_t> out_values, std::span<const Taint> out_taint,
              std::vector<Taint>* in_taint, std::vector<std::vector<int64_t>>* share = nullptr);

}  // namespace ariadne::trace

#endif  // ARIADNE_ENGINE_TRACE_TAINT_H_
