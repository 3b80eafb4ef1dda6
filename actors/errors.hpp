#pragma once

#include "core/reply.hpp"
#include "core/result.hpp"

#include <caf/error.hpp>
#include <caf/fwd.hpp>

#include <string>

namespace eventsubd {

// The one error category the actors use: an errc with its detail (and Retry-After), the
// same error_info the twitch/ and storage/ layers return, carried across actor
// boundaries as a caf::error of category `eventsubd`. Actors fail requests with
// make_caf_error / to_caf_error, never with CAF's own codes (`sec::runtime_error`).

/// An error_info as a CAF error (category `eventsubd`, code = errc; the context carries
/// the detail and the Retry-After seconds), so it crosses actor boundaries intact.
caf::error to_caf_error(const error_info& e);

/// `to_caf_error(fail(code, detail, retry_after))`.
caf::error make_caf_error(errc code, std::string detail,
                          std::chrono::seconds retry_after = std::chrono::seconds(0));

/// True for an error made by to_caf_error / make_caf_error.
bool is_eventsubd_error(const caf::error& e);

/// Back to an HTTP-ready result; CAF's own errors (a request timeout, a dead actor) map
/// to 504/503, the latter with the detail "internal service unavailable: <the CAF
/// error>".
query_result to_query_result(const caf::error& e);

/// Registers how `actor_system::render` writes an `eventsubd` error in logs:
/// "<errc name>: <detail>".
void add_error_renderer(caf::actor_system_config& cfg);

}  // namespace eventsubd
