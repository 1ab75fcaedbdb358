// Hash functions of the chains we index. SHA-256 and RIPEMD-160 come from OpenSSL's libcrypto,
// whose SHA-256 uses the SHA-NI instructions where the CPU has them.
#ifndef ARIADNE_ENGINE_CORE_HASH_H_
#define ARIADNE_ENGINE_CORE_HASH_H_

#include <openssl/sha.h>

#include <array>
#include <cstdint>

#include "engine/core/types.h"

namespace ariadne {

using Hash160Bytes = std::array<uint8_t, 20>;

// Incremental SHA-256 over OpenSSL's low-level context (no EVP dispatch per call: this sits in the
// per-transaction hot path of decoding).
class Sha256Hasher {
 public:
  Sha256Hasher() { SHA256_Init(&ctx_); }
  Sha256Hasher& Write(const uint8_t* data, size_t len) {
    SHA256_Update(&ctx_, data, len);
    return *this;
  }
  Sha256Hasher& Write(ByteSpan s) { return Write(s.data(), s.size()); }
  // Out: 32 bytes of digest. The hasher must not be written to afterwards.
  void Finish(uint8_t out[32]) { SHA256_Final(out, &ctx_); }
  // Out: SHA-256 of the digest (double SHA-256, Bitcoin's hash).
  void FinishDouble(uint8_t out[32]);

 private:
  SHA256_CTX ctx_;
};

// Returns: SHA-256(data).
Uint256 Sha256(ByteSpan data);
// Returns: SHA-256(SHA-256(data)).
Uint256 Sha256d(ByteSpan data);
// Out: SHA-256(SHA-256(in[0..64))) written to out[0..32); the merkle tree's node hash.
void Sha256d64(const uint8_t in[64], uint8_t out[32]);
// Returns: RIPEMD-160(SHA-256(data)), the hash inside P2PKH and P2WPKH.
Hash160Bytes Hash160(ByteSpan data);

}  // namespace ariadne

#endif  // ARIADNE_ENGINE_CORE_HASH_H_
