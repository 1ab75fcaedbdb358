#include "engine/core/hash.h"

#include <openssl/ripemd.h>

namespace ariadne {
namespace {

// OpenSSL 3's one-shot SHA256() goes through EVP and fetches the algorithm on every call (locks,
// reference counts, name comparisons): several times the cost of hashing a typical transaction.
// The low-level context functions hash directly, with SHA-NI where the CPU has it.
inline void Sha256Raw(const uint8_t* data, size_t len, uint8_t out[32]) {
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, data, len);
  SHA256_Final(out, &ctx);
}

}  // namespace

void Sha256Hasher::FinishDouble(uint8_t out[32]) {
  uint8_t first[32];
  SHA256_Final(first, &ctx_);
  Sha256Raw(first, sizeof(first), out);
}

Uint256 Sha256(ByteSpan data) {
  Uint256 h;
  Sha256Raw(data.data(), data.size(), h.data());
  return h;
}

Uint256 Sha256d(ByteSpan data) {
  uint8_t first[32];
  Sha256Raw(data.data(), data.size(), first);
  Uint256 h;
  Sha256Raw(first, sizeof(first), h.data());
  return h;
}

void Sha256d64(const uint8_t in[64], uint8_t out[32]) {
  uint8_t first[32];
  Sha256Raw(in, 64, first);
  Sha256Raw(first, sizeof(first), out);
}

Hash160Bytes Hash160(ByteSpan data) {
  uint8_t sha[32];
  Sha256Raw(data.data(), data.size(), sha);
  Hash160Bytes out;
  RIPEMD160_CTX r;
  RIPEMD160_Init(&r);
  RIPEMD160_Update(&r, sha, sizeof(sha));
  RIPEMD160_Final(out.data(), &r);
  return out;
}

}  // namespace ariadne
