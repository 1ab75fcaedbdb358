#include "tools/print_util.h"

namespace ariadne::cli {

void LabelsJson(const google::protobuf::RepeatedPtrField<v1::Label>& labels, bool with_address,
                JsonWriter* w) {
  w->Key("labels").BeginArray();
  for (const auto& l : labels) {
    w->BeginObject()
        .Field("label", l.label())
        .Field("category", l.category())
        .Field("source", l.source());
    if (with_address) w->Field("address", l.address());
    w->EndObject();
  }
  w->EndArray();
}

void AssetAmountJson(const v1::AssetAmount& a, JsonWriter* w) {
  w->BeginObject().Field("asset", a.asset()).Field("standard", a.standard());
  if (!a.reason().empty()) w->Field("reason", a.reason());
  if (!a.amount().empty()) w->Field("amount", a.amount());
  if (!a.received().empty()) w->Field("received", a.received());
  if (!a.sent().empty()) w->Field("sent", a.sent());
  w->EndObject();
}

}  // namespace ariadne::cli
