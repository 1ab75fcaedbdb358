// Keccak-256 over EVM encodings (event topics, selectors, trie constants), RLP (ethereum/tests
// RLPTests plus hostile inputs) and Merkle Patricia Trie roots (ethereum/tests TrieTests).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include "engine/core/eip55.h"
#include "engine/core/hex.h"
#include "engine/core/keccak.h"
#include "engine/core/u256.h"
#include "indexer/evm/block_builder.h"
#include "indexer/evm/rlp.h"
#include "indexer/evm/transaction.h"
#include "indexer/evm/trie.h"
#include "tests/testutil.h"

namespace ariadne::evm {
namespace {

using ::ariadne::testing::TestData;

ByteSpan Str(std::string_view s) {
  return ByteSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}
std::vector<uint8_t> Hex(std::string_view h) { return HexDecode(h).value(); }

// ---- Keccak-256 over the EVM encodings ----

TEST(Keccak, EventTopicsSelectorsAndConstants) {
  REQUIRE_TESTDATA();
  simdjson::dom::parser parser;
  auto doc = parser.load(TestData("keccak-vectors/event_topics.json").string()).value();
  int n = 0;
  for (auto [sig, hash] : doc["signatures"].get_object()) {
    EXPECT_EQ(HashHex(Keccak256(Str(sig))), hash.get_string().value()) << sig;
    ++n;
  }
  std::printf("event_topics.json: %d signatures\n", n);
  EXPECT_EQ(n, 11);
  EXPECT_EQ(HashHex(Keccak256(ByteSpan())), doc["keccak256_empty"].get_string().value());
  const uint8_t empty_list = 0xc0;
  EXPECT_EQ(HashHex(Keccak256(ByteSpan(&empty_list, 1))),
            doc["keccak256_rlp_empty_list_0xc0"].get_string().value());
  EXPECT_EQ(HashHex(EmptyTrieRoot()), doc["empty_trie_root"].get_string().value());
  EXPECT_EQ(HashHex(TransferTopic()),
            doc["signatures"]["Transfer(address,address,uint256)"].get_string().value());
}

// ---- RLP ----

// Encodes an ethereum/tests RLP "in" value (string, "#bigint", integer, or nested list).
void EncodeTestValue(simdjson::dom::element v, RlpWriter& w) {
  if (v.is_array()) {
    const size_t l = w.BeginList();
    for (auto e : v.get_array()) EncodeTestValue(e, w);
    w.EndList(l);
  } else if (v.is_string()) {
    std::string_view s = v.get_string().value();
    if (!s.empty() && s[0] == '#') {
      // Arbitrary-precision decimal to minimal big-endian bytes (the vectors go past 2^256).
      std::vector<uint8_t> be;
      for (char c : s.substr(1)) {
        unsigned carry = static_cast<unsigned>(c - '0');
        for (auto it = be.rbegin(); it != be.rend(); ++it) {
          const unsigned x = *it * 10u + carry;
          *it = static_cast<uint8_t>(x & 0xff);
          carry = x >> 8;
        }
        while (carry != 0) {
          be.insert(be.begin(), static_cast<uint8_t>(carry & 0xff));
          carry >>= 8;
        }
      }
      w.Bytes(be);
    } else {
      w.Bytes(Str(s));
    }
  } else {
    w.U64(v.get_uint64().value());
  }
}

TEST(Rlp, EncodingVectorsRoundTrip) {
  REQUIRE_TESTDATA();
  simdjson::dom::parser parser;
  auto doc = parser.load(TestData("ethereum-tests/RLPTests/rlptest.json").string()).value();
  int n = 0;
  for (auto [name, t] : doc.get_object()) {
    std::vector<uint8_t> out;
    RlpWriter w(&out);
    EncodeTestValue(t["in"], w);
    std::string expect(t["out"].get_string().value());
    if (expect.rfind("0x", 0) == 0) expect = expect.substr(2);
    for (auto& c : expect) c = static_cast<char>(std::tolower(c));
    EXPECT_EQ(HexEncode(out), expect) << name;
    EXPECT_THAT(ValidateRlp(out, name), IsOk()) << name;
    ++n;
  }
  std::printf("rlptest.json: %d vectors encoded and decoded\n", n);
  EXPECT_EQ(n, 28);
}

TEST(Rlp, InvalidVectorsAreRejected) {
  REQUIRE_TESTDATA();
  simdjson::dom::parser parser;
  auto doc = parser.load(TestData("ethereum-tests/RLPTests/invalidRLPTest.json").string()).value();
  int n = 0;
  for (auto [name, t] : doc.get_object()) {
    auto bytes = HexDecode(t["out"].get_string().value());
    ASSERT_THAT(bytes, IsOk()) << name;
    EXPECT_THAT(ValidateRlp(*bytes, name), StatusIs(absl::StatusCode::kDataLoss)) << name;
    ++n;
  }
  std::printf("invalidRLPTest.json: %d vectors rejected\n", n);
  EXPECT_EQ(n, 26);
}

TEST(Rlp, HostileInputsNameTheProblemAndOffset) {
  // A long string whose 8-byte length claims 2^64-1 bytes: rejected before any use of the length.
  EXPECT_THAT(ValidateRlp(Hex("bfffffffffffffffff00"), "t"),
              StatusIsWithMessage(absl::StatusCode::kDataLoss,
                                  "RLP item longer than its enclosing data at offset 0"));
  // Non-canonical long length (55 bytes in long form).
  std::vector<uint8_t> v = {0xb8, 0x37};
  v.resize(2 + 55, 'a');
  EXPECT_THAT(ValidateRlp(v, "t"),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "long form below 56"));
  // A list whose inner item overruns the list (not the buffer).
  EXPECT_THAT(ValidateRlp(Hex("c283010203"), "t"),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "at offset 1"));
  // Truncated, trailing bytes, too deep.
  EXPECT_THAT(ValidateRlp(Hex("83aabb"), "t"), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(ValidateRlp(Hex("8000"), "t"),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "trailing bytes"));
  std::vector<uint8_t> deep;
  {
    RlpWriter w(&deep);
    std::vector<size_t> marks;
    for (int i = 0; i < 100; ++i) marks.push_back(w.BeginList());
    for (int i = 99; i >= 0; --i) w.EndList(marks[i]);
  }
  EXPECT_THAT(ValidateRlp(deep, "t"),
              StatusIsWithMessage(absl::StatusCode::kDataLoss, "nesting deeper than the limit"));
  // Integers: leading zeros and width.
  RlpError err;
  auto lz = Hex("820001");
  RlpReader r(lz, 0, &err);
  r.U64("nonce");
  EXPECT_THAT(err.ToStatus("tx"), StatusIsWithMessage(absl::StatusCode::kDataLoss,
                                                      "tx: nonce: integer with leading zero"));
}

// ---- Merkle Patricia Trie ----

// Runs a TrieTests file: "in" is a list of [key, value] (or a map), keys/values hex ("0x…") or
// text; null values delete.
void RunTrieFile(const std::string& file, bool secure, int* count) {
  simdjson::dom::parser parser;
  auto doc = parser.load(TestData("ethereum-tests/TrieTests/" + file).string()).value();
  for (auto [name, t] : doc.get_object()) {
    std::vector<std::pair<std::vector<uint8_t>, std::vector<uint8_t>>> kv;
    auto bytes_of = [](std::string_view s) {
      if (s.rfind("0x", 0) == 0) return HexDecode(s).value();
      return std::vector<uint8_t>(s.begin(), s.end());
    };
    auto add = [&](std::string_view k, simdjson::dom::element v) {
      std::vector<uint8_t> key = bytes_of(k);
      if (secure) {
        H256 h = Keccak256(key);
        key.assign(h.data(), h.data() + 32);
      }
      std::vector<uint8_t> value;
      if (!v.is_null()) value = bytes_of(v.get_string().value());
      kv.emplace_back(std::move(key), std::move(value));
    };
    auto in = t["in"];
    if (in.is_array()) {
      for (auto pair : in.get_array()) add(pair.at(0).get_string().value(), pair.at(1).value());
    } else {
      for (auto [k, v] : in.get_object()) add(k, v);
    }
    std::vector<std::pair<ByteSpan, ByteSpan>> entries;
    for (const auto& [k, v] : kv) entries.emplace_back(k, v);
    EXPECT_EQ(HashHex(TrieRoot(entries)), t["root"].get_string().value()) << file << " " << name;
    ++*count;
  }
}

TEST(Trie, RootsOfEthereumTrieTests) {
  REQUIRE_TESTDATA();
  int n = 0;
  RunTrieFile("trietest.json", false, &n);
  RunTrieFile("trieanyorder.json", false, &n);
  RunTrieFile("trietest_secureTrie.json", true, &n);
  RunTrieFile("trieanyorder_secureTrie.json", true, &n);
  std::printf("TrieTests: %d roots\n", n);
  EXPECT_GT(n, 20);
}

TEST(Transaction, CreateAddressOfKnownContracts) {
  // The first contract of 0x6ac7ea33f8831ea9dcc53393aaa88b25a785dbf0 (nonce 0 and 1), widely used
  // as the CREATE example.
  auto sender = *ParseAddress("0x6ac7ea33f8831ea9dcc53393aaa88b25a785dbf0");
  EXPECT_EQ(ToLowerHexAddress(CreateAddress(sender, 0)),
            "0xcd234a471b72ba2f1ccf0a70fcaba648a5eecd8d");
  EXPECT_EQ(ToLowerHexAddress(CreateAddress(sender, 1)),
            "0x343c43a37d37dff08ae8c4a11544c718abb4fcf8");
}

}  // namespace
}  // namespace ariadne::evm
