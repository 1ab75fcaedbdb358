#include "gen/genesis.h"

#include <string_view>

#include "engine/core/byte_writer.h"
#include "engine/core/hash.h"
#include "engine/core/hex.h"

namespace ariadne::gen {
namespace {

struct GenesisParams {
  std::string_view message;     // the coinbase's timestamp text
  std::string_view script_hex;  // the coinbase output script
  uint32_t time;
  uint32_t nonce;
  uint32_t bits;
};

constexpr std::string_view kMainMessage =
    "The Times 03/Jan/2009 Chancellor on brink of second bailout for banks";
constexpr std::string_view kMainScript =
    "4104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51e"
    "c112de5c384df7ba0b8d578a4c702b6bf11d5fac";
constexpr std::string_view kTestnet4Message =
    "03/May/2024 000000000000000000001ebd58c244970b3aa9d783bb001011fbe8ea8e98e00e";
constexpr std::string_view kTestnet4Script =
    "21000000000000000000000000000000000000000000000000000000000000000000ac";

GenesisParams ParamsOf(Network network) {
  switch (network) {
    case Network::kMainnet:
      return {kMainMessage, kMainScript, 1231006505, 2083236893, 0x1d00ffff};
    case Network::kTestnet:
      return {kMainMessage, kMainScript, 1296688602, 414098458, 0x1d00ffff};
    case Network::kTestnet4:
      return {kTestnet4Message, kTestnet4Script, 1714777860, 393743547, 0x1d00ffff};
    case Network::kSignet:
      return {kMainMessage, kMainScript, 1598918400, 52613770, 0x1e0377ae};
    case Network::kRegtest:
      break;
  }
  return {kMainMessage, kMainScript, 1296688602, 2, 0x207fffff};
}

}  // namespace

std::vector<uint8_t> GenesisBlock(Network network) {
  const GenesisParams p = ParamsOf(network);
  // The coinbase: scriptSig = <486604799> <4> <message>, as CreateGenesisBlock pushes them.
  std::vector<uint8_t> tx;
  ByteWriter t(&tx);
  t.I32LE(1);
  t.CompactSize(1);
  t.Bytes(Uint256().span());
  t.U32LE(0xffffffff);
  std::vector<uint8_t> script_sig = {0x04, 0xff, 0xff, 0x00, 0x1d, 0x01, 0x04};
  if (p.message.size() > 75) script_sig.push_back(0x4c);
  script_sig.push_back(static_cast<uint8_t>(p.message.size()));
  script_sig.insert(script_sig.end(), p.message.begin(), p.message.end());
  t.VarBytes(script_sig);
  t.U32LE(0xffffffff);
  t.CompactSize(1);
  t.I64LE(50 * 100'000'000LL);
  const std::vector<uint8_t> script = *HexDecode(p.script_hex);
  t.VarBytes(script);
  t.U32LE(0);

  const Uint256 txid = Sha256d(tx);  // one transaction: the merkle root is its txid
  std::vector<uint8_t> block;
  ByteWriter b(&block);
  b.I32LE(1);
  b.Bytes(Uint256().span());
  b.Bytes(txid.span());
  b.U32LE(p.time);
  b.U32LE(p.bits);
  b.U32LE(p.nonce);
  b.CompactSize(1);
  b.Bytes(tx);
  return block;
}

uint32_t GenesisTime(Network network) { return ParamsOf(network).time; }

uint32_t PowLimitBits(Network network) { return ParamsOf(network).bits; }

}  // namespace ariadne::gen
