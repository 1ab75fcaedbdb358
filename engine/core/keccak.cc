#include "engine/core/keccak.h"

#include <crypto++/keccak.h>

#include <new>

namespace ariadne::evm {

struct Keccak256Hasher::State {
  CryptoPP::Keccak_256 k;
};

Keccak256Hasher::Keccak256Hasher() {
  static_assert(sizeof(State) <= sizeof(storage_), "grow Keccak256Hasher::storage_");
  static_assert(alignof(State) <= 16, "Keccak256Hasher::storage_ alignment");
  new (storage_) State();
}

Keccak256Hasher::~Keccak256Hasher() { state()->~State(); }

Keccak256Hasher::State* Keccak256Hasher::state() {
  return std::launder(reinterpret_cast<State*>(storage_));
}

Keccak256Hasher& Keccak256Hasher::Write(const uint8_t* data, size_t len) {
  state()->k.Update(data, len);
  return *this;
}

void Keccak256Hasher::Finish(uint8_t out[32]) { state()->k.Final(out); }

void Keccak256(ByteSpan data, uint8_t out[32]) {
  CryptoPP::Keccak_256 k;
  k.Update(data.data(), data.size());
  k.Final(out);
}

H256 Keccak256(ByteSpan data) {
  H256 h;
  Keccak256(data, h.data());
  return h;
}

}  // namespace ariadne::evm
