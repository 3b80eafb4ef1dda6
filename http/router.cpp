#include "http/router.hpp"

#include "core/json_codec.hpp"
#include "core/logging.hpp"
#include "core/login.hpp"
#include "core/metrics.hpp"
#include "core/version.hpp"
#include "http/static_pages.hpp"
#include "http/url.hpp"

#include <charconv>
#include <chrono>

namespace eventsubd::http {
namespace {

namespace bh = boost::beast::http;

enum class route_id {
  root,
  health,
  streamers,
  streamer,
  streamer_status,
  live,
  events,
  webhook,
  static_page,  // /openapi.json, /docs and its assets
  metrics,
  none
};

metrics::route metrics_route(route_id id) {
  switch (id) {
    case route_id::root:
      return metrics::route::root;
    case route_id::health:
      return metrics::route::health;
    case route_id::streamers:
      return metrics::route::streamers;
    case route_id::streamer:
      return metrics::route::streamer;
    case route_id::streamer_status:
      return metrics::route::streamer_status;
    case route_id::live:
      return metrics::route::live;
    case route_id::events:
      return metrics::route::events;
    case route_id::webhook:
      return metrics::route::webhook;
    case route_id::static_page:
      return metrics::route::docs;
    case route_id::metrics:
      return metrics::route::metrics;
    case route_id::none:
      break;
  }
  return metrics::route::unmatched;
}

struct matched {
  route_id id = route_id::none;
  std::string_view login;  // raw (still percent-encoded) path segment
};

matched match(std::string_view path) {
  if (path == "/") return {route_id::root, {}};
  if (path == "/health") return {route_id::health, {}};
  if (path == "/streamers") return {route_id::streamers, {}};
  if (path == "/streams/live") return {route_id::live, {}};
  if (path == "/events") return {route_id::events, {}};
  if (path == "/webhooks/eventsub") return {route_id::webhook, {}};
  if (path == "/metrics") return {route_id::metrics, {}};
  if (find_static_page(path)) return {route_id::static_page, {}};
  constexpr std::string_view prefix = "/streamers/";
  if (path.substr(0, prefix.size()) == prefix) {
    auto rest = path.substr(prefix.size());
    auto slash = rest.find('/');
    if (slash == std::string_view::npos && !rest.empty())
      return {route_id::streamer, rest};
    if (slash != std::string_view::npos && slash > 0 && rest.substr(slash) == "/status")
      return {route_id::streamer_status, rest.substr(0, slash)};
  }
  return {};
}

/// The methods a route allows, for 405's `Allow` header.
const char* allowed(route_id id) {
  switch (id) {
    case route_id::streamer:
      return "POST, DELETE";
    case route_id::webhook:
      return "POST";
    default:
      return "GET";
  }
}

bool method_allowed(route_id id, bh::verb v) {
  switch (id) {
    case route_id::streamer:
      return v == bh::verb::post || v == bh::verb::delete_;
    case route_id::webhook:
      return v == bh::verb::post;
    default:
      return v == bh::verb::get;
  }
}

bool public_route(route_id id) {
  return id == route_id::root || id == route_id::health || id == route_id::webhook ||
         id == route_id::static_page;  // the API's description, like FastAPI's /docs
}

const body_ptr& root_body() {
  static const body_ptr b =
      make_body(std::string(R"({"message":"Twitch EventSub REST API","version":")") +
                version_string + "\"}");
  return b;
}

std::string header_value(const request& req, std::string_view name, bool& present) {
  auto it = req.find(name);
  present = it != req.end();
  return present ? std::string(it->value()) : std::string{};
}

}  // namespace

void router::route(request&& req, respond_fn respond, connection_hop hop,
                   abandoned_flag gone) {
  const auto started = std::chrono::steady_clock::now();
  const unsigned version = req.version();
  const bool keep_alive = req.keep_alive();
  auto target = req.target();
  auto qmark = target.find('?');
  auto path = target.substr(0, qmark);
  auto query =
      qmark == std::string_view::npos ? std::string_view{} : target.substr(qmark + 1);

  auto m = match(path);
  const auto counted_as = metrics_route(m.id);
  auto count = [counted_as, started](const response& res) {
    metrics::http_request(counted_as, res.result_int(),
                          std::chrono::steady_clock::now() - started);
  };
  if (m.id != route_id::none && !method_allowed(m.id, req.method())) {
    auto res = error_response(errc::internal, "Method Not Allowed", version, keep_alive);
    res.result(bh::status::method_not_allowed);
    res.set(bh::field::allow, allowed(m.id));
    count(res);
    return respond(std::move(res));
  }

  // Every other answer goes through `reply`, exactly once. A service reply may come from
  // an actor thread: it only hands the result to the connection's thread, where the
  // response is built (the actor thread is the busier one under webhook load, and the
  // response's allocations are then freed by the thread that made them).
  reply_once reply{[respond = std::move(respond), hop = std::move(hop), version,
                    keep_alive, count](query_result r) mutable {
                     // reply_once calls this once, so `respond` can move on.
                     auto answer = [respond = std::move(respond), version, keep_alive,
                                    count, r = std::move(r)] {
                       auto res = make_response(r, version, keep_alive);
                       count(res);
                       respond(std::move(res));
                     };
                     if (hop)
                       hop(std::move(answer));
                     else
                       answer();
                   },
                   std::move(gone)};
  // A refusal leaves a trace at debug level, with its reason.
  auto fail = [&](errc code, std::string detail) {
    log_for("http")->debug("refused {} {} ({}): {}",
                           std::string_view(req.method_string()), path.substr(0, 200),
                           to_string(code), detail);
    reply(query_result::failure(code, std::move(detail)));
  };
  if (m.id == route_id::none) return fail(errc::not_found, "Not Found");
  bool open = public_route(m.id) || (m.id == route_id::metrics && metrics_public_);
  if (!open && guard_.required()) {
    auto it = req.find(bh::field::authorization);
    if (!guard_.allows(it == req.end() ? std::string_view{} : it->value()))
      return fail(errc::unauthorized, "Invalid or missing API key");
  }

  std::optional<std::string> login;
  if (m.id == route_id::streamer || m.id == route_id::streamer_status) {
    auto decoded = percent_decode(m.login, false);
    if (decoded) login = normalize_login(*decoded);
    if (!login)
      return fail(errc::bad_request,
                  invalid_login_detail(decoded ? *decoded : std::string(m.login)));
  }

  switch (m.id) {
    case route_id::root:
      return reply(query_result::success(root_body()));
    case route_id::metrics:
      return reply(query_result::success(make_body(metrics::render_prometheus()),
                                         body_kind::prometheus));
    case route_id::static_page: {
      const auto* page = find_static_page(path);
      return reply(query_result::success(page->body, page->kind));
    }
    case route_id::health:
      return service_.health(std::move(reply));
    case route_id::streamers:
      return service_.list_streamers(std::move(reply));
    case route_id::streamer:
      if (req.method() == bh::verb::post)
        return service_.add_streamer(std::move(*login), std::move(reply));
      return service_.remove_streamer(std::move(*login), std::move(reply));
    case route_id::streamer_status:
      return service_.streamer_status(std::move(*login), std::move(reply));
    case route_id::live:
      return service_.live_streams(std::move(reply));
    case route_id::events: {
      bool malformed = false;
      auto text = query_param(query, "limit", malformed);
      uint32_t limit = 50;
      if (text) {
        const std::string& digits = *text;
        auto [ptr, ec] =
            std::from_chars(digits.data(), digits.data() + digits.size(), limit);
        if (ec != std::errc{} || ptr != digits.data() + digits.size() || digits.empty() ||
            limit < 1 || limit > 1000)
          malformed = true;
      }
      if (malformed)
        return fail(errc::unprocessable, "limit must be an integer from 1 to 1000");
      return service_.recent_events(limit, std::move(reply));
    }
    case route_id::webhook: {
      webhook_request d;
      d.message_id = header_value(req, "Twitch-Eventsub-Message-Id", d.has_id);
      d.timestamp =
          header_value(req, "Twitch-Eventsub-Message-Timestamp", d.has_timestamp);
      d.signature =
          header_value(req, "Twitch-Eventsub-Message-Signature", d.has_signature);
      d.message_type = header_value(req, "Twitch-Eventsub-Message-Type", d.has_type);
      d.body = std::move(req.body());
      return service_.webhook(std::move(d), std::move(reply));
    }
    case route_id::none:
      break;
  }
  fail(errc::not_found, "Not Found");
}

}  // namespace eventsubd::http
