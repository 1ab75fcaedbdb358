// Exposure of an address or a cluster to labelled entities: how much value it received from and
// sent to each labelled entity and category, directly (one hop) and indirectly (up to N hops).
//
//   received  backward trace (taint model, haircut by default) from the outputs the subject
//             received in transactions without an input of its own, stopping at labelled
//             addresses: the amount arriving at a labelled address at hop 1 came directly from
//             it, at hops 2..N indirectly.
//   sent      the outputs the subject paid to others: paid straight to a labelled address is
//             direct; otherwise a forward trace from them stops at labelled addresses (indirect).
#ifndef ARIADNE_ENGINE_TRACE_EXPOSURE_H_
#define ARIADNE_ENGINE_TRACE_EXPOSURE_H_

#include <span>

#include "engine/graph/address_index.h"
#include "engine/graph/tx_graph.h"
#include "engine/store/height_index.h"
#include "engine/trace/exposure_result.h"

namespace ariadne::trace {

using UtxoExposure = ExposureResult<int64_t>;  // one asset: AssetId 0, satoshi

// Args: members: the subject's addresses (sorted).
UtxoExposure ComputeExposure(const graph::TxGraph& graph, const graph::AddressIndex& addresses,
                             const store::HeightIndex& heights, std::span<const uint32_t> members,
                             const ExposureOptions& options);

}  // namespace ariadne::trace

#endif  // ARIADNE_ENGINE_TRACE_EXPOSURE_H_
