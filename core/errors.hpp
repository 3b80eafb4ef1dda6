#pragma once

#include <string_view>

namespace eventsubd {

/// What went wrong, independent of the transport. `http/` maps each to a status code
/// (one table: `status_for` in http/responses.cpp); every layer speaks in these:
/// `result<T>` in twitch/ and storage/, the `eventsubd` CAF error category
/// (actors/errors.hpp) in actors/.
enum class errc {
  ok = 0,
  bad_request,         // malformed input (400)
  unauthorized,        // missing/wrong API key (401)
  forbidden,           // bad webhook signature or timestamp (403)
  not_found,           // no such streamer / route (404)
  method_not_allowed,  // the path exists, not with this method (405, with `Allow`)
  conflict,            // state conflict (409)
  payload_too_large,   // body over the limit (413)
  unprocessable,       // well-formed but invalid parameter (422)
  too_many_requests,   // a client's rate limit is spent (429)
  headers_too_large,   // request headers over the limit (431)
  unavailable,         // a dependency or feature is not available (503)
  upstream_error,      // Twitch answered with an error (502)
  upstream_timeout,    // Twitch did not answer in time (504)
  internal,            // our bug (500)
};

/// Short stable name of an error code, for logs and metrics.
std::string_view to_string(errc code);

}  // namespace eventsubd
