#include "tests/common/fake_twitch_server.hpp"

#include <simdjson.h>

#include <algorithm>
#include <initializer_list>

namespace eventsubd::testing::fake_twitch_detail {

sub_entry* server::sub_by_id_locked(const std::string& id) {
  for (auto& e : subs)
    if (e.sub.id == id) return &e;
  return nullptr;
}

void server::add_subscription_locked(fake_subscription s) {
  if (s.id.empty()) s.id = uuid_locked();
  if (s.status.empty()) s.status = kEnabled;
  if (s.created_at.empty()) s.created_at = rfc3339_now();
  if (s.version.empty()) s.version = "1";
  subs.push_back({std::move(s), next_seq++});
}

void server::write_totals_locked(json_writer& w, const std::vector<sub_entry>& all) {
  int cost = 0;
  for (const auto& e : all) cost += e.sub.cost;
  put(w, "total", static_cast<int>(all.size()));
  put(w, "total_cost", cost);
  put(w, "max_total_cost", kMaxTotalCost);
}

response server::get_subscriptions(const params& p) {
  int filters = 0;
  for (const char* key : {"status", "type", "user_id", "subscription_id"})
    if (has_key(p, key)) ++filters;
  if (filters > 1)
    return bad_request(
        "Only one of status, type, user_id or subscription_id may be "
        "specified");
  uint64_t after = 0;
  if (auto a = value_of(p, "after")) {
    auto n = decode_cursor(*a);
    if (!n) return bad_request("Invalid cursor");
    after = *n;
  }
  auto status = value_of(p, "status");
  auto type = value_of(p, "type");
  auto user_id = value_of(p, "user_id");
  auto sub_id = value_of(p, "subscription_id");

  rapidjson::StringBuffer sb;
  json_writer w(sb);
  std::lock_guard lk(m);
  w.StartObject();
  w.Key("data");
  w.StartArray();
  size_t emitted = 0;
  uint64_t last_seq = 0;
  bool more = false;
  for (const auto& e : subs) {
    const auto& s = e.sub;
    if (e.seq <= after) continue;
    if ((status && s.status != *status) || (type && s.type != *type) ||
        (user_id && s.broadcaster_user_id != *user_id) || (sub_id && s.id != *sub_id))
      continue;
    if (emitted == page_size) {
      more = true;
      break;
    }
    write_subscription(w, s);
    ++emitted;
    last_seq = e.seq;
  }
  w.EndArray();
  write_totals_locked(w, subs);
  w.Key("pagination");
  w.StartObject();
  if (more) put(w, "cursor", encode_cursor(last_seq));
  w.EndObject();
  w.EndObject();
  return json_response(200, sb.GetString());
}

reply server::create_subscription(const std::string& body) {
  reply r;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(body).get(root) != simdjson::SUCCESS || !root.is_object()) {
    r.res = bad_request("The request body is not a valid JSON object");
    return r;
  }
  auto text = [&](std::initializer_list<const char*> keys) -> std::optional<std::string> {
    simdjson::dom::element e = root;
    for (const char* k : keys)
      if (e[k].get(e) != simdjson::SUCCESS) return std::nullopt;
    std::string_view v;
    if (e.get(v) != simdjson::SUCCESS) return std::nullopt;
    return std::string(v);
  };
  auto type = text({"type"});
  auto version = text({"version"});
  auto broadcaster = text({"condition", "broadcaster_user_id"});
  auto method = text({"transport", "method"});
  auto callback = text({"transport", "callback"});
  auto secret = text({"transport", "secret"});
  std::optional<std::string> error;
  if (!type || (*type != "stream.online" && *type != "stream.offline")) {
    error = "invalid subscription type and version";
  } else if (!version || *version != "1") {
    error = "invalid subscription type and version";
  } else if (!broadcaster || broadcaster->empty()) {
    error = "invalid condition: broadcaster_user_id is required";
  } else if (!method || *method != "webhook") {
    error = "invalid transport method";
  } else if (!callback || callback->empty()) {
    error = "invalid transport: callback is required";
  } else if (!secret || secret->size() < 10 || secret->size() > 100) {
    error = "invalid transport: secret must be between 10 and 100 characters";
  }
  if (error) {
    r.res = bad_request(*error);
    return r;
  }

  std::lock_guard lk(m);
  if (!user_by_id_locked(*broadcaster)) {
    r.res = bad_request("invalid condition: broadcaster_user_id is not a known user");
    return r;
  }
  for (const auto& e : subs) {
    if (e.sub.type == *type && e.sub.broadcaster_user_id == *broadcaster &&
        (e.sub.status == kEnabled || e.sub.status == kPending)) {
      r.res = json_response(409, helix_error_body(409, "subscription already exists"));
      return r;
    }
  }
  fake_subscription s;
  s.type = *type;
  s.version = *version;
  s.status = verify ? kPending : kEnabled;
  s.broadcaster_user_id = *broadcaster;
  s.callback = *callback;
  s.secret = *secret;
  s.cost = 1;
  add_subscription_locked(s);
  const auto& created = subs.back().sub;
  if (verify) r.to_verify.push_back(created);

  rapidjson::StringBuffer sb;
  json_writer w(sb);
  w.StartObject();
  w.Key("data");
  w.StartArray();
  write_subscription(w, created);
  w.EndArray();
  write_totals_locked(w, subs);
  w.EndObject();
  r.res = json_response(202, sb.GetString());
  return r;
}

response server::delete_subscription(const params& p) {
  auto id = value_of(p, "id");
  if (!id || id->empty()) return bad_request("Missing required parameter \"id\"");
  std::lock_guard lk(m);
  auto it = std::find_if(subs.begin(), subs.end(),
                         [&](const sub_entry& e) { return e.sub.id == *id; });
  if (it == subs.end())
    return json_response(404, helix_error_body(404, "subscription not found"));
  subs.erase(it);
  response res{http::status::no_content, 11};
  return res;
}

}  // namespace eventsubd::testing::fake_twitch_detail
