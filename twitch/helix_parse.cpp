#include "twitch/helix_parse.hpp"

#include "core/json_read.hpp"

namespace eventsubd::twitch {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

std::string cursor_of(object root) {
  object pagination;
  if (root["pagination"].get(pagination) != simdjson::SUCCESS) return {};
  return string_field(pagination, "cursor");
}

bool data_of(std::string_view body, object& root, array& data) {
  if (!parse_json_object(body, root)) return false;
  return root["data"].get(data) == simdjson::SUCCESS;
}

}  // namespace

std::optional<std::string> parse_token(std::string_view body) {
  object root;
  if (!parse_json_object(body, root)) return std::nullopt;
  auto token = string_field(root, "access_token");
  if (token.empty()) return std::nullopt;
  return token;
}

std::optional<std::vector<twitch_user>> parse_users(std::string_view body) {
  object root;
  array data;
  if (!data_of(body, root, data)) return std::nullopt;
  std::vector<twitch_user> out;
  for (element item : data) {
    object o;
    if (item.get(o)) return std::nullopt;
    twitch_user u{string_field(o, "id"), string_field(o, "login"),
                  string_field(o, "display_name")};
    if (u.id.empty() || u.login.empty()) return std::nullopt;
    out.push_back(std::move(u));
  }
  return out;
}

std::optional<helix_page<twitch_stream>> parse_streams(std::string_view body) {
  object root;
  array data;
  if (!data_of(body, root, data)) return std::nullopt;
  helix_page<twitch_stream> page;
  for (element item : data) {
    object o;
    if (item.get(o)) return std::nullopt;
    twitch_stream s;
    s.id = string_field(o, "id");
    s.user_id = string_field(o, "user_id");
    s.user_login = string_field(o, "user_login");
    s.user_name = string_field(o, "user_name");
    s.game_name = string_field(o, "game_name");
    s.title = string_field(o, "title");
    s.viewer_count = int_field(o, "viewer_count");
    s.started_at = string_field(o, "started_at");
    s.raw = simdjson::minify(o);
    if (s.user_id.empty()) return std::nullopt;
    page.items.push_back(std::move(s));
  }
  page.cursor = cursor_of(root);
  return page;
}

std::optional<helix_page<twitch_subscription>> parse_subscriptions(
    std::string_view body, subscription_totals* totals) {
  object root;
  array data;
  if (!data_of(body, root, data)) return std::nullopt;
  helix_page<twitch_subscription> page;
  for (element item : data) {
    object o;
    if (item.get(o)) return std::nullopt;
    twitch_subscription s;
    s.id = string_field(o, "id");
    s.type = string_field(o, "type");
    s.status = string_field(o, "status");
    s.created_at = string_field(o, "created_at");
    s.cost = int_field(o, "cost");
    object condition, transport;
    if (o["condition"].get(condition) == simdjson::SUCCESS)
      s.broadcaster_user_id = string_field(condition, "broadcaster_user_id");
    if (o["transport"].get(transport) == simdjson::SUCCESS)
      s.callback = string_field(transport, "callback");
    if (s.id.empty()) return std::nullopt;
    page.items.push_back(std::move(s));
  }
  page.cursor = cursor_of(root);
  if (totals) {
    totals->total = int_field(root, "total");
    totals->total_cost = int_field(root, "total_cost");
    totals->max_total_cost = int_field(root, "max_total_cost");
  }
  return page;
}

std::string parse_error_message(std::string_view body) {
  object root;
  if (!parse_json_object(body, root)) return {};
  return string_field(root, "message");
}

}  // namespace eventsubd::twitch
