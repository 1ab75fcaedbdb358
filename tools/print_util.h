// Pieces the printers share: JSON of labels and of per-asset amounts, and small text helpers.
#ifndef ARIADNE_TOOLS_PRINT_UTIL_H_
#define ARIADNE_TOOLS_PRINT_UTIL_H_

#include <string>

#include "proto/ariadne.pb.h"
#include "tools/json_writer.h"

namespace ariadne::cli {

// Writes "labels": [...]; each with its address when `with_address`.
void LabelsJson(const google::protobuf::RepeatedPtrField<v1::Label>& labels, bool with_address,
                JsonWriter* w);
// Writes one per-asset amount as an object (only the fields that are set, asset and standard
// always).
void AssetAmountJson(const v1::AssetAmount& a, JsonWriter* w);
// Returns: "-" for an empty string.
inline std::string OrDash(const std::string& s) { return s.empty() ? "-" : s; }
// Returns: true when reply `r` is of an account-model chain.
template <typename Reply>
bool IsAccount(const Reply& r) {
  return r.model() == v1::ACCOUNT;
}

}  // namespace ariadne::cli

#endif  // ARIADNE_TOOLS_PRINT_UTIL_H_
