#include "core/metrics.hpp"

#include "core/metrics_registry.hpp"
#include "core/version.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <unistd.h>

namespace eventsubd::metrics {
namespace {

using counter = std::atomic<uint64_t>;
using gauge = std::atomic<int64_t>;

template <class E>
constexpr size_t n = static_cast<size_t>(E::count_);

template <class E>
size_t idx(E e) {
  return static_cast<size_t>(e);
}

// The status codes the router answers with; anything else is counted as "other".
constexpr std::array<unsigned, 16> status_codes{200, 400, 401, 403, 404, 405, 409, 413,
                                                422, 429, 431, 500, 502, 503, 504, 0};
size_t status_index(unsigned status) {
  for (size_t i = 0; i + 1 < status_codes.size(); ++i)
    if (status_codes[i] == status) return i;
  return status_codes.size() - 1;
}

// Latency buckets in seconds (upper bounds; +Inf is the count).
constexpr std::array<double, 12> buckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                         0.05,   0.1,   0.25,   0.5,   1,    5};

struct histogram {
  std::array<counter, buckets.size()> le{};
  counter count{0};
  counter sum_ns{0};
};

constexpr std::array<std::string_view, n<message_kind>> kind_names{
    "notification", "webhook_callback_verification", "revocation", "other"};
constexpr std::array<std::string_view, n<outcome>> outcome_names{
    "accepted", "duplicate",     "outdated",  "ignored",
    "stale",    "bad_signature", "malformed", "unavailable"};
constexpr std::array<std::string_view, n<helix_endpoint>> endpoint_names{
    "POST /oauth2/token",
    "GET /oauth2/validate",
    "GET /users",
    "GET /streams",
    "POST /eventsub/subscriptions",
    "GET /eventsub/subscriptions",
    "DELETE /eventsub/subscriptions",
    "other"};
// Helix statuses worth a series of their own; 0 = no answer.
constexpr std::array<unsigned, 14> helix_codes{0,   200, 202, 204, 400, 401, 403,
                                               404, 409, 429, 500, 502, 503, 504};

struct registry {
  std::array<std::array<counter, status_codes.size()>, max_http_routes> http{};
  std::array<histogram, max_http_routes> latency{};
  std::array<std::array<counter, n<outcome>>, n<message_kind>> webhook{};
  std::array<std::array<counter, 2>, 2> applied{};  // [online][from_webhook]
  std::array<std::array<counter, helix_codes.size() + 1>, n<helix_endpoint>> helix{};
  counter helix_retries{0};
  counter helix_429{0};
  gauge ratelimit_remaining{-1};
  std::array<gauge, 3> twitch_queue{};
  std::array<counter, n<drop_reason>> twitch_dropped{};
  counter lookups_limited{0};
  gauge monitored{0};
  gauge live{0};
  gauge queue_depth{0};
  gauge storage_connected{0};
  gauge connections_open{0};
  counter connections_refused{0};
  counter accept_failures{0};
  std::mutex subscriptions_mutex;  // rare writes (reconciliation), rare reads (scrapes)
  std::map<std::string, int64_t> subscriptions;
  gauge total_cost{-1};
  gauge max_total_cost{-1};
};

// Set during static initialisation, i.e. when the process starts.
const auto process_started = std::chrono::system_clock::now();

registry& reg() {
  static registry r;
  return r;
}

constexpr auto relaxed = std::memory_order_relaxed;

/// A label value with Prometheus' escapes (backslash, quote, newline).
std::string escaped(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void header(std::string& out, std::string_view name, std::string_view type,
            std::string_view help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void sample(std::string& out, std::string_view name, std::string_view labels,
            double value) {
  char num[64];
  std::snprintf(num, sizeof num, "%.17g", value);
  out.append(name);
  if (!labels.empty()) out.append("{").append(labels).append("}");
  out.append(" ").append(num).append("\n");
}

/// A family with one unlabelled sample.
void single(std::string& out, std::string_view name, std::string_view type,
            std::string_view help, double value) {
  header(out, name, type, help);
  sample(out, name, "", value);
}

int64_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  int64_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}

}  // namespace

void http_request(std::size_t route, unsigned status, std::chrono::nanoseconds latency) {
  auto& g = reg();
  route = std::min(route, max_http_routes - 1);
  g.http[route][status_index(status)].fetch_add(1, relaxed);
  auto& h = g.latency[route];
  double seconds = std::chrono::duration<double>(latency).count();
  for (size_t i = 0; i < buckets.size(); ++i)
    if (seconds <= buckets[i]) {
      h.le[i].fetch_add(1, relaxed);  // rendered cumulatively
      break;
    }
  h.count.fetch_add(1, relaxed);
  h.sum_ns.fetch_add(static_cast<uint64_t>(latency.count()), relaxed);
}

void webhook_message(message_kind kind, outcome o) {
  reg().webhook[idx(kind)][idx(o)].fetch_add(1, relaxed);
}

void event_applied(bool online, bool from_webhook) {
  reg().applied[online][from_webhook].fetch_add(1, relaxed);
}

void helix_call(helix_endpoint e, unsigned status) {
  size_t i = helix_codes.size();  // "other"
  for (size_t c = 0; c < helix_codes.size(); ++c)
    if (helix_codes[c] == status) i = c;
  reg().helix[idx(e)][i].fetch_add(1, relaxed);
}

void helix_retry() {
  reg().helix_retries.fetch_add(1, relaxed);
}

void helix_rate_limited() {
  reg().helix_429.fetch_add(1, relaxed);
}

void twitch_queue_depth(size_t work_class, int64_t depth) {
  if (work_class < reg().twitch_queue.size())
    reg().twitch_queue[work_class].store(depth, relaxed);
}

void twitch_work_dropped(drop_reason r) {
  reg().twitch_dropped[idx(r)].fetch_add(1, relaxed);
}

void lookup_rate_limited() {
  reg().lookups_limited.fetch_add(1, relaxed);
}

void helix_ratelimit_remaining(int64_t points) {
  reg().ratelimit_remaining.store(points, relaxed);
}

void eventsub_subscriptions(const std::map<std::string, int64_t>& by_status,
                            int64_t total_cost, int64_t max_total_cost) {
  auto& g = reg();
  {
    std::lock_guard<std::mutex> lock(g.subscriptions_mutex);
    for (auto& [status, count] : g.subscriptions) count = 0;  // keep series that emptied
    for (const auto& [status, count] : by_status) g.subscriptions[status] = count;
  }
  g.total_cost.store(total_cost, relaxed);
  g.max_total_cost.store(max_total_cost, relaxed);
}

void streamers(int64_t monitored, int64_t live) {
  reg().monitored.store(monitored, relaxed);
  reg().live.store(live, relaxed);
}

void storage_state(int64_t queue_depth, bool connected) {
  reg().queue_depth.store(queue_depth, relaxed);
  reg().storage_connected.store(connected ? 1 : 0, relaxed);
}

void http_connections_open(int64_t open) {
  reg().connections_open.store(open, relaxed);
}
void http_connection_refused() {
  reg().connections_refused.fetch_add(1, relaxed);
}
void http_accept_failed() {
  reg().accept_failures.fetch_add(1, relaxed);
}

namespace {

/// Requests by route and status, and their latency histograms.
void render_http(std::string& out, const registry& g,
                 std::span<const std::string_view> http_route_labels) {
  const auto routes = std::min(http_route_labels.size(), max_http_routes);
  header(out, "eventsubd_http_requests_total", "counter",
         "HTTP requests answered, by route and status code.");
  for (size_t r = 0; r < routes; ++r)
    for (size_t s = 0; s < status_codes.size(); ++s) {
      auto v = g.http[r][s].load(relaxed);
      if (v == 0) continue;
      auto code = status_codes[s] ? std::to_string(status_codes[s]) : "other";
      sample(out, "eventsubd_http_requests_total",
             "route=\"" + escaped(http_route_labels[r]) + "\",status=\"" + code + "\"",
             static_cast<double>(v));
    }

  header(out, "eventsubd_http_request_duration_seconds", "histogram",
         "Time from a routed request to its response being handed to the connection.");
  for (size_t r = 0; r < routes; ++r) {
    auto& h = g.latency[r];
    auto count = h.count.load(relaxed);
    if (count == 0) continue;
    auto route_label = "route=\"" + escaped(http_route_labels[r]) + "\"";
    uint64_t cumulative = 0;
    for (size_t i = 0; i < buckets.size(); ++i) {
      cumulative += h.le[i].load(relaxed);
      char le[32];
      std::snprintf(le, sizeof le, "%g", buckets[i]);
      sample(out, "eventsubd_http_request_duration_seconds_bucket",
             route_label + ",le=\"" + le + "\"", static_cast<double>(cumulative));
    }
    sample(out, "eventsubd_http_request_duration_seconds_bucket",
           route_label + ",le=\"+Inf\"", static_cast<double>(count));
    sample(out, "eventsubd_http_request_duration_seconds_sum", route_label,
           static_cast<double>(h.sum_ns.load(relaxed)) / 1e9);
    sample(out, "eventsubd_http_request_duration_seconds_count", route_label,
           static_cast<double>(count));
  }
}

/// EventSub deliveries and the stream changes they (or polls) applied.
void render_events(std::string& out, const registry& g) {
  header(out, "eventsubd_webhook_messages_total", "counter",
         "EventSub deliveries, by message type and outcome.");
  for (size_t k = 0; k < n<message_kind>; ++k)
    for (size_t o = 0; o < n<outcome>; ++o)
      sample(out, "eventsubd_webhook_messages_total",
             "type=\"" + std::string(kind_names[k]) + "\",outcome=\"" +
                 std::string(outcome_names[o]) + "\"",
             static_cast<double>(g.webhook[k][o].load(relaxed)));

  header(out, "eventsubd_events_applied_total", "counter",
         "Stream changes applied and stored, by type and source.");
  for (int online = 0; online < 2; ++online)
    for (int webhook = 0; webhook < 2; ++webhook)
      sample(out, "eventsubd_events_applied_total",
             std::string("type=\"") + (online ? "stream.online" : "stream.offline") +
                 "\",source=\"" + (webhook ? "webhook" : "polling") + "\"",
             static_cast<double>(g.applied[online][webhook].load(relaxed)));
}

/// Requests to Twitch, its rate limit, and the scheduler's queues.
void render_twitch(std::string& out, const registry& g) {
  header(out, "eventsubd_helix_requests_total", "counter",
         "Requests to Twitch (Helix and OAuth), by endpoint and status (0: no answer).");
  for (size_t e = 0; e < n<helix_endpoint>; ++e)
    for (size_t c = 0; c <= helix_codes.size(); ++c) {
      auto v = g.helix[e][c].load(relaxed);
      if (v == 0) continue;
      auto code = c < helix_codes.size() ? std::to_string(helix_codes[c]) : "other";
      sample(
          out, "eventsubd_helix_requests_total",
          "endpoint=\"" + std::string(endpoint_names[e]) + "\",status=\"" + code + "\"",
          static_cast<double>(v));
    }
  single(out, "eventsubd_helix_retries_total", "counter",
         "Requests to Twitch sent again after a failure or a 429.",
         static_cast<double>(g.helix_retries.load(relaxed)));
  single(out, "eventsubd_helix_rate_limited_total", "counter", "429 answers from Twitch.",
         static_cast<double>(g.helix_429.load(relaxed)));
  single(out, "eventsubd_helix_ratelimit_remaining", "gauge",
         "Ratelimit-Remaining of Twitch's last answer (-1: none yet).",
         static_cast<double>(g.ratelimit_remaining.load(relaxed)));

  header(out, "eventsubd_twitch_queue_depth", "gauge",
         "Twitch work waiting for a worker, by work class.");
  constexpr std::array<std::string_view, 3> class_names{"interactive", "lookup", "bulk"};
  for (size_t c = 0; c < class_names.size(); ++c)
    sample(out, "eventsubd_twitch_queue_depth",
           "class=\"" + std::string(class_names[c]) + "\"",
           static_cast<double>(g.twitch_queue[c].load(relaxed)));
  header(out, "eventsubd_twitch_work_dropped_total", "counter",
         "Twitch work answered without asking Twitch, by reason.");
  constexpr std::array<std::string_view, n<drop_reason>> drop_names{
      "deadline", "abandoned", "queue_full"};
  for (size_t r = 0; r < drop_names.size(); ++r)
    sample(out, "eventsubd_twitch_work_dropped_total",
           "reason=\"" + std::string(drop_names[r]) + "\"",
           static_cast<double>(g.twitch_dropped[r].load(relaxed)));
  single(out, "eventsubd_status_lookups_rate_limited_total", "counter",
         "Status lookups of unmonitored logins refused by LOOKUP_RATE_LIMIT (429).",
         static_cast<double>(g.lookups_limited.load(relaxed)));
}

/// The last listing of EventSub subscriptions.
void render_subscriptions(std::string& out, registry& g) {
  header(out, "eventsubd_eventsub_subscriptions", "gauge",
         "EventSub subscriptions of this app at the last listing, by status.");
  {
    std::lock_guard<std::mutex> lock(g.subscriptions_mutex);
    for (const auto& [status, count] : g.subscriptions)
      sample(out, "eventsubd_eventsub_subscriptions",
             "status=\"" + escaped(status) + "\"", static_cast<double>(count));
  }
  single(out, "eventsubd_eventsub_total_cost", "gauge",
         "total_cost of the last subscription listing (-1: none yet).",
         static_cast<double>(g.total_cost.load(relaxed)));
  single(out, "eventsubd_eventsub_max_total_cost", "gauge",
         "max_total_cost of the last subscription listing (-1: none yet).",
         static_cast<double>(g.max_total_cost.load(relaxed)));
}

/// Connections, streamers, storage and the process.
void render_state(std::string& out, const registry& g) {
  single(out, "eventsubd_http_connections_open", "gauge", "Open HTTP connections.",
         static_cast<double>(g.connections_open.load(relaxed)));
  single(out, "eventsubd_http_connections_refused_total", "counter",
         "Connections refused with a 503 at the MAX_CONNECTIONS cap.",
         static_cast<double>(g.connections_refused.load(relaxed)));
  single(out, "eventsubd_http_accept_failures_total", "counter",
         "Failed accepts (e.g. out of file descriptors); retried after a pause.",
         static_cast<double>(g.accept_failures.load(relaxed)));

  single(out, "eventsubd_streamers_monitored", "gauge", "Monitored streamers.",
         static_cast<double>(g.monitored.load(relaxed)));
  single(out, "eventsubd_streamers_live", "gauge",
         "Streamers whose stored status is live.",
         static_cast<double>(g.live.load(relaxed)));
  single(out, "eventsubd_storage_write_queue_depth", "gauge",
         "Accepted writes not yet stored by the backend.",
         static_cast<double>(g.queue_depth.load(relaxed)));
  single(out, "eventsubd_storage_connected", "gauge",
         "1 while the storage backend (Redis) answers, else 0.",
         static_cast<double>(g.storage_connected.load(relaxed)));

  single(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
         static_cast<double>(resident_bytes()));
  single(out, "process_start_time_seconds", "gauge",
         "Start time of the process since the Unix epoch in seconds.",
         std::chrono::duration<double>(process_started.time_since_epoch()).count());
}

}  // namespace

std::string render_prometheus(std::span<const std::string_view> http_route_labels) {
  auto& g = reg();
  std::string out;
  out.reserve(16384);

  header(out, "eventsubd_build_info", "gauge", "Build information; always 1.");
  sample(out, "eventsubd_build_info", "version=\"" + escaped(version_string) + "\"", 1);
  render_http(out, g, http_route_labels);
  render_events(out, g);
  render_twitch(out, g);
  render_subscriptions(out, g);
  render_state(out, g);
  render_registered(out);  // extensions' metrics (core/metrics_registry.hpp)
  return out;
}

}  // namespace eventsubd::metrics
