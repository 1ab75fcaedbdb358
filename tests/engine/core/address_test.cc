#include "engine/core/address.h"

#include <simdjson.h>

#include <algorithm>
#include <string>
#include <vector>

#include "engine/core/hex.h"
#include "engine/core/script.h"
#include "tests/testutil.h"

namespace ariadne {
namespace {

using ::ariadne::testing::ReadFileText;
using ::ariadne::testing::TestData;

constexpr Network kAllNetworks[] = {Network::kMainnet, Network::kTestnet, Network::kTestnet4,
                                    Network::kSignet, Network::kRegtest};

constexpr char kGenesisScript[] =
    "4104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51"
    "ec112de5c384df7ba0b8d578a4c702b6bf11d5fac";

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return out;
}
std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  return out;
}

std::string_view NetworkName(Network n) { return Params(n).name; }

TEST(AddressTest, CoreKeyIoValidAddressesRoundTrip) {
  REQUIRE_TESTDATA();
  const std::string text =
      ReadFileText(TestData("bitcoin-core-testdata/src/test/data/key_io_valid.json"));
  simdjson::dom::parser parser;
  simdjson::dom::array entries = parser.parse(text).get_array();
  size_t checked = 0;
  size_t private_keys = 0;
  size_t case_flipped = 0;
  for (simdjson::dom::element entry : entries) {
    simdjson::dom::array e = entry.get_array();
    const std::string_view addr = e.at(0).get_string();
    const std::string_view script_hex = e.at(1).get_string();
    simdjson::dom::object meta = e.at(2).get_object();
    if (bool(meta["isPrivkey"].get_bool())) {
      ++private_keys;  // we decode addresses, never keys
      continue;
    }
    const std::string_view chain = meta["chain"].get_string();
    absl::StatusOr<Network> network = ParseNetwork(chain);
    ASSERT_THAT(network, IsOk()) << chain;

    absl::StatusOr<AddressKey> key = DecodeAddress(addr, *network);
    ASSERT_THAT(key, IsOk()) << addr << " on " << chain;
    EXPECT_EQ(HexEncode(ScriptForAddressKey(*key)), script_hex) << addr;
    const std::vector<uint8_t> script = HexDecode(script_hex).value();
    EXPECT_NE(ClassifyScript(script), ScriptType::kNonstandard) << addr;
    EXPECT_EQ(ScriptAddressKey(script), *key) << addr;
    bool try_case_flip = false;  // set on bech32 addresses, which are case-insensitive
    if (simdjson::dom::element flip; meta["tryCaseFlip"].get(flip) == simdjson::SUCCESS) {
      try_case_flip = flip.get_bool();
    }
    EXPECT_EQ(EncodeAddress(*key, *network), try_case_flip ? Lower(addr) : std::string(addr));

    if (try_case_flip) {
      // Bech32 strings decode in either case, but not in mixed case.
      absl::StatusOr<AddressKey> upper = DecodeAddress(Upper(addr), *network);
      ASSERT_THAT(upper, IsOk()) << Upper(addr);
      EXPECT_EQ(*upper, *key);
      std::string mixed(addr);
      mixed.back() = Upper(std::string_view(&mixed.back(), 1))[0];
      if (mixed != addr) {
        EXPECT_THAT(DecodeAddress(mixed, *network), StatusIs(absl::StatusCode::kInvalidArgument))
            << mixed;
      }
      ++case_flipped;
    }
    // Mainnet and test-network addresses never decode on the other side.
    const Network other = *network == Network::kMainnet ? Network::kTestnet : Network::kMainnet;
    EXPECT_THAT(DecodeAddress(addr, other), StatusIs(absl::StatusCode::kInvalidArgument))
        << addr << " on " << NetworkName(other);
    ++checked;
  }
  EXPECT_EQ(checked + private_keys, entries.size());
  EXPECT_EQ(checked, 54u);
  EXPECT_EQ(private_keys, 16u);
  EXPECT_EQ(case_flipped, 32u);
}

TEST(AddressTest, CoreKeyIoInvalidStringsDecodeOnNoNetwork) {
  REQUIRE_TESTDATA();
  const std::string text =
      ReadFileText(TestData("bitcoin-core-testdata/src/test/data/key_io_invalid.json"));
  simdjson::dom::parser parser;
  simdjson::dom::array entries = parser.parse(text).get_array();
  size_t checked = 0;
  for (simdjson::dom::element entry : entries) {
    const std::string_view str = entry.get_array().at(0).get_string();
    for (Network n : kAllNetworks) {
      EXPECT_THAT(DecodeAddress(str, n), StatusIs(absl::StatusCode::kInvalidArgument))
          << "'" << str << "' on " << NetworkName(n);
    }
    ++checked;
  }
  EXPECT_EQ(checked, entries.size());
  EXPECT_EQ(checked, 70u);
}

TEST(AddressTest, Bip173Bip350AddressesDecodeOnTheirNetwork) {
  REQUIRE_TESTDATA();
  const std::string text =
      ReadFileText(TestData("bech32-vectors/bech32_bip173_bip350_vectors.json"));
  simdjson::dom::parser parser;
  simdjson::dom::object root = parser.parse(text).get_object();
  size_t valid = 0;
  for (simdjson::dom::element e : root["VALID_ADDRESS"].get_array()) {
    simdjson::dom::array pair = e.get_array();
    const std::string_view addr = pair.at(0).get_string();
    const std::string_view script_hex = pair.at(1).get_string();
    const Network network =
        Lower(addr.substr(0, 2)) == "bc" ? Network::kMainnet : Network::kTestnet;
    absl::StatusOr<AddressKey> key = DecodeAddress(addr, network);
    ASSERT_THAT(key, IsOk()) << addr;
    EXPECT_EQ(HexEncode(ScriptForAddressKey(*key)), script_hex) << addr;
    EXPECT_EQ(ScriptAddressKey(HexDecode(script_hex).value()), *key) << addr;
    EXPECT_EQ(EncodeAddress(*key, network), Lower(addr));
    ++valid;
  }
  EXPECT_EQ(valid, 8u);
  size_t invalid = 0;
  for (simdjson::dom::element e : root["INVALID_ADDRESS"].get_array()) {
    const std::string_view addr = e.get_string();
    for (Network n : kAllNetworks) {
      EXPECT_THAT(DecodeAddress(addr, n), StatusIs(absl::StatusCode::kInvalidArgument))
          << addr << " on " << NetworkName(n);
    }
    ++invalid;
  }
  EXPECT_EQ(invalid, 15u);
}

TEST(AddressTest, GenesisOutputIsP2pkShownAsItsP2pkhAddress) {
  const std::vector<uint8_t> script = HexDecode(kGenesisScript).value();
  EXPECT_EQ(ClassifyScript(script), ScriptType::kP2pk);
  const AddressKey key = ScriptAddressKey(script);
  EXPECT_EQ(key.kind, AddrKind::kKeyHash);
  EXPECT_EQ(EncodeAddress(key, Network::kMainnet), "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa");
  EXPECT_EQ(EncodeAddress(key, Network::kTestnet), "mpXwg4jMtRhuSpVq4xS3HFHmCmWp9NyGKt");
  absl::StatusOr<AddressKey> decoded =
      DecodeAddress("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", Network::kMainnet);
  ASSERT_THAT(decoded, IsOk());
  EXPECT_EQ(*decoded, key);
}

TEST(AddressTest, PseudoAddressesRoundTripOnEveryNetwork) {
  const std::vector<uint8_t> multisig =
      HexDecode("512102aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa51ae")
          .value();
  const std::vector<uint8_t> odd = HexDecode("7676").value();
  ASSERT_EQ(ClassifyScript(multisig), ScriptType::kMultisig);
  ASSERT_EQ(ClassifyScript(odd), ScriptType::kNonstandard);
  const AddressKey mk = ScriptAddressKey(multisig);
  const AddressKey nk = ScriptAddressKey(odd);
  for (Network n : kAllNetworks) {
    const std::string ms = EncodeAddress(mk, n);
    const std::string ns = EncodeAddress(nk, n);
    EXPECT_EQ(ms.substr(0, 9), "multisig:");
    EXPECT_EQ(ms.size(), 9u + 64u);
    EXPECT_EQ(ns, "script:" + HexEncode(nk.bytes()));
    absl::StatusOr<AddressKey> md = DecodeAddress(ms, n);
    absl::StatusOr<AddressKey> nd = DecodeAddress(ns, n);
    ASSERT_THAT(md, IsOk()) << ms;
    ASSERT_THAT(nd, IsOk()) << ns;
    EXPECT_EQ(*md, mk);
    EXPECT_EQ(*nd, nk);
    // Uppercase hex names the same script.
    EXPECT_EQ(DecodeAddress("multisig:" + Upper(HexEncode(mk.bytes())), n).value(), mk);
  }
  // The hash of the nonstandard script (SHA-256 of 7676).
  EXPECT_EQ(EncodeAddress(nk, Network::kMainnet),
            "script:fc47d240fe0c59b5dd8c70cca993c54596cde2de69a05f81e3828fdc6d1a4cef");
}

TEST(AddressTest, MalformedPseudoAddressesAreInvalidArgument) {
  const std::string hex64(64, 'a');
  EXPECT_THAT(DecodeAddress("multisig:" + hex64.substr(1), Network::kMainnet),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "64 hex"));
  EXPECT_THAT(DecodeAddress("script:" + hex64 + "a", Network::kMainnet),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "64 hex"));
  EXPECT_THAT(DecodeAddress("script:" + hex64.substr(1) + "g", Network::kMainnet),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "malformed hash"));
  EXPECT_THAT(DecodeAddress("script:0x" + hex64.substr(2), Network::kMainnet),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(DecodeAddress("multisig:", Network::kMainnet),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(DecodeAddress("Multisig:" + hex64, Network::kMainnet),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(AddressTest, MalformedAddressesAreInvalidArgumentWithTheReason) {
  const Network main = Network::kMainnet;
  EXPECT_THAT(DecodeAddress("", main),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "empty"));
  // Whitespace is not trimmed: one address, one spelling.
  EXPECT_THAT(DecodeAddress(" 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", main),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "position 0"));
  EXPECT_THAT(DecodeAddress("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa\n", main),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "position 34"));
  // Bad checksum.
  EXPECT_THAT(DecodeAddress("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", main),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "checksum"));
  // A character outside the Base58 alphabet.
  EXPECT_THAT(DecodeAddress("1A1zP1eP5QGefi2DMPTfTL5SLmv7Div0Na", main),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "'0'"));
  // Another network's base58 prefix.
  EXPECT_THAT(DecodeAddress("mpXwg4jMtRhuSpVq4xS3HFHmCmWp9NyGKt", main),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "version byte 111"));
  EXPECT_THAT(DecodeAddress("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", Network::kTestnet),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "version byte 0"));
  // Wrong payload length: version 0 and 21 bytes of hash.
  EXPECT_THAT(DecodeAddress("1goNG9qzSRi5Fr4MWz8gjDCarHFQ5RdDRNL", main),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "longer than 21"));
  // A payload that is too short: Base58Check of the empty string.
  EXPECT_THAT(DecodeAddress("3QJmnh", main),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "payload of 0 bytes"));
  // Another network's hrp.
  EXPECT_THAT(DecodeAddress("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7", main),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "hrp 'tb'"));
  EXPECT_THAT(DecodeAddress("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", Network::kRegtest),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "hrp 'bc'"));
  // A segwit address of this network with a bad checksum.
  EXPECT_THAT(DecodeAddress("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", main),
              StatusIsWithMessage(absl::StatusCode::kInvalidArgument, "checksum"));
  EXPECT_THAT(DecodeAddress("bc1", main), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(AddressTest, EncodeGivesEmptyForKeysWithoutAnAddress) {
  EXPECT_EQ(EncodeAddress(AddressKey{}, Network::kMainnet), "");
  AddressKey bad;
  bad.kind = AddrKind::kKeyHash;
  bad.size = 32;
  EXPECT_EQ(EncodeAddress(bad, Network::kMainnet), "");
  bad.kind = AddrKind::kWitnessUnknown;
  bad.witness_version = 17;
  bad.size = 20;
  EXPECT_EQ(EncodeAddress(bad, Network::kMainnet), "");
}

TEST(AddressTest, EveryKindRoundTripsOnEveryNetwork) {
  std::vector<AddressKey> keys;
  const AddrKind fixed[] = {AddrKind::kKeyHash,          AddrKind::kScriptHash,
                            AddrKind::kWitnessV0KeyHash, AddrKind::kWitnessV0ScriptHash,
                            AddrKind::kTaproot,          AddrKind::kMultisig,
                            AddrKind::kNonstandard};
  for (AddrKind kind : fixed) {
    AddressKey k;
    k.kind = kind;
    k.size = kind == AddrKind::kKeyHash || kind == AddrKind::kScriptHash ||
                     kind == AddrKind::kWitnessV0KeyHash
                 ? 20
                 : 32;
    for (uint8_t i = 0; i < k.size; ++i) k.payload[i] = static_cast<uint8_t>(i * 7 + 1);
    keys.push_back(k);
  }
  AddressKey unknown;
  unknown.kind = AddrKind::kWitnessUnknown;
  unknown.witness_version = 16;
  unknown.size = 40;
  unknown.payload.fill(0xee);
  keys.push_back(unknown);
  for (Network n : kAllNetworks) {
    for (const AddressKey& k : keys) {
      const std::string addr = EncodeAddress(k, n);
      ASSERT_FALSE(addr.empty());
      absl::StatusOr<AddressKey> back = DecodeAddress(addr, n);
      ASSERT_THAT(back, IsOk()) << addr << " on " << NetworkName(n);
      EXPECT_EQ(*back, k) << addr;
    }
  }
}

}  // namespace
}  // namespace ariadne
