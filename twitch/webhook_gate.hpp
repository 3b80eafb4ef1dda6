#pragma once

#include "core/log_limiter.hpp"
#include "core/metrics.hpp"
#include "core/reply.hpp"
#include "core/time.hpp"
#include "core/webhook_request.hpp"
#include "twitch/eventsub_message.hpp"

#include <chrono>
#include <string>

namespace eventsubd::twitch {

/// A delivery that passed the gate: authentic, fresh, well-formed, and an event (a
/// notification or a revocation) that the webhook actor must dedupe and route.
struct verified_event {
  message_type type = message_type::notification;
  std::string message_id;
  sys_time sent{};  // Twitch-Eventsub-Message-Timestamp
  eventsub_message message;
};

/// What the gate decided: an answer now (refusals, challenges, unknown types), or an
/// event for the webhook actor.
struct gate_verdict {
  bool answered = false;
  query_result answer;  // when answered
  metrics::message_kind kind = metrics::message_kind::other;
  metrics::outcome outcome = metrics::outcome::accepted;  // when answered
  verified_event event;                                   // when not answered
};

struct webhook_gate_config {
  std::string secret;                // usable secret, or empty when disabled
  std::string disabled_detail;       // the 503 detail when disabled (names the variable)
  std::chrono::seconds window{600};  // replay window (both directions)
};

/// Everything about a delivery that needs no state, on the HTTP thread, before any actor
/// hop: headers present, the signature (constant time), the message id's shape, the
/// timestamp and replay window, the body's structure. So a forgery never reaches an
/// actor, and a challenge is answered right here. Thread-safe: each thread has its own
/// keyed HMAC context and JSON parser. Refusals are logged at debug with their reason;
/// bad signatures also as warnings, the first few a minute (then a count).
class webhook_gate {
 public:
  explicit webhook_gate(webhook_gate_config cfg);

  gate_verdict check(webhook_request&& req) const;

  /// Twitch's message ids are short ASCII (UUIDs): 1-128 printable characters.
  static bool valid_message_id(std::string_view id);

 private:
  gate_verdict refuse(metrics::message_kind kind, metrics::outcome o, errc code,
                      std::string detail) const;
  bool verify(const webhook_request& req) const;

  webhook_gate_config cfg_;
  mutable log_limiter forged_;  // "rejected a message with an invalid signature"
};

}  // namespace eventsubd::twitch
