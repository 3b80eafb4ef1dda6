#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>

// Process-wide counters and gauges for `GET /metrics`. Lock-free (relaxed atomics) so
// any thread, HTTP or actor, counts without a message or a lock; rendered in
// Prometheus' text format. Label values come from fixed lists (enums here, the route
// table in http/), so the series stay bounded.
namespace eventsubd::metrics {

/// HTTP requests are counted by route index. The route table, and so each index's
/// label, belongs to the HTTP layer (http/routes): it passes the labels to
/// `render_prometheus`. At most this many routes (an index beyond counts as the last).
inline constexpr std::size_t max_http_routes = 32;

/// One answered HTTP request (after routing), under its route's index.
void http_request(std::size_t route, unsigned status, std::chrono::nanoseconds latency);

enum class message_kind : uint8_t {
  notification,
  verification,
  revocation,
  other,
  count_
};
enum class outcome : uint8_t {
  accepted,       // processed (stored, or answered for challenges and revocations)
  duplicate,      // message id seen before, or the same change under another id
  outdated,       // about a stream that is over (the state machine refused it)
  ignored,        // an unknown subscription type
  stale,          // outside the replay window
  bad_signature,  // missing or invalid signature headers
  malformed,      // unreadable body or headers
  unavailable,    // refused for now (disabled webhook, storage not ready or full)
  count_
};
/// One webhook delivery and what became of it.
void webhook_message(message_kind kind, outcome o);

/// A stream change was applied (and stored). `online`, `from_webhook` (else polling).
void event_applied(bool online, bool from_webhook);

enum class helix_endpoint : uint8_t {
  token,
  validate,
  users,
  streams,
  subscription_create,
  subscription_list,
  subscription_delete,
  other,
  count_
};
/// One HTTP exchange with Twitch; status 0 = no answer (transport error or timeout).
void helix_call(helix_endpoint e, unsigned status);
void helix_retry();
void helix_rate_limited();  // a 429
void helix_ratelimit_remaining(int64_t points);
/// From the last Get EventSub Subscriptions: counts by status and the cost totals.
void eventsub_subscriptions(const std::map<std::string, int64_t>& by_status,
                            int64_t total_cost, int64_t max_total_cost);

/// Twitch work waiting for a worker, by work class (0 interactive, 1 lookup, 2 bulk).
void twitch_queue_depth(size_t work_class, int64_t depth);
enum class drop_reason : uint8_t { deadline, abandoned, queue_full, count_ };
/// Twitch work answered without asking Twitch: its deadline passed or its requester
/// went away before a worker was free, or its queue was full.
void twitch_work_dropped(drop_reason r);
/// A status lookup of an unmonitored login refused by LOOKUP_RATE_LIMIT (a 429).
void lookup_rate_limited();

void streamers(int64_t monitored, int64_t live);

/// The connection layer, below routing: open connections, connections refused at the
/// MAX_CONNECTIONS cap (a 503 and a close), and failed accepts (out of descriptors).
void http_connections_open(int64_t open);
void http_connection_refused();
void http_accept_failed();
void storage_state(int64_t queue_depth, bool connected);

/// The whole exposition, `# HELP`/`# TYPE` lines included; `http_route_labels[i]` names
/// route index i (http/routes' `route_labels()`).
std::string render_prometheus(std::span<const std::string_view> http_route_labels);

}  // namespace eventsubd::metrics
