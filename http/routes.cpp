#include "http/routes.hpp"

#include "core/logging.hpp"
#include "core/login.hpp"
#include "core/metrics.hpp"
#include "core/version.hpp"
#include "http/static_pages.hpp"
#include "http/url.hpp"

#include <array>
#include <charconv>
#include <iterator>

namespace eventsubd::http {
namespace {

namespace bh = boost::beast::http;

// --- handlers, one per endpoint

const body_ptr& root_body() {
  static const body_ptr b =
      make_body(std::string(R"({"message":"Twitch EventSub REST API","version":")") +
                version_string + "\"}");
  return b;
}

void root(route_call& c) {
  c.reply(query_result::success(root_body()));
}

void health(route_call& c) {
  c.svc.health(std::move(c.reply));
}

void list_streamers(route_call& c) {
  c.svc.list_streamers(std::move(c.reply));
}

// These three may wait on Twitch (a lookup, subscriptions): work queued for a client that
// has gone away is dropped.
void add_streamer(route_call& c) {
  if (auto login = c.login()) {
    c.watch_client();
    c.svc.add_streamer(std::move(*login), std::move(c.reply));
  }
}

void remove_streamer(route_call& c) {
  if (auto login = c.login()) {
    c.watch_client();
    c.svc.remove_streamer(std::move(*login), std::move(c.reply));
  }
}

void streamer_status(route_call& c) {
  if (auto login = c.login()) {
    c.watch_client();
    c.svc.streamer_status(std::move(*login), std::move(c.reply));
  }
}

void live_streams(route_call& c) {
  c.svc.live_streams(std::move(c.reply));
}

/// `?limit=` of GET /events: 50 when absent, else an integer from 1 to 1000.
std::optional<uint32_t> events_limit(std::string_view query) {
  bool malformed = false;
  auto text = query_param(query, "limit", malformed);
  uint32_t limit = 50;
  if (text) {
    const std::string& digits = *text;  // not text->: a clang-analyzer false positive
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), limit);
    if (ec != std::errc{} || ptr != digits.data() + digits.size() || digits.empty() ||
        limit < 1 || limit > 1000)
      malformed = true;
  }
  if (malformed) return std::nullopt;
  return limit;
}

void recent_events(route_call& c) {
  auto limit = events_limit(c.query);
  if (!limit)
    return c.fail(errc::unprocessable, "limit must be an integer from 1 to 1000");
  c.svc.recent_events(*limit, std::move(c.reply));
}

std::string header_value(const request& req, std::string_view name, bool& present) {
  auto it = req.find(name);
  present = it != req.end();
  return present ? std::string(it->value()) : std::string{};
}

void webhook(route_call& c) {
  webhook_request d;
  d.message_id = header_value(c.req, "Twitch-Eventsub-Message-Id", d.has_id);
  d.timestamp = header_value(c.req, "Twitch-Eventsub-Message-Timestamp", d.has_timestamp);
  d.signature = header_value(c.req, "Twitch-Eventsub-Message-Signature", d.has_signature);
  d.message_type = header_value(c.req, "Twitch-Eventsub-Message-Type", d.has_type);
  d.body = std::move(c.req.body());
  c.svc.webhook(std::move(d), std::move(c.reply));
}

void static_page(route_call& c) {
  const auto* page = find_static_page(c.path);
  if (!page) return c.fail(errc::not_found, "Not Found");  // a row without its page
  c.reply(query_result::success(page->body, page->kind));
}

bool has_static_page(std::string_view path) {
  return find_static_page(path) != nullptr;
}

void metrics_page(route_call& c) {
  c.reply(query_result::success(make_body(metrics::render_prometheus(route_labels())),
                                body_kind::prometheus));
}

// --- the table

using enum access;
constexpr auto get = bh::verb::get;
constexpr auto post = bh::verb::post;
constexpr auto delete_ = bh::verb::delete_;
constexpr std::string_view docs = "/docs";  // the label of every static page
constexpr bool undocumented = false;

constexpr endpoint endpoints[] = {
    {get, "/", open, root},
    {get, "/health", open, health},
    {get, "/streamers", read, list_streamers},
    {post, "/streamers/{username}", api_key, add_streamer},
    {delete_, "/streamers/{username}", api_key, remove_streamer},
    {get, "/streamers/{username}/status", read, streamer_status},
    {get, "/streams/live", read, live_streams},
    {get, "/events", read, recent_events},
    {post, "/webhooks/eventsub", open, webhook},
    // The API's description and its page, open like FastAPI's /docs.
    {get, "/openapi.json", open, static_page, docs},
    {get, "/docs", open, static_page, docs},
    // The page's assets: only those this build has (none without npm).
    {get, "/docs/{asset}", open, static_page, docs, undocumented, has_static_page},
    {get, "/metrics", metrics_key, metrics_page},
};
constexpr std::size_t rows = std::size(endpoints);

// --- derived from the table, at compile time

constexpr std::string_view label_of(const endpoint& e) {
  return e.label.empty() ? e.path : e.label;
}

constexpr bool first_with_its_label(std::size_t i) {
  for (std::size_t j = 0; j < i; ++j)
    if (label_of(endpoints[j]) == label_of(endpoints[i])) return false;
  return true;
}

constexpr std::size_t label_count() {
  std::size_t n = 1;  // "unmatched"
  for (std::size_t i = 0; i < rows; ++i) n += first_with_its_label(i);
  return n;
}

constexpr auto labels = [] {
  std::array<std::string_view, label_count()> out{};
  std::size_t n = 0;
  for (std::size_t i = 0; i < rows; ++i)
    if (first_with_its_label(i)) out[n++] = label_of(endpoints[i]);
  out[n] = "unmatched";
  return out;
}();
constexpr std::size_t unmatched = labels.size() - 1;

/// The label index of each row.
constexpr auto row_labels = [] {
  std::array<std::size_t, rows> out{};
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t k = 0; k < labels.size(); ++k)
      if (labels[k] == label_of(endpoints[i])) {
        out[i] = k;
        break;
      }
  return out;
}();

/// For each row, the end of its path's rows (they are adjacent).
constexpr auto path_end = [] {
  std::array<std::size_t, rows> out{};
  for (std::size_t i = 0; i < rows; ++i) {
    out[i] = i + 1;
    while (out[i] < rows && endpoints[out[i]].path == endpoints[i].path) ++out[i];
  }
  return out;
}();

/// For each row, the first of its path's rows.
constexpr auto path_begin = [] {
  std::array<std::size_t, rows> out{};
  for (std::size_t i = 0; i < rows; ++i)
    out[i] = i > 0 && endpoints[i - 1].path == endpoints[i].path ? out[i - 1] : i;
  return out;
}();

/// Each path's rows are adjacent, and no path has a method twice.
constexpr bool paths_are_grouped() {
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t j = i + 1; j < rows; ++j) {
      if (endpoints[j].path != endpoints[i].path) continue;
      if (endpoints[j].method == endpoints[i].method || j >= path_end[i]) return false;
    }
  return true;
}

/// A path pattern split around its parameter: the literal text before and after it.
struct shape {
  std::string_view prefix;  // the whole pattern when it has no parameter
  std::string_view suffix;
  bool param = false;
};

constexpr shape shape_of(std::string_view pattern) {
  auto open = pattern.find('{');
  if (open == std::string_view::npos) return {pattern, {}, false};
  return {pattern.substr(0, open), pattern.substr(pattern.find('}', open) + 1), true};
}

constexpr auto shapes = [] {
  std::array<shape, rows> out{};
  for (std::size_t i = 0; i < rows; ++i) out[i] = shape_of(endpoints[i].path);
  return out;
}();

/// "/literal", or at most one `{name}` that is a whole segment: "/a/{name}/b".
constexpr bool well_formed(std::string_view pattern) {
  if (pattern.empty() || pattern.front() != '/') return false;
  auto open = pattern.find('{');
  if (open == std::string_view::npos) return pattern.find('}') == std::string_view::npos;
  auto close = pattern.find('}');
  return pattern[open - 1] == '/' && close != std::string_view::npos &&
         close > open + 1 && pattern.find_first_of("{}/", open + 1) == close &&
         pattern.find_first_of("{}", close + 1) == std::string_view::npos &&
         (close + 1 == pattern.size() || pattern[close + 1] == '/');
}

constexpr bool patterns_are_well_formed() {
  for (const auto& e : endpoints)
    if (!well_formed(e.path)) return false;
  return true;
}

static_assert(paths_are_grouped(), "a path's rows must be adjacent, each method once");
static_assert(patterns_are_well_formed(),
              "a path is literal or has one `{name}` segment");
static_assert(labels.size() <= metrics::max_http_routes, "raise max_http_routes");

/// Whether `path` has the shape; the parameter's segment goes to `param`.
bool matches(const shape& s, std::string_view path, std::string_view& param) {
  if (!s.param) return path == s.prefix;
  if (path.size() <= s.prefix.size() + s.suffix.size() || !path.starts_with(s.prefix) ||
      !path.ends_with(s.suffix))
    return false;
  auto segment =
      path.substr(s.prefix.size(), path.size() - s.prefix.size() - s.suffix.size());
  if (segment.find('/') != std::string_view::npos) return false;
  param = segment;
  return true;
}

std::string join_methods(std::size_t first) {
  std::string out;
  for (std::size_t i = first; i < path_end[first]; ++i)
    out.append(out.empty() ? "" : ", ").append(bh::to_string(endpoints[i].method));
  return out;
}

}  // namespace

void route_call::fail(errc code, std::string detail) {
  log_for("http")->debug("refused {} {} ({}): {}", std::string_view(req.method_string()),
                         path.substr(0, 200), to_string(code), detail);
  reply(query_result::failure(code, std::move(detail)));
}

std::optional<std::string> route_call::login() {
  auto decoded = percent_decode(param, false);
  std::optional<std::string> login;
  if (decoded) login = normalize_login(*decoded);
  if (!login)
    fail(errc::bad_request,
         invalid_login_detail(decoded ? *decoded : std::string(param)));
  return login;
}

std::span<const endpoint> route_table() {
  return endpoints;
}

std::span<const std::string_view> route_labels() {
  return labels;
}

route_match match_route(bh::verb method, std::string_view path) {
  for (std::size_t i = 0; i < rows; i = path_end[i]) {
    std::string_view param;
    if (!matches(shapes[i], path, param)) continue;
    if (endpoints[i].exists && !endpoints[i].exists(path)) continue;
    route_match m{nullptr, &endpoints[i], param, row_labels[i]};
    for (std::size_t j = i; j < path_end[i]; ++j)
      if (endpoints[j].method == method) {
        m.row = &endpoints[j];
        break;
      }
    return m;
  }
  return {nullptr, nullptr, {}, unmatched};
}

std::string_view allowed_methods(const endpoint& row) {
  static const auto allow = [] {
    std::array<std::string, rows> out;
    for (std::size_t i = 0; i < rows; ++i) out[i] = join_methods(i);
    return out;
  }();
  return allow[path_begin[static_cast<std::size_t>(&row - endpoints)]];
}

}  // namespace eventsubd::http
