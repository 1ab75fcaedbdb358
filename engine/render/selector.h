// How a question names a wallet, for the requests whose subject is an address or a cluster
// (GetClusterRequest, ExposureRequest): "cluster:ID" is the cluster, anything else an address. The
// CLI and the HTTP API read it the same way.
#ifndef ARIADNE_ENGINE_RENDER_SELECTOR_H_
#define ARIADNE_ENGINE_RENDER_SELECTOR_H_

#include <cstdint>
#include <string>

#include "absl/strings/numbers.h"

namespace ariadne::render {

template <typename Request>
void SetSelector(const std::string& arg, Request* req) {
  uint32_t id;
  if (arg.rfind("cluster:", 0) == 0 && absl::SimpleAtoi(arg.substr(8), &id)) {
    req->set_cluster_id(id);
  } else {
    req->set_address(arg);
  }
}

}  // namespace ariadne::render

#endif  // ARIADNE_ENGINE_RENDER_SELECTOR_H_
