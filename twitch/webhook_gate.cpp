#include "twitch/webhook_gate.hpp"

#include "core/logging.hpp"
#include "core/login.hpp"
#include "twitch/signature.hpp"
#include "twitch/webhook_replies.hpp"

#include <map>
#include <memory>

namespace eventsubd::twitch {
namespace {

metrics::message_kind metrics_kind(std::string_view type_header) {
  switch (parse_message_type(type_header)) {
    case message_type::notification:
      return metrics::message_kind::notification;
    case message_type::verification:
      return metrics::message_kind::verification;
    case message_type::revocation:
      return metrics::message_kind::revocation;
    case message_type::unknown:
      break;
  }
  return metrics::message_kind::other;
}

/// This thread's keyed HMAC context for `secret` (an HTTP thread keeps its own, so
/// verifying takes no lock).
const signature_verifier& verifier_for(const std::string& secret) {
  thread_local std::map<std::string, std::unique_ptr<signature_verifier>> verifiers;
  auto& v = verifiers[secret];
  if (!v) v = std::make_unique<signature_verifier>(secret);
  return *v;
}

eventsub_parser& thread_parser() {
  thread_local eventsub_parser parser;
  return parser;
}

std::string missing_headers(const webhook_request& req) {
  std::string out;
  auto add = [&](bool present, const char* name) {
    if (present) return;
    out += out.empty() ? "" : ", ";
    out += name;
  };
  add(req.has_id, "Twitch-Eventsub-Message-Id");
  add(req.has_timestamp, "Twitch-Eventsub-Message-Timestamp");
  add(req.has_signature, "Twitch-Eventsub-Message-Signature");
  return out;
}

}  // namespace

webhook_gate::webhook_gate(webhook_gate_config cfg)
    : cfg_(std::move(cfg)),
      forged_("webhook: rejected messages with an invalid signature") {}

bool webhook_gate::valid_message_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (unsigned char c : id)
    if (c < 0x21 || c > 0x7e) return false;
  return true;
}

gate_verdict webhook_gate::refuse(metrics::message_kind kind, metrics::outcome o,
                                  errc code, std::string detail) const {
  log_for("twitch")->debug("webhook: refused ({}): {}", to_string(code), detail);
  gate_verdict v;
  v.answered = true;
  v.kind = kind;
  v.outcome = o;
  v.answer = query_result::failure(code, std::move(detail));
  return v;
}

bool webhook_gate::verify(const webhook_request& req) const {
  return verifier_for(cfg_.secret)
      .verify(req.message_id, req.timestamp, req.body, req.signature);
}

gate_verdict webhook_gate::check(webhook_request&& req) const {
  using metrics::outcome;
  const auto kind = metrics_kind(req.message_type);
  if (cfg_.secret.empty())
    return refuse(kind, outcome::unavailable, errc::unavailable, cfg_.disabled_detail);
  if (auto missing = missing_headers(req); !missing.empty())
    return refuse(kind, outcome::bad_signature, errc::forbidden,
                  "Missing " + missing + " header");
  if (!verify(req)) {
    if (forged_.allow("twitch"))
      log_for("twitch")->warn("webhook: rejected message {} with an invalid signature",
                              req.message_id.substr(0, 64));
    return refuse(kind, outcome::bad_signature, errc::forbidden, "Invalid signature");
  }
  if (!valid_message_id(req.message_id))
    return refuse(
        kind, outcome::malformed, errc::bad_request,
        "Twitch-Eventsub-Message-Id must be 1 to 128 printable ASCII characters");
  auto sent = parse_rfc3339(req.timestamp);
  if (!sent)
    return refuse(kind, outcome::bad_signature, errc::forbidden,
                  "Invalid Twitch-Eventsub-Message-Timestamp");
  if (!req.has_type)
    return refuse(kind, outcome::malformed, errc::bad_request,
                  "Missing Twitch-Eventsub-Message-Type header");
  auto type = parse_message_type(req.message_type);
  if (type == message_type::notification || type == message_type::revocation) {
    // Challenges are exempt: answering one again does nothing.
    auto received = now();
    if (*sent + cfg_.window < received)
      return refuse(kind, outcome::stale, errc::forbidden,
                    "Message timestamp is older than 10 minutes; replay refused");
    if (*sent - cfg_.window > received)
      return refuse(kind, outcome::stale, errc::forbidden,
                    "Message timestamp is too far in the future");
  }
  auto parsed = thread_parser().parse(type, req.body);
  if (auto* why = std::get_if<std::string>(&parsed))
    return refuse(kind, outcome::malformed, errc::bad_request, *why);
  auto& msg = std::get<eventsub_message>(parsed);
  gate_verdict v;
  v.kind = kind;
  switch (type) {
    case message_type::verification:
      log_for("twitch")->info(
          "webhook: answered the verification challenge of subscription {} ({})",
          msg.subscription.id, msg.subscription.type);
      v.answered = true;
      v.answer =
          query_result::success(make_body(std::move(msg.challenge)), body_kind::text);
      return v;
    case message_type::unknown:
      v.answered = true;
      v.outcome = outcome::ignored;
      v.answer = query_result::success(webhook_replies::ignored());
      return v;
    case message_type::notification:
    case message_type::revocation:
      break;
  }
  const auto& sub_type = msg.subscription.type;
  if (type == message_type::notification &&
      (sub_type == "stream.online" || sub_type == "stream.offline")) {
    auto login = normalize_login(msg.event.broadcaster_user_login);
    if (!login)
      return refuse(kind, outcome::malformed, errc::bad_request,
                    "Invalid broadcaster_user_login in the event");
    msg.event.broadcaster_user_login = std::move(*login);
  }
  v.event = {type, std::move(req.message_id), *sent, std::move(msg)};
  return v;
}

}  // namespace eventsubd::twitch
