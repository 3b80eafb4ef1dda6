#pragma once

#include "core/reply.hpp"
#include "http/shared_body.hpp"

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>

#include <string_view>

namespace eventsubd::http {

using response = boost::beast::http::response<shared_body>;

/// The one table from error codes to HTTP status codes.
boost::beast::http::status status_for(errc code);

/// A complete response for a result: its body when it has one, else `{"detail": ...}`.
/// Adds `WWW-Authenticate: Bearer` to 401s. `version`/`keep_alive` come from the request.
/// The Content-Type a body of this kind is sent with.
std::string_view content_type(body_kind kind);

response make_response(const query_result& result, unsigned version, bool keep_alive);

/// A JSON error response with a detail, e.g. for 404/405/413 decided by the HTTP layer.
response error_response(errc code, std::string_view detail, unsigned version,
                        bool keep_alive);

}  // namespace eventsubd::http
