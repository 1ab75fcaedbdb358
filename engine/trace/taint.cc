#include "engine/trace/taint.h"

#include <algorithm>

namespace ariadne::trace {
namespace {

// The tainted intervals of [lo, hi) in `layout` (sorted, in combined coordinates), shifted to
// start at 0.
Intervals Slice(const Intervals& layout, int64_t lo, int64_t hi) {
  Intervals out;
  auto it = std::lower_bound(layout.begin(), layout.end(), lo,
                             [](const Interval& iv, int64_t x) { return iv.end <= x; });
  for (; it != layout.end() && it->begin < hi; ++it) {
    const int64_t b = std::max(it->begin, lo), e = std::min(it->end, hi);
    if (b < e) out.push_back({b - lo, e - lo});
  }
  return out;
}

int64_t Length(const Intervals& iv) {
  int64_t n = 0;
  for (const Interval& i : iv) n += i.end - i.begin;
  return n;
}

// Lays coins end to end: their intervals in combined coordinates.
Intervals Concatenate(std::span<const int64_t> values, std::span<const Taint> taint) {
  Intervals out;
  int64_t offset = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i < taint.size()) {
      for (const Interval& iv : taint[i].intervals) {
        Interval shifted{iv.begin + offset, iv.end + offset};
        if (!out.empty() && out.back().end == shifted.begin) {
          out.back().end = shifted.end;  // merge adjacent intervals
        } else {
          out.push_back(shifted);
        }
      }
    }
    offset += values[i];
  }
  return out;
}

int64_t Sum(std::span<const int64_t> v) {
  int64_t s = 0;
  for (int64_t x : v) s += x;
  return s;
}

// Sets *share to n_in rows of n_out zeros, reusing the rows' memory (a trace calls this per
// transaction).
void ZeroShares(size_t n_in, size_t n_out, std::vector<std::vector<int64_t>>* share) {
  share->resize(n_in);
  for (std::vector<int64_t>& row : *share) row.assign(n_out, 0);
}

// Largest-remainder split of `total` proportionally to `weights` (exact integer shares) into
// `out` (weights.size() values). A trace calls this per output of every transaction: it allocates
// nothing once its thread's scratch has grown.
void Proportional(int64_t total, std::span<const int64_t> weights, std::span<int64_t> out) {
  std::fill(out.begin(), out.end(), 0);
  const int64_t sum = Sum(weights);
  if (sum <= 0 || total <= 0) return;
  // One weight alone takes the whole total (the usual case: one tainted input), without the
  // remainders and their sort.
  size_t nonzero = 0, last = 0;
  for (size_t i = 0; i < weights.size() && nonzero < 2; ++i) {
    if (weights[i] != 0) {
      ++nonzero;
      last = i;
    }
  }
  if (nonzero == 1) {
    out[last] = total;
    return;
  }
  thread_local std::vector<std::pair<unsigned __int128, size_t>> rest;
  rest.clear();
  int64_t given = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    const unsigned __int128 p = static_cast<unsigned __int128>(total) * weights[i];
    out[i] = static_cast<int64_t>(p / sum);
    given += out[i];
    rest.push_back({p % sum, i});
  }
  std::sort(rest.begin(), rest.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  for (size_t k = 0; given < total && k < rest.size(); ++k, ++given) out[rest[k].second]++;
}

// Sets share[i][j] for every output j: `totals[j]` split over the inputs in proportion to
// `weights` (one per input).
void SplitPerOutput(std::span<const int64_t> totals, std::span<const int64_t> weights,
                    std::vector<std::vector<int64_t>>* share) {
  const size_t n_in = weights.size();
  // One weighted input takes every output's total: no split to compute.
  size_t nonzero = 0, last = 0;
  for (size_t i = 0; i < n_in && nonzero < 2; ++i) {
    if (weights[i] != 0) {
      ++nonzero;
      last = i;
    }
  }
  if (nonzero == 1 && Sum(weights) > 0) {
    for (size_t j = 0; j < totals.size(); ++j) (*share)[last][j] = std::max<int64_t>(0, totals[j]);
    return;
  }
  thread_local std::vector<int64_t> p;
  p.resize(n_in);
  for (size_t j = 0; j < totals.size(); ++j) {
    Proportional(totals[j], weights, p);
    for (size_t i = 0; i < n_in; ++i) (*share)[i][j] = p[i];
  }
}

// Returns: the tainted amounts of n outputs (0 past the end of `taint`), in a buffer of the
// thread's that the next call reuses.
std::span<const int64_t> TaintedAmounts(size_t n, std::span<const Taint> taint) {
  thread_local std::vector<int64_t> amounts;
  amounts.clear();
  for (size_t j = 0; j < n; ++j) amounts.push_back(j < taint.size() ? taint[j].amount : 0);
  return amounts;
}

}  // namespace

Taint Whole(int64_t value) {
  Taint t;
  t.amount = value;
  if (value > 0) t.intervals.push_back({0, value});
  return t;
}

void Forward(TaintModel model, std::span<const int64_t> in_values, std::span<const Taint> in_taint,
             std::span<const int64_t> out_values, std::vector<Taint>* out_taint, int64_t* fee_taint,
             std::vector<std::vector<int64_t>>* share) {
  const size_t n_in = in_values.size(), n_out = out_values.size();
  out_taint->assign(n_out, Taint());
  *fee_taint = 0;
  if (share != nullptr) ZeroShares(n_in, n_out, share);
  int64_t tainted_in = 0;
  for (const Taint& t : in_taint) tainted_in += t.amount;
  if (tainted_in == 0) return;
  const int64_t total_in = Sum(in_values), total_out = Sum(out_values);
  switch (model) {
    case TaintModel::kPoison:
      // Amounts only: intervals are FIFO's (an allocation per output otherwise).
      for (size_t j = 0; j < n_out; ++j) (*out_taint)[j].amount = out_values[j];
      *fee_taint = total_in - total_out;
      if (share != nullptr) {
        // Each output is attributed to the tainted inputs in proportion to their taint.
        thread_local std::vector<int64_t> w;
        w.clear();
        for (size_t i = 0; i < n_in; ++i) w.push_back(i < in_taint.size() ? in_taint[i].amount : 0);
        SplitPerOutput(out_values, w, share);
      }
      return;
    case TaintModel::kHaircut: {
      // Outputs and fee take the tainted amount in proportion to their value.
      thread_local std::vector<int64_t> weights, parts, w;
      weights.assign(out_values.begin(), out_values.end());
      weights.push_back(total_in - total_out);
      parts.resize(weights.size());
      Proportional(tainted_in, weights, parts);
      for (size_t j = 0; j < n_out; ++j) (*out_taint)[j].amount = parts[j];
      *fee_taint = parts[n_out];
      if (share != nullptr) {
        w.clear();
        for (size_t i = 0; i < n_in; ++i) w.push_back(i < in_taint.size() ? in_taint[i].amount : 0);
        SplitPerOutput(std::span<const int64_t>(parts).first(n_out), w, share);
      }
      return;
    }
    case TaintModel::kFifo: {
      const Intervals layout = Concatenate(in_values, in_taint);
      int64_t offset = 0;
      for (size_t j = 0; j < n_out; ++j) {
        Taint& t = (*out_taint)[j];
        t.intervals = Slice(layout, offset, offset + out_values[j]);
        t.amount = Length(t.intervals);
        if (share != nullptr) {
          int64_t in_offset = 0;
          for (size_t i = 0; i < n_in; ++i) {
            const int64_t lo = std::max(offset, in_offset);
            const int64_t hi = std::min(offset + out_values[j], in_offset + in_values[i]);
            if (lo < hi) (*share)[i][j] = Length(Slice(layout, lo, hi));
            in_offset += in_values[i];
          }
        }
        offset += out_values[j];
      }
      *fee_taint = Length(Slice(layout, offset, total_in));
      return;
    }
  }
}

void Backward(TaintModel model, std::span<const int64_t> in_values,
              std::span<const int64_t> out_values, std::span<const Taint> out_taint,
              std::vector<Taint>* in_taint, std::vector<std::vector<int64_t>>* share) {
  const size_t n_in = in_values.size(), n_out = out_values.size();
  in_taint->assign(n_in, Taint());
  if (share != nullptr) ZeroShares(n_in, n_out, share);
  int64_t tainted_out = 0;
  for (const Taint& t : out_taint) tainted_out += t.amount;
  if (tainted_out == 0) return;
  switch (model) {
    case TaintModel::kPoison:
      for (size_t i = 0; i < n_in; ++i) (*in_taint)[i].amount = in_values[i];
      if (share != nullptr) SplitPerOutput(TaintedAmounts(n_out, out_taint), in_values, share);
      return;
    case TaintModel::kHaircut: {
      thread_local std::vector<int64_t> parts;
      parts.resize(n_in);
      Proportional(tainted_out, in_values, parts);
      for (size_t i = 0; i < n_in; ++i) (*in_taint)[i].amount = parts[i];
      if (share != nullptr) SplitPerOutput(TaintedAmounts(n_out, out_taint), in_values, share);
      return;
    }
    case TaintModel::kFifo: {
      // The outputs' tainted intervals, in combined coordinates, map back onto the inputs.
      const Intervals layout = Concatenate(out_values, out_taint);
      int64_t offset = 0;
      for (size_t i = 0; i < n_in; ++i) {
        Taint& t = (*in_taint)[i];
        t.intervals = Slice(layout, offset, offset + in_values[i]);
        t.amount = Length(t.intervals);
        if (share != nullptr) {
          int64_t out_offset = 0;
          for (size_t j = 0; j < n_out; ++j) {
            const int64_t lo = std::max(offset, out_offset);
            const int64_t hi = std::min(offset + in_values[i], out_offset + out_values[j]);
            if (lo < hi) (*share)[i][j] = Length(Slice(layout, lo, hi));
            out_offset += out_values[j];
          }
        }
        offset += in_values[i];
      }
      return;
    }
  }
}

}  // namespace ariadne::trace
