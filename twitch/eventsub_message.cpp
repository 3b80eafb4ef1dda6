#include "twitch/eventsub_message.hpp"

#include "core/text.hpp"

#include <simdjson.h>

namespace eventsubd::twitch {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

/// Reads `obj[key]` as a string into `out`. Missing or null leaves `out` empty and
/// succeeds unless `required`; any other type fails.
bool read_string(object obj, std::string_view key, std::string& out, bool required) {
  element value;
  if (obj[key].get(value) != simdjson::SUCCESS || value.is_null()) return !required;
  std::string_view text;
  if (value.get(text) != simdjson::SUCCESS) return false;
  out.assign(text);
  return !(required && out.empty());
}

}  // namespace

message_type parse_message_type(std::string_view header) {
  if (iequals(header, "notification")) return message_type::notification;
  if (iequals(header, "webhook_callback_verification")) return message_type::verification;
  if (iequals(header, "revocation")) return message_type::revocation;
  return message_type::unknown;
}

struct eventsub_parser::impl {
  simdjson::dom::parser parser;
};

eventsub_parser::eventsub_parser() : impl_(std::make_unique<impl>()) {}
eventsub_parser::~eventsub_parser() = default;

std::variant<eventsub_message, std::string> eventsub_parser::parse(
    message_type type, std::string_view body) {
  element doc;
  // simdjson would memcpy from a null pointer for an empty view (UB, found by fuzzing).
  if (body.empty()) return std::string("Request body is not valid JSON");
  auto err = impl_->parser.parse(body.data(), body.size()).get(doc);
  if (err == simdjson::UTF8_ERROR) return std::string("Request body is not valid UTF-8");
  if (err) return std::string("Request body is not valid JSON");
  object root;
  if (doc.get(root) != simdjson::SUCCESS)
    return std::string("Request body must be a JSON object");

  eventsub_message msg;
  object sub;
  if (root["subscription"].get(sub) != simdjson::SUCCESS)
    return std::string("Missing or invalid 'subscription' object");
  if (!read_string(sub, "type", msg.subscription.type, true))
    return std::string("Missing or invalid 'subscription.type'");
  if (!read_string(sub, "id", msg.subscription.id, false) ||
      !read_string(sub, "version", msg.subscription.version, false) ||
      !read_string(sub, "status", msg.subscription.status, false))
    return std::string("Invalid field types in 'subscription'");
  object condition;
  if (sub["condition"].get(condition) == simdjson::SUCCESS &&
      !read_string(condition, "broadcaster_user_id", msg.subscription.broadcaster_user_id,
                   false))
    return std::string("Invalid 'subscription.condition.broadcaster_user_id'");

  switch (type) {
    case message_type::verification:
      if (!read_string(root, "challenge", msg.challenge, true))
        return std::string("Missing or invalid 'challenge'");
      return msg;
    case message_type::revocation:
    case message_type::unknown:
      return msg;
    case message_type::notification:
      break;
  }

  object event;
  if (root["event"].get(event) != simdjson::SUCCESS)
    return std::string("Missing or invalid 'event' object");
  msg.event.raw = simdjson::minify(event);
  const auto& sub_type = msg.subscription.type;
  if (sub_type == "stream.online" || sub_type == "stream.offline") {
    auto& ev = msg.event;
    if (!read_string(event, "broadcaster_user_id", ev.broadcaster_user_id, true) ||
        !read_string(event, "broadcaster_user_login", ev.broadcaster_user_login, true) ||
        !read_string(event, "broadcaster_user_name", ev.broadcaster_user_name, false))
      return std::string(
          "Event is missing broadcaster_user_id, broadcaster_user_login or "
          "broadcaster_user_name");
    if (sub_type == "stream.online" &&
        (!read_string(event, "id", ev.stream_id, false) ||
         !read_string(event, "type", ev.stream_type, false) ||
         !read_string(event, "started_at", ev.started_at, false)))
      return std::string("Invalid field types in the stream.online event");
  }
  return msg;
}

}  // namespace eventsubd::twitch
