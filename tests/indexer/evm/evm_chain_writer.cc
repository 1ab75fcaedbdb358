#include "tests/indexer/evm/evm_chain_writer.h"

#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include <fstream>

#include "absl/strings/str_cat.h"
#include "engine/core/hex.h"
#include "engine/core/keccak.h"
#include "indexer/evm/block_builder.h"
#include "indexer/evm/receipt.h"
#include "indexer/evm/rlp.h"
#include "indexer/evm/transaction.h"
#include "indexer/evm/trie.h"

namespace ariadne::evm::testing {
namespace {

const secp256k1_context* Context() {
  static secp256k1_context* ctx = secp256k1_context_create(SECP256K1_CONTEXT_SIGN);
  return ctx;
}

std::string Hex(ByteSpan b) { return "0x" + HexEncode(b); }
std::string Hex(const Address& a) { return Hex(a.span()); }
template <typename Tag>
std::string Hex(const Hash256<Tag>& h) {
  return Hex(h.span());
}
std::string Q(const U256& v) { return v.ToHex(); }
std::string Q(uint64_t v) { return U256(v).ToHex(); }

H256 Word(const Address& a) {
  uint8_t w[32] = {};
  std::memcpy(w + 12, a.data(), 20);
  return H256::FromBytes(w);
}

H256 WordOf(const U256& v) {
  uint8_t w[32];
  v.ToWord(w);
  return H256::FromBytes(w);
}

std::string Quote(const std::string& s) { return "\"" + s + "\""; }

}  // namespace

Key MakeKey(const std::string& name) {
  Key k;
  k.name = name;
  const H256 secret =
      Keccak256(ByteSpan(reinterpret_cast<const uint8_t*>(name.data()), name.size()));
  std::memcpy(k.secret.data(), secret.data(), 32);
  secp256k1_pubkey pub;
  if (!secp256k1_ec_pubkey_create(Context(), &pub, k.secret.data())) std::abort();
  uint8_t ser[65];
  size_t len = sizeof(ser);
  secp256k1_ec_pubkey_serialize(Context(), ser, &len, &pub, SECP256K1_EC_UNCOMPRESSED);
  const H256 h = Keccak256(ByteSpan(ser + 1, 64));
  k.address = Address::FromBytes(h.data() + 12);
  return k;
}

Address ContractAddress(const std::string& name) {
  const std::string s = "contract:" + name;
  const H256 h = Keccak256(ByteSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
  return Address::FromBytes(h.data() + 12);
}

U256 Ether(uint64_t n) {
  U256 r;
  (void)U256::CheckedMul(U256(n), U256(1'000'000'000'000'000'000ULL), &r);
  return r;
}
U256 Gwei(uint64_t n) {
  U256 r;
  (void)U256::CheckedMul(U256(n), U256(1'000'000'000ULL), &r);
  return r;
}

LogSpec Erc20Transfer(const Address& token, const Address& from, const Address& to,
                      const U256& amount) {
  LogSpec l{token, {TransferTopic(), Word(from), Word(to)}, std::vector<uint8_t>(32)};
  amount.ToWord(l.data.data());
  return l;
}

LogSpec Erc20Approval(const Address& token, const Address& owner, const Address& spender,
                      const U256& amount) {
  LogSpec l{token, {ApprovalTopic(), Word(owner), Word(spender)}, std::vector<uint8_t>(32)};
  amount.ToWord(l.data.data());
  return l;
}

LogSpec Erc721Transfer(const Address& token, const Address& from, const Address& to,
                       const U256& token_id) {
  return LogSpec{token, {TransferTopic(), Word(from), Word(to), WordOf(token_id)}, {}};
}

ChainWriter::ChainWriter(uint64_t chain_id, uint64_t first) : chain_id_(chain_id), first_(first) {}

void ChainWriter::BeginBlock(uint64_t timestamp, bool with_traces) {
  Block b;
  b.number = first_ + blocks_.size();
  b.timestamp = timestamp;
  b.traces = with_traces;
  b.miner = miner_;
  if (!blocks_.empty()) b.parent = blocks_.back().hash;
  blocks_.push_back(std::move(b));
}

EvmTxHash ChainWriter::AddTx(const TxSpec& spec) {
  Block& b = blocks_.back();
  Tx tx;
  tx.spec = spec;
  if (spec.failed) tx.spec.logs.clear();
  uint64_t* nonce = nullptr;
  for (auto& [a, n] : nonces_) {
    if (a == spec.from->address) nonce = &n;
  }
  if (nonce == nullptr) {
    nonces_.emplace_back(spec.from->address, 0);
    nonce = &nonces_.back().second;
  }
  tx.nonce = (*nonce)++;
  const uint64_t gas_limit = spec.gas_used + 10000;
  // EIP-155 signing payload: [nonce, gasPrice, gas, to, value, data, chainId, 0, 0].
  auto fields = [&](RlpWriter& r) {
    r.U64(tx.nonce);
    r.Uint256(spec.gas_price);
    r.U64(gas_limit);
    if (spec.to.has_value()) {
      r.Addr(*spec.to);
    } else {
      r.Bytes(ByteSpan());
    }
    r.Uint256(spec.value);
    r.Bytes(ByteSpan(spec.data.data(), spec.data.size()));
  };
  std::vector<uint8_t> unsigned_rlp;
  {
    RlpWriter r(&unsigned_rlp);
    const size_t l = r.BeginList();
    fields(r);
    r.U64(chain_id_);
    r.U64(0);
    r.U64(0);
    r.EndList(l);
  }
  const H256 digest = Keccak256(unsigned_rlp);
  secp256k1_ecdsa_recoverable_signature sig;
  if (!secp256k1_ecdsa_sign_recoverable(Context(), &sig, digest.data(), spec.from->secret.data(),
                                        nullptr, nullptr)) {
    std::abort();
  }
  uint8_t rs[64];
  int recid = 0;
  secp256k1_ecdsa_recoverable_signature_serialize_compact(Context(), rs, &recid, &sig);
  tx.r = U256::FromWord(rs);
  tx.s = U256::FromWord(rs + 32);
  tx.v = U256(chain_id_ * 2 + 35 + static_cast<uint64_t>(recid));
  {
    RlpWriter r(&tx.encoded);
    const size_t l = r.BeginList();
    fields(r);
    r.Uint256(tx.v);
    r.Uint256(tx.r);
    r.Uint256(tx.s);
    r.EndList(l);
  }
  tx.hash = RetagHash<EvmTxHash>(Keccak256(tx.encoded));
  b.gas_used += spec.gas_used;
  tx.cumulative = b.gas_used;
  uint32_t logs_before = 0;
  for (const Tx& t : b.txs) logs_before += static_cast<uint32_t>(t.spec.logs.size());
  tx.first_log = logs_before;
  for (const LogSpec& l : tx.spec.logs) {
    AddToBloom(l.address.span(), tx.bloom.data());
    for (const H256& t : l.topics) AddToBloom(t.span(), tx.bloom.data());
  }
  for (size_t i = 0; i < 256; ++i) b.bloom[i] |= tx.bloom[i];
  b.txs.push_back(std::move(tx));
  return b.txs.back().hash;
}

void ChainWriter::EndBlock() {
  Block& b = blocks_.back();
  b.tx_root = OrderedTrieRoot(b.txs.size(), [&](size_t i) { return ByteSpan(b.txs[i].encoded); });
  std::vector<std::vector<uint8_t>> receipts(b.txs.size());
  for (size_t i = 0; i < b.txs.size(); ++i) {
    const Tx& t = b.txs[i];
    std::vector<uint8_t> logs;
    RlpWriter lw(&logs);
    const size_t list = lw.BeginList();
    for (const LogSpec& l : t.spec.logs) {
      const size_t e = lw.BeginList();
      lw.Addr(l.address);
      const size_t ts = lw.BeginList();
      for (const H256& topic : l.topics) lw.Hash(topic);
      lw.EndList(ts);
      lw.Bytes(ByteSpan(l.data.data(), l.data.size()));
      lw.EndList(e);
    }
    lw.EndList(list);
    EncodeConsensusReceipt(TxType::kLegacy, true, !t.spec.failed, H256(), t.cumulative,
                           t.bloom.data(), logs, &receipts[i]);
  }
  b.receipt_root =
      OrderedTrieRoot(receipts.size(), [&](size_t i) { return ByteSpan(receipts[i]); });
  // The header, encoded as the JSON reader re-encodes it.
  static const std::string kEmptyUncles =
      "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347";
  const uint64_t gas_limit = 30'000'000;
  std::vector<uint8_t> rlp;
  RlpWriter r(&rlp);
  const size_t l = r.BeginList();
  r.Hash(b.parent);
  r.Hash(ParseH256(kEmptyUncles).value());
  r.Addr(b.miner);
  r.Hash(H256());
  r.Hash(b.tx_root);
  r.Hash(b.receipt_root);
  r.Bytes(ByteSpan(b.bloom.data(), b.bloom.size()));
  r.Uint256(U256(1));
  r.U64(b.number);
  r.U64(gas_limit);
  r.U64(b.gas_used);
  r.U64(b.timestamp);
  r.Bytes(ByteSpan());
  r.Hash(H256());
  const uint8_t nonce[8] = {};
  r.Bytes(nonce, 8);
  r.EndList(l);
  b.hash = RetagHash<EvmBlockHash>(Keccak256(rlp));
  b.header_json = absl::StrCat(
      "\"number\":", Quote(Q(b.number)), ",\"hash\":", Quote(Hex(b.hash)),
      ",\"parentHash\":", Quote(Hex(b.parent)), ",\"sha3Uncles\":", Quote(kEmptyUncles),
      ",\"miner\":", Quote(Hex(b.miner)), ",\"stateRoot\":", Quote(Hex(H256())),
      ",\"transactionsRoot\":", Quote(Hex(b.tx_root)),
      ",\"receiptsRoot\":", Quote(Hex(b.receipt_root)),
      ",\"logsBloom\":", Quote(Hex(ByteSpan(b.bloom.data(), 256))),
      ",\"difficulty\":\"0x1\",\"gasLimit\":", Quote(Q(gas_limit)),
      ",\"gasUsed\":", Quote(Q(b.gas_used)), ",\"timestamp\":", Quote(Q(b.timestamp)),
      ",\"extraData\":\"0x\",\"mixHash\":", Quote(Hex(H256())),
      ",\"nonce\":\"0x0000000000000000\"");
}

absl::Status ChainWriter::Write(const std::filesystem::path& dir, uint64_t first,
                                uint64_t last) const {
  std::filesystem::create_directories(dir);
  for (const Block& b : blocks_) {
    if (b.number < first || b.number > last) continue;
    const std::string n = Q(b.number);
    // The block with full transactions.
    std::string txs;
    for (size_t i = 0; i < b.txs.size(); ++i) {
      const Tx& t = b.txs[i];
      absl::StrAppend(
          &txs, i ? "," : "", "{\"hash\":", Quote(Hex(t.hash)),
          ",\"from\":", Quote(Hex(t.spec.from->address)),
          ",\"to\":", t.spec.to.has_value() ? Quote(Hex(*t.spec.to)) : "null",
          ",\"nonce\":", Quote(Q(t.nonce)), ",\"gasPrice\":", Quote(Q(t.spec.gas_price)),
          ",\"gas\":", Quote(Q(t.spec.gas_used + 10000)), ",\"value\":", Quote(Q(t.spec.value)),
          ",\"input\":", Quote(Hex(ByteSpan(t.spec.data.data(), t.spec.data.size()))),
          ",\"v\":", Quote(Q(t.v)), ",\"r\":", Quote(Q(t.r)), ",\"s\":", Quote(Q(t.s)),
          ",\"transactionIndex\":", Quote(Q(i)), ",\"blockNumber\":", Quote(n),
          ",\"blockHash\":", Quote(Hex(b.hash)), ",\"type\":\"0x0\"}");
    }
    {
      std::ofstream f(dir / ("eth_getBlockByNumber_" + n + ".json"));
      f << "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{" << b.header_json << ",\"transactions\":["
        << txs << "]}}\n";
      if (!f) return absl::UnavailableError("cannot write " + dir.string());
    }
    // Receipts.
    std::string receipts;
    for (size_t i = 0; i < b.txs.size(); ++i) {
      const Tx& t = b.txs[i];
      std::string logs;
      for (size_t k = 0; k < t.spec.logs.size(); ++k) {
        const LogSpec& l = t.spec.logs[k];
        std::string topics;
        for (size_t j = 0; j < l.topics.size(); ++j) {
          absl::StrAppend(&topics, j ? "," : "", Quote(Hex(l.topics[j])));
        }
        absl::StrAppend(&logs, k ? "," : "", "{\"address\":", Quote(Hex(l.address)),
                        ",\"topics\":[", topics,
                        "],\"data\":", Quote(Hex(ByteSpan(l.data.data(), l.data.size()))),
                        ",\"logIndex\":", Quote(Q(t.first_log + k)), "}");
      }
      absl::StrAppend(&receipts, i ? "," : "", "{\"transactionHash\":", Quote(Hex(t.hash)),
                      ",\"transactionIndex\":", Quote(Q(i)), ",\"blockHash\":", Quote(Hex(b.hash)),
                      ",\"blockNumber\":", Quote(n),
                      ",\"cumulativeGasUsed\":", Quote(Q(t.cumulative)),
                      ",\"gasUsed\":", Quote(Q(t.spec.gas_used)),
                      ",\"effectiveGasPrice\":", Quote(Q(t.spec.gas_price)),
                      ",\"status\":", t.spec.failed ? "\"0x0\"" : "\"0x1\"",
                      ",\"logsBloom\":", Quote(Hex(ByteSpan(t.bloom.data(), 256))),
                      ",\"type\":\"0x0\"", ",\"logs\":[", logs, "]}");
    }
    {
      std::ofstream f(dir / ("eth_getBlockReceipts_" + n + ".json"));
      f << "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[" << receipts << "]}\n";
      if (!f) return absl::UnavailableError("cannot write " + dir.string());
    }
    if (!b.traces) continue;
    std::string frames;
    auto frame = [&](const std::string& type, const std::string& action,
                     const std::vector<uint32_t>& path, size_t position, bool error,
                     const std::string& result) {
      std::string p;
      for (size_t j = 0; j < path.size(); ++j) absl::StrAppend(&p, j ? "," : "", path[j]);
      absl::StrAppend(&frames, frames.empty() ? "" : ",", "{\"action\":{", action,
                      "},\"blockHash\":", Quote(Hex(b.hash)), ",\"blockNumber\":", b.number,
                      ",\"result\":{", result, "},\"subtraces\":0,\"traceAddress\":[", p,
                      "],\"transactionHash\":", Quote(Hex(b.txs[position].hash)),
                      ",\"transactionPosition\":", position, ",\"type\":", Quote(type),
                      error ? ",\"error\":\"Reverted\"" : "", "}");
    };
    for (size_t i = 0; i < b.txs.size(); ++i) {
      const Tx& t = b.txs[i];
      if (t.spec.to.has_value()) {
        frame("call",
              absl::StrCat("\"callType\":\"call\",\"from\":", Quote(Hex(t.spec.from->address)),
                           ",\"to\":", Quote(Hex(*t.spec.to)), ",\"value\":",
                           Quote(Q(t.spec.value)), ",\"gas\":\"0x0\",\"input\":\"0x\""),
              {}, i, t.spec.failed, "\"gasUsed\":\"0x0\",\"output\":\"0x\"");
      } else {
        frame("create",
              absl::StrCat("\"from\":", Quote(Hex(t.spec.from->address)), ",\"value\":",
                           Quote(Q(t.spec.value)), ",\"gas\":\"0x0\",\"init\":\"0x\""),
              {}, i, t.spec.failed,
              absl::StrCat("\"address\":", Quote(Hex(CreateAddress(t.spec.from->address, t.nonce))),
                           ",\"gasUsed\":\"0x0\",\"code\":\"0x\""));
      }
      for (const InternalCall& c : t.spec.internal) {
        if (c.create) {
          frame("create",
                absl::StrCat("\"from\":", Quote(Hex(c.from)), ",\"value\":", Quote(Q(c.value)),
                             ",\"gas\":\"0x0\",\"init\":\"0x\""),
                c.trace_address, i, c.error,
                absl::StrCat("\"address\":", Quote(Hex(c.to)),
                             ",\"gasUsed\":\"0x0\",\"code\":\"0x\""));
          continue;
        }
        frame("call",
              absl::StrCat("\"callType\":\"call\",\"from\":", Quote(Hex(c.from)),
                           ",\"to\":", Quote(Hex(c.to)), ",\"value\":", Quote(Q(c.value)),
                           ",\"gas\":\"0x0\",\"input\":\"0x\""),
              c.trace_address, i, c.error, "\"gasUsed\":\"0x0\",\"output\":\"0x\"");
      }
    }
    std::ofstream f(dir / ("trace_block_" + n + ".json"));
    f << "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":[" << frames << "]}\n";
    if (!f) return absl::UnavailableError("cannot write " + dir.string());
  }
  return absl::OkStatus();
}

absl::Status ChainWriter::WriteAll(const std::filesystem::path& dir) const {
  return Write(dir, first(), last());
}

}  // namespace ariadne::evm::testing
