#include "indexer/evm/header.h"

#include "engine/core/keccak.h"

namespace ariadne::evm {

void DecodeHeader(ByteSpan encoded, uint64_t offset, RlpError* err, Header* out) {
  *out = Header();
  RlpReader outer(encoded, offset, err);
  RlpReader r = outer.List("header");
  outer.ExpectEnd("header");
  if (!err->ok()) return;
  out->parent_hash = RetagHash<EvmBlockHash>(r.Hash("parentHash"));
  out->ommers_hash = r.Hash("ommersHash");
  out->coinbase = r.Addr("coinbase");
  out->state_root = r.Hash("stateRoot");
  out->transactions_root = r.Hash("transactionsRoot");
  out->receipts_root = r.Hash("receiptsRoot");
  const uint64_t bloom_offset = r.offset();
  out->bloom = r.Bytes("logsBloom");
  if (r.ok() && out->bloom.size() != 256)
    r.FailAt("bloom is not 256 bytes", "logsBloom", bloom_offset);
  out->difficulty = r.Uint256("difficulty");
  out->number = r.U64("number");
  out->gas_limit = r.U64("gasLimit");
  out->gas_used = r.U64("gasUsed");
  out->timestamp = r.U64("timestamp");
  out->extra_data = r.Bytes("extraData");
  out->mix_hash = r.Hash("mixHash");
  const uint64_t nonce_offset = r.offset();
  ByteSpan nonce = r.Bytes("nonce");
  if (r.ok() && nonce.size() != 8) r.FailAt("nonce is not 8 bytes", "nonce", nonce_offset);
  if (r.ok()) {
    for (uint8_t b : nonce) out->nonce = (out->nonce << 8) | b;
  }
  if (r.ok() && !r.AtEnd()) out->base_fee = r.Uint256("baseFeePerGas");
  if (r.ok() && !r.AtEnd()) out->withdrawals_root = r.Hash("withdrawalsRoot");
  if (r.ok() && !r.AtEnd()) out->blob_gas_used = r.U64("blobGasUsed");
  if (r.ok() && !r.AtEnd()) out->excess_blob_gas = r.U64("excessBlobGas");
  if (r.ok() && !r.AtEnd()) out->parent_beacon_root = r.Hash("parentBeaconBlockRoot");
  if (r.ok() && !r.AtEnd()) out->requests_hash = r.Hash("requestsHash");
  r.ExpectEnd("header");
  if (!err->ok()) return;
  out->encoded = encoded;
  Keccak256(encoded, out->hash.data());
}

ChainConfig ChainConfig::Mainnet() {
  ChainConfig c;
  c.chain_id = 1;
  c.blob_schedule = {{1710338135, 3338477}, {1746612311, 5007716}};
  return c;
}

ChainConfig ChainConfig::Sepolia() {
  ChainConfig c;
  c.chain_id = 11155111;
  c.name = "sepolia";
  c.blob_schedule = {{1706655072, 3338477}, {1741159776, 5007716}};
  return c;
}

std::optional<U256> BlobBaseFee(const ChainConfig& config, uint64_t timestamp,
                                uint64_t excess_blob_gas) {
  const BlobSchedule* s = nullptr;
  for (const BlobSchedule& e : config.blob_schedule) {
    if (e.activation_time <= timestamp) s = &e;
  }
  if (s == nullptr || s->update_fraction == 0) return std::nullopt;
  // fake_exponential(factor = 1, numerator = excess, denominator = fraction), EIP-4844.
  const uint64_t denominator = s->update_fraction;
  U256 output;
  U256 accum(denominator);  // factor * denominator
  for (uint64_t i = 1; !accum.IsZero(); ++i) {
    if (!U256::CheckedAdd(output, accum, &output)) return std::nullopt;
    U256 t;
    if (!U256::CheckedMul(accum, U256(excess_blob_gas), &t)) return std::nullopt;
    const unsigned __int128 div = static_cast<unsigned __int128>(denominator) * i;
    if (div >> 64) return std::nullopt;
    accum = U256::DivModU64(t, static_cast<uint64_t>(div), nullptr);
  }
  return U256::DivModU64(output, denominator, nullptr);
}

}  // namespace ariadne::evm
