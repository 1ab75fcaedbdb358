// Status propagation helpers in the style of abseil's internal macros (not public in the Debian
// abseil release we build against).
#ifndef ARIADNE_ENGINE_CORE_STATUS_MACROS_H_
#define ARIADNE_ENGINE_CORE_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define ARIADNE_STATUS_CONCAT_INNER_(a, b) a##b
#define ARIADNE_STATUS_CONCAT_(a, b) ARIADNE_STATUS_CONCAT_INNER_(a, b)

// Returns from the enclosing function when `expr` (an absl::Status) is not OK.
#define RETURN_IF_ERROR(expr)                          \
  do {                                                 \
    ::absl::Status ariadne_status_ = (expr);           \
    if (!ariadne_status_.ok()) return ariadne_status_; \
  } while (0)

// `lhs = value of expr` when `expr` (an absl::StatusOr<T>) is OK; otherwise returns its status.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL_(ARIADNE_STATUS_CONCAT_(ariadne_statusor_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr)   \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return std::move(tmp).status(); \
  lhs = std::move(tmp).value()

#endif  // ARIADNE_ENGINE_CORE_STATUS_MACROS_H_
