// Deterministic pseudo-random numbers and distributions for the chain generator.
//
// Everything the generator writes derives from one seed through this file, so the same options give
// the same bytes on every machine: the generator is xoshiro256** seeded by splitmix64, and every
// distribution is written here from IEEE-754 basic operations (+, -, *, /, sqrt), which are
// correctly rounded everywhere. std:: distributions and libm's log/exp are implementation-defined
// and are not used.
#ifndef ARIADNE_GEN_RANDOM_H_
#define ARIADNE_GEN_RANDOM_H_

#include <cstdint>
#include <span>

namespace ariadne::gen {

// Returns: splitmix64's finaliser of x: a bijective 64-bit mix (used to derive keys and streams).
inline uint64_t Mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Returns: the natural logarithm of x > 0 (relative error below 1e-15); -inf-like -1e308 for
// x <= 0. Deterministic on every IEEE-754 platform.
double DetLog(double x);
// Returns: e^x for |x| <= 700 (clamped beyond; relative error below 1e-15). Deterministic.
double DetExp(double x);

class Rng {
 public:
  // Args: seed: any value; splitmix64 expands it into the 256-bit state.
  explicit Rng(uint64_t seed);

  // Returns: the next 64 random bits (xoshiro256**).
  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  // Returns: a uniform integer in [0, n) (n > 0; Lemire's method with rejection, unbiased).
  uint64_t Below(uint64_t n);
  // Returns: a uniform integer in [lo, hi] (lo <= hi).
  int64_t Range(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }
  // Returns: a uniform double in [0, 1) with 53 random bits.
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // Returns: true with probability p.
  bool Chance(double p) { return Unit() < p; }
  // Returns: a standard normal deviate (Marsaglia's polar method).
  double Normal();
  // Returns: median * e^(sigma * N(0,1)).
  double LogNormal(double median, double sigma) { return median * DetExp(sigma * Normal()); }
  // Returns: an exponential deviate of the given mean.
  double Exponential(double mean) { return -mean * DetLog(1.0 - Unit()); }
  // Returns: the number of failures before the first success of a Bernoulli(p) sequence
  // (geometric on {0, 1, ...}, mean (1-p)/p), capped at `cap`.
  uint64_t Geometric(double p, uint64_t cap);
  // Returns: an index drawn with probability proportional to weights[i] (weights >= 0, sum > 0).
  size_t Weighted(std::span<const double> weights);
  // Returns: an index in [0, n) drawn from a Zipf-like law: P(i) proportional to 1 / (i + 1)^s.
  // O(n): for small n only (entity sizes).
  size_t Zipf(size_t n, double s);
  // Fills `out` with random bytes.
  void Fill(uint8_t* out, size_t n);

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
  double spare_normal_ = 0;
  bool has_spare_ = false;
};

}  // namespace ariadne::gen

#endif  // ARIADNE_GEN_RANDOM_H_
