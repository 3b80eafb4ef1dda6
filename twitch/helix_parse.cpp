#include "twitch/helix_parse.hpp"

#include <simdjson.h>

namespace eventsubd::twitch {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

/// A parser per thread: Helix answers are parsed on the Twitch client's own thread.
simdjson::dom::parser& parser() {
  thread_local simdjson::dom::parser p;
  return p;
}

std::string str(object o, std::string_view key) {
  std::string_view v;
  if (o[key].get(v) != simdjson::SUCCESS) return {};
  return std::string(v);
}

int64_t num(object o, std::string_view key) {
  int64_t v = 0;
  if (o[key].get(v) != simdjson::SUCCESS) return 0;
  return v;
}

std::string cursor_of(object root) {
  object pagination;
  if (root["pagination"].get(pagination) != simdjson::SUCCESS) return {};
  return str(pagination, "cursor");
}

bool data_of(std::string_view body, object& root, array& data) {
  element doc;
  if (parser().parse(body.data(), body.size()).get(doc)) return false;
  if (doc.get(root)) return false;
  return root["data"].get(data) == simdjson::SUCCESS;
}

}  // namespace

std::optional<std::string> parse_token(std::string_view body) {
  element doc;
  object root;
  if (parser().parse(body.data(), body.size()).get(doc) || doc.get(root))
    return std::nullopt;
  auto token = str(root, "access_token");
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
    twitch_user u{str(o, "id"), str(o, "login"), str(o, "display_name")};
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
    s.id = str(o, "id");
    s.user_id = str(o, "user_id");
    s.user_login = str(o, "user_login");
    s.user_name = str(o, "user_name");
    s.game_name = str(o, "game_name");
    s.title = str(o, "title");
    s.viewer_count = num(o, "viewer_count");
    s.started_at = str(o, "started_at");
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
    s.id = str(o, "id");
    s.type = str(o, "type");
    s.status = str(o, "status");
    s.created_at = str(o, "created_at");
    s.cost = num(o, "cost");
    object condition, transport;
    if (o["condition"].get(condition) == simdjson::SUCCESS)
      s.broadcaster_user_id = str(condition, "broadcaster_user_id");
    if (o["transport"].get(transport) == simdjson::SUCCESS)
      s.callback = str(transport, "callback");
    if (s.id.empty()) return std::nullopt;
    page.items.push_back(std::move(s));
  }
  page.cursor = cursor_of(root);
  if (totals) {
    totals->total = num(root, "total");
    totals->total_cost = num(root, "total_cost");
    totals->max_total_cost = num(root, "max_total_cost");
  }
  return page;
}

std::string parse_error_message(std::string_view body) {
  element doc;
  object root;
  if (parser().parse(body.data(), body.size()).get(doc) || doc.get(root)) return {};
  return str(root, "message");
}

}  // namespace eventsubd::twitch
