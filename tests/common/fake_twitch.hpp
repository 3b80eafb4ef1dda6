#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace eventsubd::testing {

struct fake_user {
  std::string id, login, display_name;
};

struct fake_stream {
  std::string id, user_id, user_login, user_name, game_id, game_name, title;
  int viewer_count = 0;
  std::string started_at;
  std::vector<std::string> tags;
};

struct fake_subscription {
  std::string id, type, version = "1", status, broadcaster_user_id, callback, secret,
                        created_at;
  int cost = 1;
};

struct recorded_request {
  std::string method, path, query, body, authorization, client_id;
  int status = 0;
};

/// An in-process fake of the Twitch OAuth (`/oauth2/token`, `/oauth2/validate`) and Helix
/// (`/helix/users`, `/helix/streams`, `/helix/eventsub/subscriptions`) endpoints on a
/// loopback port, plain HTTP/1.1 with keep-alive, one thread per connection. Behaves like
/// twitch-protocol.md sections 1 and 3 describe, including the webhook callback
/// verification (POSTed to the callback, plain http only, on a background thread right
/// after the 202 has been written). All public members are thread-safe.
///
/// Deviations from Twitch worth knowing:
/// - callbacks may be `http://` on any port (an `https://` callback is accepted, but its
///   verification fails since the fake speaks no TLS); the host must be an IP literal or
///   `localhost` (no DNS), else the verification fails; it times out after 5 s (see
///   set_verification_timeout) and counts as failed;
/// - `total`/`total_cost` in subscription lists count every stored subscription,
///   whatever its status or the filter;
/// - Get Streams orders by viewer count (descending), then by set_live order;
/// - the rate-limit bucket counts down per Helix call and refills every minute, but never
///   answers 429 by itself: use fail_next(n, 429) for that;
/// - `/oauth2/validate` accepts `OAuth <token>` and `Bearer <token>`.
class fake_twitch {
 public:
  fake_twitch();  // listens on 127.0.0.1, port chosen by the kernel
  fake_twitch(std::string client_id, std::string client_secret);
  ~fake_twitch();  // stops and joins everything; never hangs
  fake_twitch(const fake_twitch&) = delete;
  fake_twitch& operator=(const fake_twitch&) = delete;

  uint16_t port() const;
  std::string api_url() const;        // "http://127.0.0.1:<port>/helix"
  std::string auth_url() const;       // "http://127.0.0.1:<port>/oauth2"
  std::string client_id() const;      // default "fake-client-id"
  std::string client_secret() const;  // default "fake-client-secret"

  void add_user(fake_user u);  // replaces a user with the same id
  /// shroud (1001, live: stream s-1001, VALORANT), ninja (1002), pokimane (1003).
  void add_standard_users();
  /// Replaces any stream of that user. Empty `id` -> a generated numeric id, empty
  /// `started_at` -> now, empty `user_login`/`user_name` -> taken from the known user.
  void set_live(fake_stream s);
  void set_offline(const std::string& user_id);
  std::vector<fake_stream> streams() const;

  /// A pre-existing subscription (e.g. from an earlier run): id generated if empty,
  /// status `enabled` if empty, created_at now if empty. It sorts after all existing
  /// ones.
  void add_subscription(fake_subscription s);
  std::vector<fake_subscription> subscriptions() const;  // oldest first
  void set_subscription_status(const std::string& id, const std::string& status);
  void remove_subscription(const std::string& id);
  /// Polls subscriptions() until `id` has `status` (true) or the timeout passes (false).
  bool wait_for_subscription_status(
      const std::string& id, const std::string& status,
      std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;

  /// Fault injection: the next `count` Helix calls whose path starts with `path_prefix`
  /// ("" = any Helix call; a prefix such as "/streams" is taken as "/helix/streams")
  /// answer `status` (429 carries Ratelimit-Remaining: 0 and Ratelimit-Reset = now +
  /// reset_in_seconds; other statuses an error body `{"error","status","message"}`).
  /// Faults apply before authentication, in the order they were added.
  void fail_next(int count, int status, const std::string& path_prefix = "",
                 int reset_in_seconds = 1);
  void garbage_next(int count, const std::string& path_prefix = "");  // 200, not JSON
  /// The next `count` matching Helix calls are answered only after `delay` (combines
  /// with fail_next/garbage_next; the destructor cuts a delay short).
  void delay_next(int count, std::chrono::milliseconds delay,
                  const std::string& path_prefix = "");
  void clear_faults();   // ends every pending fail_next/garbage_next/delay_next
  void revoke_tokens();  // every token issued so far becomes invalid (Helix then 401)
  void set_subscription_page_size(size_t n);  // Get EventSub Subscriptions (default 100)
  void set_verify_callbacks(bool on);         // default true
  /// How long a callback verification may take before it counts as failed (default 5 s).
  void set_verification_timeout(std::chrono::milliseconds timeout);

  /// A valid app token without an HTTP round trip (counts in tokens_issued()).
  std::string issue_token();

  // Observation
  int calls(const std::string& method, const std::string& path) const;
  std::vector<recorded_request> requests() const;
  void reset_requests();
  int tokens_issued() const;
  std::vector<std::string> token_values() const;  // every token issued, revoked too
  /// Number of callback verifications finished so far (whatever their outcome).
  int verifications_done() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace eventsubd::testing
