// The JSON form of every unary reply of the API: what `ariadne <command> --json` prints and what
// the HTTP API (engine/http) answers, byte for byte, because both call these functions. A reply
// whose fields differ by chain model says which it is in (its `model` field); each function
// chooses by it, never by which fields happen to be set.
#ifndef ARIADNE_ENGINE_RENDER_REPLY_JSON_H_
#define ARIADNE_ENGINE_RENDER_REPLY_JSON_H_

#include <string>

#include "engine/render/json_writer.h"
#include "proto/ariadne.pb.h"

namespace ariadne::render {

// Each returns one JSON document (no trailing newline).
std::string StatusJson(const v1::ChainStatus& r);
std::string AddressJson(const v1::AddressSummary& r);
std::string TxJson(const v1::Transaction& r);
std::string ClusterJson(const v1::ClusterSummary& r);
// An array of the links that join the two addresses, from the first to the second.
std::string WhyJson(const v1::ExplainReply& r);
std::string PathsJson(const v1::PathsRequest& req, const v1::PathsReply& r);
std::string ExposureJson(const v1::ExposureReply& r);
// Appends one history entry as a JSON object (no newline).
void AppendHistoryEntryJson(const v1::HistoryEntry& e, std::string* out);

// Pieces the renderings share.
// Writes "labels": [...]; each with its address when `with_address`.
void LabelsJson(const google::protobuf::RepeatedPtrField<v1::Label>& labels, bool with_address,
                JsonWriter* w);
// Writes one per-asset amount as an object (only the fields that are set, asset and standard
// always).
void AssetAmountJson(const v1::AssetAmount& a, JsonWriter* w);

}  // namespace ariadne::render

#endif  // ARIADNE_ENGINE_RENDER_REPLY_JSON_H_
