#pragma once

#include "core/reply.hpp"
#include "core/result.hpp"

#include <caf/error.hpp>

#include <string>

namespace eventsubd {

/// A Twitch failure as a CAF error (category `eventsubd`, code = errc, context = detail
/// and retry_after in seconds).
caf::error to_caf_error(const error_info& e);

/// Back to an HTTP-ready result; CAF's own errors (a request timeout, a dead actor) map
/// to 504/503.
query_result to_query_result(const caf::error& e);

}  // namespace eventsubd
