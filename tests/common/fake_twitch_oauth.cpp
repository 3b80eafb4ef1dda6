#include "tests/common/fake_twitch_server.hpp"

#include <initializer_list>

namespace eventsubd::testing::fake_twitch_detail {

namespace {

/// The token of `Authorization: <scheme> <token>` when the scheme is one of `schemes`
/// (lowercase, compared case-insensitively).
std::optional<std::string> token_of(const std::string& header,
                                    std::initializer_list<std::string_view> schemes) {
  auto space = header.find(' ');
  if (space == std::string::npos) return std::nullopt;
  auto scheme = lower(std::string_view(header).substr(0, space));
  auto token = header.substr(space + 1);
  while (!token.empty() && token.front() == ' ') token.erase(0, 1);
  if (token.empty()) return std::nullopt;
  for (auto s : schemes)
    if (scheme == s) return token;
  return std::nullopt;
}

}  // namespace

reply server::handle_oauth(const request& req, const recorded_request& rec) {
  reply r;
  if (rec.method == "POST" && rec.path == "/oauth2/token") {
    params p = parse_params(rec.query);
    std::string ctype = lower(req[http::field::content_type]);
    if (starts_with(ctype, "application/x-www-form-urlencoded") ||
        (ctype.empty() && !rec.body.empty())) {
      auto more = parse_params(rec.body);
      p.insert(p.end(), more.begin(), more.end());
    }
    if (value_of(p, "client_id").value_or("") != client_id) {
      r.res = json_response(400, oauth_error_body(400, "invalid client"));
    } else if (value_of(p, "client_secret").value_or("") != client_secret) {
      r.res = json_response(403, oauth_error_body(403, "invalid client secret"));
    } else if (value_of(p, "grant_type").value_or("") != "client_credentials") {
      r.res = json_response(400, oauth_error_body(400, "unsupported grant type"));
    } else {
      std::string token;
      {
        std::lock_guard lk(m);
        token = new_token_locked();
      }
      rapidjson::StringBuffer sb;
      json_writer w(sb);
      w.StartObject();
      put(w, "access_token", token);
      put(w, "expires_in", kExpiresIn);
      put(w, "token_type", "bearer");
      w.EndObject();
      r.res = json_response(200, sb.GetString());
    }
  } else if (rec.method == "GET" && rec.path == "/oauth2/validate") {
    auto token = token_of(rec.authorization, {"oauth", "bearer"});
    bool valid = false;
    {
      std::lock_guard lk(m);
      valid = token && tokens.count(*token) > 0;
    }
    if (!valid) {
      r.res = json_response(401, oauth_error_body(401, "invalid access token"));
    } else {
      rapidjson::StringBuffer sb;
      json_writer w(sb);
      w.StartObject();
      put(w, "client_id", client_id);
      w.Key("scopes");
      w.StartArray();
      w.EndArray();
      put(w, "expires_in", kExpiresIn);
      w.EndObject();
      r.res = json_response(200, sb.GetString());
    }
  } else {
    r.res = json_response(404, oauth_error_body(404, "Not Found"));
  }
  return r;
}

std::string server::new_token_locked() {
  auto token = random_string_locked(30, "abcdefghijklmnopqrstuvwxyz0123456789");
  tokens.insert(token);
  every_token.push_back(token);
  ++issued;
  return token;
}

bool server::authorized(const recorded_request& rec) {
  auto token = token_of(rec.authorization, {"bearer"});
  if (!token || rec.client_id != client_id) return false;
  std::lock_guard lk(m);
  return tokens.count(*token) > 0;
}

}  // namespace eventsubd::testing::fake_twitch_detail
