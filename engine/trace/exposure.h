// Exposure of an address or a cluster to labelled entities: how much value it received from and
// sent to each labelled entity and category, directly (one hop) and indirectly (up to N hops).
//
//   received  backward trace (taint model, haircut by default) from the outputs the subject
//             received in transactions without an input of its own, stopping at labelled
//             addresses: the amount arriving at a labelled address at hop 1 came directly from
//             it, at hops 2..N indirectly.
//   sent      the outputs the subject paid to others: paid straight to a labelled address is
//             direct; otherwise a forward trace from them stops at labelled addresses (indirect).
// An address with several labels counts an amount once per distinct entity (label) and once per
// distinct category.
#ifndef ARIADNE_ENGINE_TRACE_EXPOSURE_H_
#define ARIADNE_ENGINE_TRACE_EXPOSURE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "engine/graph/address_index.h"
#include "engine/graph/tx_graph.h"
#include "engine/store/height_index.h"
#include "engine/store/schema.h"
#include "engine/trace/taint.h"

namespace ariadne::trace {

struct ExposureOptions {
  uint32_t hops = 3;                        // default 3
  TaintModel model = TaintModel::kHaircut;  // default haircut
  // Required: label ids of an address (empty when unlabelled).
  std::function<std::span<const uint32_t>(AddrId)> labels_of;
  // Required: the label rows.
  const std::vector<store::LabelRow>* labels = nullptr;
  std::function<bool()> cancelled;
};

struct ExposureAmounts {
  int64_t received_direct = 0;
  int64_t received_indirect = 0;
  int64_t sent_direct = 0;
  int64_t sent_indirect = 0;
};

struct ExposureResult {
  std::map<std::string, ExposureAmounts> by_category;
  std::map<std::pair<std::string, std::string>, ExposureAmounts> by_entity;  // (label, category)
  int64_t received = 0;  // total received from outside
  int64_t sent = 0;      // total paid to others
  bool truncated = false;
  bool cancelled = false;
};

// Args: members: the subject's addresses (sorted).
ExposureResult ComputeExposure(const graph::TxGraph& graph, const graph::AddressIndex& addresses,
                               const store::HeightIndex& heights, std::span<const uint32_t> members,
                               const ExposureOptions& options);

}  // namespace ariadne::trace

#endif  // ARIADNE_ENGINE_TRACE_EXPOSURE_H_
