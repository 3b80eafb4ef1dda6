#pragma once

#include "core/reply.hpp"
#include "http/service.hpp"

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

// The route table: one row per endpoint (a method and a path), in http/routes.cpp. The
// router matches and dispatches from it, the metrics' route labels and the `Allow` of a
// 405 are derived from it, and tests/http/routes_test.cpp checks it against
// http/openapi.json. A new endpoint is one row there and one handler beside it.
namespace eventsubd::http {

using request = boost::beast::http::request<boost::beast::http::string_body>;

/// Who may call an endpoint.
enum class access : std::uint8_t {
  open,         // anyone, whatever REQUIRE_API_KEY says
  api_key,      // the API key, when REQUIRE_API_KEY is on
  read,         // as api_key, unless PUBLIC_READS opens it (a GET of the API's data)
  metrics_key,  // as api_key, unless METRICS_PUBLIC opens it
};

/// A routed request as its handler sees it: authorized, with its path matched. The
/// handler answers exactly once, through `reply` (itself, or by handing it to one
/// `service` call) or through `fail`.
struct route_call {
  service& svc;
  request& req;
  std::string_view path;   // the target without its query
  std::string_view query;  // after the '?', still percent-encoded
  std::string_view param;  // the path's `{...}` segment, still percent-encoded
  reply_once reply;
  /// Starts watching for the client going away (sets `reply`'s abandoned flag). Only
  /// handlers whose answer may wait on Twitch call it: the watch costs the connection a
  /// reactor registration and a syscall, which a webhook or a local read need not pay.
  const std::function<void()>& watch_client;

  /// Answers an error with its detail; a refusal is logged at debug with its reason.
  void fail(errc code, std::string detail);
  /// `param` percent-decoded and normalized as a Twitch login; else answers 400 and
  /// gives nothing.
  std::optional<std::string> login();
};

using handler = void (*)(route_call&);

/// One endpoint. The rows of one path are adjacent, so a path's methods are found
/// together (for 405's `Allow`, in table order). The fields are in the order a row reads,
/// not the most compact one: the table is a few hundred bytes.
struct endpoint {  // NOLINT(clang-analyzer-optin.performance.Padding)
  boost::beast::http::verb method;
  /// Literal text with at most one `{name}`, which matches one non-empty segment:
  /// "/streamers/{username}/status".
  std::string_view path;
  access who;
  handler handle;
  /// Its metrics' route label; empty: the path.
  std::string_view label = {};
  /// An operation of http/openapi.json (the Swagger UI's assets are not).
  bool documented = true;
  /// When set, the path matches only where this holds (checked on a path's first row):
  /// for files that only some builds have, such as the Swagger UI's assets.
  bool (*exists)(std::string_view path) = nullptr;
};

/// Every endpoint, in match order.
std::span<const endpoint> route_table();

/// The metrics' route labels, index by index: each row's label once, in table order,
/// then "unmatched" (for requests no path matches).
std::span<const std::string_view> route_labels();

/// Where a request goes.
struct route_match {
  const endpoint* row = nullptr;   // the endpoint for the method and path, if any
  const endpoint* path = nullptr;  // the path's first row, if the path is known
  std::string_view param;          // the `{...}` segment's text
  std::size_t label = 0;           // index in route_labels()
};

route_match match_route(boost::beast::http::verb method, std::string_view path);

/// The methods of the path of `row` (a row of route_table()), for a 405's `Allow`:
/// "POST, DELETE".
std::string_view allowed_methods(const endpoint& row);

}  // namespace eventsubd::http
