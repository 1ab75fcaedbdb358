// The document walker of the EVM JSON readers (json_rpc.cc, json_traces.cc): typed field reads
// that record the first error with the context it happened in. Internal to indexer/evm.
#ifndef ARIADNE_INDEXER_EVM_JSON_WALK_H_
#define ARIADNE_INDEXER_EVM_JSON_WALK_H_

#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "engine/core/eip55.h"
#include "engine/core/hex.h"
#include "engine/core/strings.h"
#include "indexer/evm/evm_block.h"

namespace ariadne::evm::json_detail {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// Nesting allowed in a document: a geth call tree of the EVM's 1024 call depth nests two JSON
// levels per call.
constexpr size_t kMaxJsonDepth = 4096;
constexpr uint32_t kMaxCallDepth = 1100;

// Collects the first error of a document walk, with the context it happened in, so that the
// field readers below stay one line each at the call sites.
class Walk {
 public:
  explicit Walk(std::string context) : context_(std::move(context)) {}
  bool ok() const { return status_.ok(); }
  const absl::Status& status() const { return status_; }
  void set_context(std::string c) { context_ = std::move(c); }
  const std::string& context() const { return context_; }

  void Fail(std::string_view what) {
    if (status_.ok()) status_ = absl::DataLossError(absl::StrCat(context_, ": ", AV(what)));
  }
  void FailField(const char* key, std::string_view what) {
    if (status_.ok()) {
      status_ = absl::DataLossError(absl::StrCat(context_, ": field \"", key, "\": ", AV(what)));
    }
  }

  // Returns: true with *out when obj[key] is present and not null.
  bool Find(element obj, const char* key, element* out) {
    if (obj.at_key(key).get(*out) != simdjson::SUCCESS) return false;
    return !out->is_null();
  }
  bool Has(element obj, const char* key) {
    element e;
    return Find(obj, key, &e);
  }

  // obj[key] read by `of` (one of the ...Of readers below): nullopt when absent or null.
  template <typename T>
  std::optional<T> Optional(element obj, const char* key, T (Walk::*of)(element, const char*)) {
    element e;
    if (!Find(obj, key, &e)) return std::nullopt;
    return (this->*of)(e, key);
  }
  // obj[key] read by `of`; absent or null is an error (and T()).
  template <typename T>
  T Required(element obj, const char* key, T (Walk::*of)(element, const char*)) {
    element e;
    if (!Find(obj, key, &e)) {
      FailField(key, "missing");
      return T();
    }
    return (this->*of)(e, key);
  }
  // A string element read by `parse`; not a string is the error `not_string`, a parse failure
  // its message (and T() either way).
  template <typename T>
  T ParsedString(element e, const char* key, std::string_view not_string,
                 absl::StatusOr<T> (*parse)(std::string_view)) {
    std::string_view s;
    if (e.get_string().get(s) != simdjson::SUCCESS) {
      FailField(key, not_string);
      return T();
    }
    auto v = parse(s);
    if (!v.ok()) {
      FailField(key, SV(v.status().message()));
      return T();
    }
    return *std::move(v);
  }
  std::string_view Str(element obj, const char* key) {
    element e;
    if (!Find(obj, key, &e)) {
      FailField(key, "missing");
      return {};
    }
    std::string_view s;
    if (e.get_string().get(s) != simdjson::SUCCESS) FailField(key, "not a string");
    return s;
  }
  std::optional<U256> OptQuantity(element obj, const char* key) {
    return Optional(obj, key, &Walk::QuantityOf);
  }
  U256 Quantity(element obj, const char* key) { return Required(obj, key, &Walk::QuantityOf); }
  U256 QuantityOf(element e, const char* key) {
    uint64_t n;
    if (e.get_uint64().get(n) == simdjson::SUCCESS) return U256(n);
    std::string_view s;
    if (e.get_string().get(s) != simdjson::SUCCESS) {
      FailField(key, "not a quantity (hex string or unsigned integer)");
      return U256();
    }
    if (s.size() < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) {
      FailField(key, absl::StrCat("not a 0x-prefixed hex quantity: \"", AV(s.substr(0, 80)), "\""));
      return U256();
    }
    auto v = U256::FromHex(s);
    if (!v.ok()) {
      FailField(key, SV(v.status().message()));
      return U256();
    }
    return *v;
  }
  uint64_t Q64(element obj, const char* key) {
    const U256 v = Quantity(obj, key);
    if (!v.FitsU64()) FailField(key, "larger than 64 bits");
    return v.low64();
  }
  std::optional<uint64_t> OptQ64(element obj, const char* key) {
    auto v = OptQuantity(obj, key);
    if (!v.has_value()) return std::nullopt;
    if (!v->FitsU64()) FailField(key, "larger than 64 bits");
    return v->low64();
  }
  // Returns: the bytes of a "0x…" data field (missing: empty and an error when required).
  std::vector<uint8_t> Data(element obj, const char* key, bool required = true) {
    element e;
    if (!Find(obj, key, &e)) {
      if (required) FailField(key, "missing");
      return {};
    }
    return DataOf(e, key);
  }
  std::vector<uint8_t> DataOf(element e, const char* key) {
    std::string_view s;
    if (e.get_string().get(s) != simdjson::SUCCESS) {
      FailField(key, "not a hex string");
      return {};
    }
    auto b = HexDecode(s);
    if (!b.ok()) {
      FailField(key, SV(b.status().message()));
      return {};
    }
    return std::move(*b);
  }
  std::optional<Address> OptAddr(element obj, const char* key) {
    return Optional(obj, key, &Walk::AddrOf);
  }
  Address Addr(element obj, const char* key) { return Required(obj, key, &Walk::AddrOf); }
  Address AddrOf(element e, const char* key) {
    return ParsedString(e, key, "not an address string", &ParseAddress);
  }
  std::optional<H256> OptHash(element obj, const char* key) {
    return Optional(obj, key, &Walk::HashOf);
  }
  H256 Hash(element obj, const char* key) { return Required(obj, key, &Walk::HashOf); }
  H256 HashOf(element e, const char* key) {
    return ParsedString(e, key, "not a hash string", &ParseH256);
  }
  // Returns: the elements of the array obj[key] (empty when absent and not required).
  std::vector<element> Array(element obj, const char* key, bool required = true) {
    std::vector<element> out;
    element e;
    if (!Find(obj, key, &e)) {
      if (required) FailField(key, "missing");
      return out;
    }
    array a;
    if (e.get_array().get(a) != simdjson::SUCCESS) {
      FailField(key, "not an array");
      return out;
    }
    out.reserve(a.size());
    for (element x : a) out.push_back(x);
    return out;
  }

 private:
  std::string context_;
  absl::Status status_;
};

}  // namespace ariadne::evm::json_detail

#endif  // ARIADNE_INDEXER_EVM_JSON_WALK_H_
