#include "gen/random.h"

#include <cmath>
#include <cstring>

namespace ariadne::gen {
namespace {

constexpr double kLn2Hi = 6.93147180369123816490e-01;  // upper bits of ln 2 (exact in double)
constexpr double kLn2Lo = 1.90821492927058770002e-10;  // ln 2 - kLn2Hi
constexpr double kLn2 = 0.693147180559945309417232121458;
constexpr double kSqrtHalf = 0.70710678118654752440;

}  // namespace

double DetLog(double x) {
  if (!(x > 0)) return -1e308;
  if (x == 1.0) return 0.0;
  int e = 0;
  double m = std::frexp(x, &e);  // x = m * 2^e, m in [0.5, 1): exact
  if (m < kSqrtHalf) {
    m *= 2;
    --e;
  }
  // log(m) = 2 atanh(s), s = (m - 1) / (m + 1), |s| <= 0.1716.
  const double s = (m - 1) / (m + 1);
  const double s2 = s * s;
  double term = s;
  double sum = s;
  for (int k = 3; k <= 29; k += 2) {
    term *= s2;
    sum += term / k;
  }
  return e * kLn2Hi + (2 * sum + e * kLn2Lo);
}

double DetExp(double x) {
  if (x > 700) x = 700;
  if (x < -700) x = -700;
  // x = k ln2 + r, |r| <= ln2 / 2.
  const double kf = std::floor(x / kLn2 + 0.5);
  const int k = static_cast<int>(kf);
  const double r = (x - kf * kLn2Hi) - kf * kLn2Lo;
  // Taylor series of e^r to degree 17 (error < 1e-19 for |r| <= 0.35).
  double term = 1;
  double sum = 1;
  for (int i = 1; i <= 17; ++i) {
    term = term * r / i;
    sum += term;
  }
  return std::ldexp(sum, k);  // exact scaling by 2^k
}

Rng::Rng(uint64_t seed) {
  uint64_t z = seed;
  for (uint64_t& w : s_) {
    z += 0x9e3779b97f4a7c15ULL;
    uint64_t v = z;
    v = (v ^ (v >> 30)) * 0xbf58476d1ce4e5b9ULL;
    v = (v ^ (v >> 27)) * 0x94d049bb133111ebULL;
    w = v ^ (v >> 31);
  }
  if ((s_[0] | s_[1] | s_[2] | s_[3]) == 0) s_[0] = 1;  // the one state xoshiro cannot leave
}

uint64_t Rng::Below(uint64_t n) {
  uint64_t x = Next();
  unsigned __int128 m = static_cast<unsigned __int128>(x) * n;
  uint64_t low = static_cast<uint64_t>(m);
  if (low < n) {
    const uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      x = Next();
      m = static_cast<unsigned __int128>(x) * n;
      low = static_cast<uint64_t>(m);
    }
  }
  return static_cast<uint64_t>(m >> 64);
}

double Rng::Normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_normal_;
  }
  double u, v, s;
  do {
    u = 2 * Unit() - 1;
    v = 2 * Unit() - 1;
    s = u * u + v * v;
  } while (s >= 1 || s == 0);
  const double f = std::sqrt(-2 * DetLog(s) / s);
  spare_normal_ = v * f;
  has_spare_ = true;
  return u * f;
}

uint64_t Rng::Geometric(double p, uint64_t cap) {
  if (p >= 1) return 0;
  if (p <= 0) return cap;
  const double u = 1.0 - Unit();  // (0, 1]
  const double g = std::floor(DetLog(u) / DetLog(1 - p));
  if (!(g < static_cast<double>(cap))) return cap;
  return static_cast<uint64_t>(g);
}

size_t Rng::Weighted(std::span<const double> weights) {
  double total = 0;
  for (double w : weights) total += w;
  double r = Unit() * total;
  for (size_t i = 0; i < weights.size(); ++i) {
    if (r < weights[i]) return i;
    r -= weights[i];
  }
  // Rounding left r at or above the last weight: take the last non-zero one.
  for (size_t i = weights.size(); i-- > 0;) {
    if (weights[i] > 0) return i;
  }
  return 0;
}

size_t Rng::Zipf(size_t n, double s) {
  double total = 0;
  for (size_t i = 0; i < n; ++i) total += DetExp(-s * DetLog(static_cast<double>(i + 1)));
  double r = Unit() * total;
  for (size_t i = 0; i < n; ++i) {
    const double w = DetExp(-s * DetLog(static_cast<double>(i + 1)));
    if (r < w) return i;
    r -= w;
  }
  return n - 1;
}

void Rng::Fill(uint8_t* out, size_t n) {
  while (n >= 8) {
    const uint64_t v = Next();
    std::memcpy(out, &v, 8);
    out += 8;
    n -= 8;
  }
  if (n > 0) {
    const uint64_t v = Next();
    std::memcpy(out, &v, n);
  }
}

}  // namespace ariadne::gen
