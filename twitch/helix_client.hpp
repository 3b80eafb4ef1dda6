#pragma once

#include "core/result.hpp"
#include "twitch/app_token.hpp"
#include "twitch/base_url.hpp"
#include "twitch/helix_parse.hpp"
#include "twitch/helix_types.hpp"
#include "twitch/https_client.hpp"
#include "twitch/rate_budget.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace eventsubd::twitch {

struct helix_config {
  std::string client_id;
  std::string client_secret;
  base_url api;   // TWITCH_API_URL
  base_url auth;  // TWITCH_AUTH_URL
  std::chrono::milliseconds timeout{10000};
  int max_attempts = 4;  // per call, for 5xx, 429 and transport errors
  std::chrono::milliseconds backoff{
      200};  // first retry delay, doubled each time, with jitter
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
/// runs on its worker's own thread, one client per worker, each of one work class.
///
/// - The token is shared by every client (`app_token`): fetched on first use, checked
///   by `validate()`, replaced once per rejection (401) for all clients together.
/// - The rate limit is shared too (`rate_budget`): before every Helix call the client
///   waits for its class's turn, and every answer's `Ratelimit-*` headers feed it. A 429
///   empties the budget until the reset; the call is then retried after the wait.
/// - 5xx and transport errors: bounded retries with exponential backoff and jitter.
/// - Every query value is URL-encoded.
/// - Every wait and every HTTP step ends within ~50 ms once `cancelled()` turns true.
///
/// Errors (error_info codes): not_found only where it means something (none today:
/// unknown users are simply absent); upstream_error (502) when Twitch answered an
/// error; unavailable (503) when it is unreachable, rate limited (`retry_after` = time
/// to the reset when known) or the call was cancelled (detail "cancelled");
/// upstream_timeout (504) when it did not answer in time; conflict (409) when a
/// subscription exists that is not ours.
class helix_client {
 public:
  /// `cancelled` may be empty.
  helix_client(helix_config cfg, std::shared_ptr<app_token> token,
               std::shared_ptr<rate_budget> budget, work_class cls,
               std::function<bool()> cancelled);

  /// Fetches a token if there is none; checks it with /validate otherwise (and replaces
  /// it when /validate rejects it).
  result<void> validate();

  /// Get Users by login (case as given; callers lowercase) and/or by id: logins and ids
  /// together at most 100 per call. Unknown users are absent from the answer.
  result<std::vector<twitch_user>> get_users(const std::vector<std::string>& logins,
                                             const std::vector<std::string>& ids = {});

  /// Get Streams for user ids, 100 per call, `first=100`, following the cursor.
  result<std::vector<twitch_stream>> get_streams(
      const std::vector<std::string>& user_ids);

  /// Creates a webhook subscription. A 409 (it exists) finds and returns the existing one
  /// (`adopted`); one with another callback is a conflict.
  result<created_subscription> create_subscription(const std::string& type,
                                                   const std::string& broadcaster_id,
                                                   const std::string& callback,
                                                   const std::string& secret);

  /// Every subscription of this client id (all pages); optionally for one broadcaster.
  result<std::vector<twitch_subscription>> list_subscriptions(
      const std::string& broadcaster_id = {});

  /// Deletes a subscription: true when it existed, false when Twitch had no such id.
  result<bool> delete_subscription(const std::string& id);

  work_class cls() const { return cls_; }
  const helix_stats& stats() const { return stats_; }
  const subscription_totals& totals() const { return totals_; }

 private:
  result<std::string> fetch_token();
  app_token::fetch_fn fetcher();
  result<http_result> call(const std::string& method, const std::string& path,
                           const std::string& query, const std::string& json_body = {});
  void note_rate_limit(const http_result& r);
  bool is_cancelled() const { return cancelled_ && cancelled_(); }
  bool wait(std::chrono::milliseconds d);  // false when cancelled
  error_info failure(const http_result& r, const std::string& what) const;

  helix_config cfg_;
  std::shared_ptr<app_token> token_;
  std::shared_ptr<rate_budget> budget_;
  work_class cls_;
  std::function<bool()> cancelled_;
  https_client http_;
  helix_stats stats_;
  subscription_totals totals_;
};

}  // namespace eventsubd::twitch
