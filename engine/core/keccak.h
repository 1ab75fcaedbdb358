// Keccak-256 as Ethereum uses it (the original Keccak padding, not NIST SHA3-256), over Crypto++.
#ifndef ARIADNE_ENGINE_CORE_KECCAK_H_
#define ARIADNE_ENGINE_CORE_KECCAK_H_

#include <cstdint>
#include <memory>

#include "engine/core/evm_types.h"
#include "engine/core/types.h"

namespace ariadne::evm {

// Incremental Keccak-256. Not copyable; cheap to construct (no allocation beyond the object).
class Keccak256Hasher {
 public:
  Keccak256Hasher();
  ~Keccak256Hasher();
  Keccak256Hasher(const Keccak256Hasher&) = delete;
  Keccak256Hasher& operator=(const Keccak256Hasher&) = delete;

  Keccak256Hasher& Write(const uint8_t* data, size_t len);
  Keccak256Hasher& Write(ByteSpan s) { return Write(s.data(), s.size()); }
  Keccak256Hasher& WriteByte(uint8_t b) { return Write(&b, 1); }
  // Out: out[0..32) = the digest. The hasher is reset and may be reused.
  void Finish(uint8_t out[32]);

 private:
  struct State;
  // Crypto++'s Keccak object lives inline in this storage (no heap), sized by a static_assert in
  // keccak.cc, so that callers do not include Crypto++ headers.
  alignas(16) uint8_t storage_[320];
  State* state();
};

// Returns: Keccak-256(data).
H256 Keccak256(ByteSpan data);
// Out: out[0..32) = Keccak-256(data).
void Keccak256(ByteSpan data, uint8_t out[32]);

}  // namespace ariadne::evm

#endif  // ARIADNE_ENGINE_CORE_KECCAK_H_
