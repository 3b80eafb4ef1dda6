#include "tests/common/fake_twitch_server.hpp"

#include <algorithm>

namespace eventsubd::testing::fake_twitch_detail {

reply server::handle_helix(const request& req, const recorded_request& rec) {
  reply r;
  const bool subs_path = rec.path == "/helix/eventsub/subscriptions";
  const bool known =
      (rec.method == "GET" &&
       (rec.path == "/helix/users" || rec.path == "/helix/streams" || subs_path)) ||
      (subs_path && (rec.method == "POST" || rec.method == "DELETE"));
  if (!known) {
    r.res = json_response(404, helix_error_body(404, "Not Found"));
    return r;
  }

  std::optional<fault> injected;
  std::chrono::milliseconds delay{0};
  int remaining = 0;
  int64_t reset = 0;
  {
    std::lock_guard lk(m);
    bool delay_taken = false;
    for (auto& f : faults) {
      if (f.remaining <= 0 || !starts_with(rec.path, f.prefix)) continue;
      if (f.what == fault::kind::delay) {
        if (delay_taken) continue;
        delay_taken = true;
        delay = f.delay;
        --f.remaining;
      } else if (!injected) {
        injected = f;
        --f.remaining;
      }
    }
    faults.erase(std::remove_if(faults.begin(), faults.end(),
                                [](const fault& f) { return f.remaining <= 0; }),
                 faults.end());
    auto now = unix_now();
    if (now >= rl_window_start + 60) {
      rl_window_start = now;
      rl_remaining = kRateLimit;
    }
    if (rl_remaining > 0) --rl_remaining;
    remaining = rl_remaining;
    reset = rl_window_start + 60;
  }
  if (delay.count() > 0) {
    std::unique_lock lk(m);
    stop_cv.wait_for(lk, delay, [this] { return stopping.load(); });
  }

  if (injected && injected->what == fault::kind::garbage) {
    r.res = response{http::status::ok, 11};
    r.res.set(http::field::content_type, "application/json; charset=utf-8");
    r.res.body() = "<html><body>upstream garbage, not JSON {\"data\":[</body></html>";
  } else if (injected) {
    int status = injected->status;
    r.res = json_response(
        status, helix_error_body(
                    status, status == 429 ? "Too Many Requests" : "injected failure"));
    if (status == 429) {
      remaining = 0;
      reset = unix_now() + injected->reset_in;
    }
  } else if (!authorized(rec)) {
    r.res = json_response(401, helix_error_body(401, "Invalid OAuth token"));
  } else if (rec.path == "/helix/users") {
    r.res = get_users(parse_params(rec.query));
  } else if (rec.path == "/helix/streams") {
    r.res = get_streams(parse_params(rec.query));
  } else if (rec.method == "GET") {
    r.res = get_subscriptions(parse_params(rec.query));
  } else if (rec.method == "POST") {
    r = create_subscription(req.body());
  } else {
    r.res = delete_subscription(parse_params(rec.query));
  }
  r.res.set("Ratelimit-Limit", std::to_string(kRateLimit));
  r.res.set("Ratelimit-Remaining", std::to_string(remaining));
  r.res.set("Ratelimit-Reset", std::to_string(reset));
  return r;
}

response server::bad_request(std::string_view message) {
  return json_response(400, helix_error_body(400, message));
}

response server::get_users(const params& p) {
  auto ids = values_of(p, "id");
  auto logins = values_of(p, "login");
  if (ids.empty() && logins.empty())
    return bad_request("Must provide an ID, Login or OAuth Token");
  if (ids.size() + logins.size() > 100)
    return bad_request("The sum of ID and login parameters must not exceed 100");
  std::set<std::string> id_set(ids.begin(), ids.end());
  std::set<std::string> login_set;
  for (const auto& l : logins) login_set.insert(lower(l));

  rapidjson::StringBuffer sb;
  json_writer w(sb);
  w.StartObject();
  w.Key("data");
  w.StartArray();
  {
    std::lock_guard lk(m);
    for (const auto& u : users) {
      if (!id_set.count(u.id) && !login_set.count(lower(u.login))) continue;
      w.StartObject();
      put(w, "id", u.id);
      put(w, "login", u.login);
      put(w, "display_name", u.display_name);
      put(w, "type", "");
      put(w, "broadcaster_type", "");
      put(w, "description", "");
      put(w, "profile_image_url", "");
      put(w, "offline_image_url", "");
      put(w, "view_count", 0);
      put(w, "created_at", "2020-01-01T00:00:00Z");
      w.EndObject();
    }
  }
  w.EndArray();
  w.EndObject();
  return json_response(200, sb.GetString());
}

response server::get_streams(const params& p) {
  auto ids = values_of(p, "user_id");
  auto logins = values_of(p, "user_login");
  if (ids.size() > 100) return bad_request("The number of user_id values exceeds 100");
  if (logins.size() > 100)
    return bad_request("The number of user_login values exceeds 100");
  int first = 20;
  if (auto f = value_of(p, "first")) {
    auto n = parse_int(*f);
    if (!n || *n < 1 || *n > 100)
      return bad_request(
          "The parameter \"first\" was malformed: the value must be "
          "between 1 and 100");
    first = *n;
  }
  uint64_t offset = 0;
  if (auto a = value_of(p, "after")) {
    auto n = decode_cursor(*a);
    if (!n) return bad_request("Invalid cursor");
    offset = *n;
  }
  std::set<std::string> id_set(ids.begin(), ids.end());
  std::set<std::string> login_set;
  for (const auto& l : logins) login_set.insert(lower(l));

  std::vector<fake_stream> matching;
  {
    std::lock_guard lk(m);
    for (const auto& s : streams) {
      if ((!id_set.empty() || !login_set.empty()) && !id_set.count(s.user_id) &&
          !login_set.count(lower(s.user_login)))
        continue;
      matching.push_back(s);
    }
  }
  std::stable_sort(matching.begin(), matching.end(),
                   [](const fake_stream& a, const fake_stream& b) {
                     return a.viewer_count > b.viewer_count;
                   });

  rapidjson::StringBuffer sb;
  json_writer w(sb);
  w.StartObject();
  w.Key("data");
  w.StartArray();
  uint64_t end = std::min<uint64_t>(matching.size(), offset + first);
  for (uint64_t i = offset; i < end; ++i) {
    const auto& s = matching[i];
    w.StartObject();
    put(w, "id", s.id);
    put(w, "user_id", s.user_id);
    put(w, "user_login", s.user_login);
    put(w, "user_name", s.user_name);
    put(w, "game_id", s.game_id);
    put(w, "game_name", s.game_name);
    put(w, "type", "live");
    put(w, "title", s.title);
    w.Key("tags");
    w.StartArray();
    for (const auto& t : s.tags)
      w.String(t.data(), static_cast<rapidjson::SizeType>(t.size()));
    w.EndArray();
    put(w, "viewer_count", s.viewer_count);
    put(w, "started_at", s.started_at);
    put(w, "language", "en");
    put(w, "thumbnail_url",
        "https://static-cdn.jtvnw.net/previews-ttv/live_user_" + lower(s.user_login) +
            "-{width}x{height}.jpg");
    w.Key("tag_ids");
    w.StartArray();
    w.EndArray();
    w.Key("is_mature");
    w.Bool(false);
    w.EndObject();
  }
  w.EndArray();
  w.Key("pagination");
  w.StartObject();
  if (end < matching.size()) put(w, "cursor", encode_cursor(end));
  w.EndObject();
  w.EndObject();
  return json_response(200, sb.GetString());
}

}  // namespace eventsubd::testing::fake_twitch_detail
