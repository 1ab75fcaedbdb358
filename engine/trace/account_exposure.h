// Exposure of an account (or a cluster of accounts) to labelled entities, per asset: how much it
// received from and sent to each labelled entity and category, directly (the counterparty is
// labelled) and indirectly (within N hops, by the taint model, account_trace.h).
//
//   received  transfers from outside the subject: from a labelled account is direct; otherwise a
//             backward trace from them stops at labelled accounts (indirect, hops 2..N)
//   sent      transfers to outside the subject: to a labelled account is direct; otherwise a
//             forward trace from their recipients stops at labelled accounts (indirect)
#ifndef ARIADNE_ENGINE_TRACE_ACCOUNT_EXPOSURE_H_
#define ARIADNE_ENGINE_TRACE_ACCOUNT_EXPOSURE_H_

#include <span>

#include "engine/graph/account_graph.h"
#include "engine/trace/exposure_result.h"

namespace ariadne::trace {

using AccountExposure = ExposureResult<evm::U256>;

// Args: members: the subject's accounts (sorted).
AccountExposure ComputeAccountExposure(const graph::AccountGraph& graph,
                                       std::span<const uint32_t> members,
                                       const ExposureOptions& options);

}  // namespace ariadne::trace

#endif  // ARIADNE_ENGINE_TRACE_ACCOUNT_EXPOSURE_H_
