#pragma once

#include "core/errors.hpp"
#include "twitch/base_url.hpp"
#include "twitch/helix_parse.hpp"
#include "twitch/helix_types.hpp"
#include "twitch/https_client.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace eventsubd::twitch {

/// Why a Twitch call failed; `code` ok means it did not. The code says how the REST API
/// answers: 404 (no such user), 502 (Twitch answered an error), 503 (unreachable or
/// rate limited), 504 (timed out).
struct twitch_error {
  errc code = errc::ok;
  std::string detail;
  explicit operator bool() const { return code != errc::ok; }
};

struct helix_config {
  std::string client_id;
  std::string client_secret;
  base_url api;   // TWITCH_API_URL
  base_url auth;  // TWITCH_AUTH_URL
  std::chrono::milliseconds timeout{10000};
  int max_attempts = 4;  // per call, for 5xx, 429 and transport errors
  std::chrono::milliseconds backoff{
      200};  // first retry delay, doubled each time, with jitter
  std::chrono::seconds max_rate_wait{65};  // longest wait for a rate-limit reset
};

/// Counters for logs, tests and metrics.
struct helix_stats {
  std::map<std::string, int64_t> calls;  // "GET /streams" -> count (every attempt)
  int64_t retries = 0;
  int64_t rate_limited = 0;  // 429 answers
  int64_t tokens_fetched = 0;
  int64_t ratelimit_remaining = -1;
};

/// Twitch's Helix API with an app access token (client-credentials flow). Blocking: it
/// runs on the Twitch client actor's own (detached) thread.
///
/// - The token is fetched on first use, validated by `validate()` (hourly, by the actor),
///   and replaced once when Helix answers 401.
/// - 429: waits until `Ratelimit-Reset`, then retries. When `Ratelimit-Remaining` is
///   nearly spent it waits for the reset before the next call, so bulk work paces itself.
/// - 5xx and transport errors: bounded retries with exponential backoff and jitter.
/// - Every query value is URL-encoded.
class helix_client {
 public:
  /// `stopping` is polled during waits so shutdown is never held up by a backoff.
  helix_client(helix_config cfg, std::function<bool()> stopping);

  /// Fetches a token if there is none; checks it with /validate otherwise.
  twitch_error validate();

  /// Get Users by login (case as given; callers lowercase) and/or by id: logins and ids
  /// together at most 100 per call.
  twitch_error get_users(const std::vector<std::string>& logins,
                         std::vector<twitch_user>& out,
                         const std::vector<std::string>& ids = {});

  /// Get Streams for user ids, 100 per call, `first=100`, following the cursor.
  twitch_error get_streams(const std::vector<std::string>& user_ids,
                           std::vector<twitch_stream>& out);

  /// Creates a webhook subscription. A 409 (it exists) finds and returns the existing one
  /// (`adopted` set).
  twitch_error create_subscription(const std::string& type,
                                   const std::string& broadcaster_id,
                                   const std::string& callback, const std::string& secret,
                                   twitch_subscription& out, bool& adopted);

  /// Every subscription of this client id (all pages); optionally for one broadcaster.
  twitch_error list_subscriptions(std::vector<twitch_subscription>& out,
                                  const std::string& broadcaster_id = {});

  /// Deletes a subscription; `existed` false when Twitch had no such id (404).
  twitch_error delete_subscription(const std::string& id, bool& existed);

  const helix_stats& stats() const { return stats_; }
  const subscription_totals& totals() const { return totals_; }

 private:
  twitch_error fetch_token();
  twitch_error call(const std::string& method, const std::string& path,
                    const std::string& query, const std::string& json_body,
                    http_result& out);
  void note_rate_limit(const http_result& r);
  void pace();
  bool wait(std::chrono::milliseconds d);  // false when stopping
  twitch_error failure(const http_result& r, const std::string& what) const;

  helix_config cfg_;
  std::function<bool()> stopping_;
  https_client http_;
  std::string token_;
  helix_stats stats_;
  subscription_totals totals_;
  int64_t rate_reset_ = 0;  // unix seconds from Ratelimit-Reset
};

}  // namespace eventsubd::twitch
