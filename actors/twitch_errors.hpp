#pragma once

#include "core/reply.hpp"
#include "core/result.hpp"

#include <caf/error.hpp>

namespace eventsubd {

/// An error_info as a CAF error (category `eventsubd`, code = errc; the context carries
/// the detail and the Retry-After seconds), so it crosses actor boundaries intact.
caf::error to_caf_error(const error_info& e);

/// `to_caf_error(fail(code, detail, retry_after))`.
caf::error make_caf_error(errc code, std::string detail,
                          std::chrono::seconds retry_after = std::chrono::seconds(0));

/// Back to an HTTP-ready result; CAF's own errors (a request timeout, a dead actor) map
/// to 504/503.
query_result to_query_result(const caf::error& e);

}  // namespace eventsubd
