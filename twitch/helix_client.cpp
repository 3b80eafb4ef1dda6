#include "twitch/helix_client.hpp"

#include "core/logging.hpp"
#include "core/metrics.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <map>
#include <random>
#include <thread>

namespace eventsubd::twitch {
namespace {

constexpr size_t batch_size = 100;

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string subscription_body(const std::string& type, const std::string& broadcaster_id,
                              const std::string& callback, const std::string& secret) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  auto str = [&](const std::string& s) {
    w.String(s.data(), static_cast<unsigned>(s.size()));
  };
  w.StartObject();
  w.Key("type");
  str(type);
  w.Key("version");
  w.String("1");
  w.Key("condition");
  w.StartObject();
  w.Key("broadcaster_user_id");
  str(broadcaster_id);
  w.EndObject();
  w.Key("transport");
  w.StartObject();
  w.Key("method");
  w.String("webhook");
  w.Key("callback");
  str(callback);
  w.Key("secret");
  str(secret);
  w.EndObject();
  w.EndObject();
  return {buf.GetString(), buf.GetSize()};
}

}  // namespace

helix_client::helix_client(helix_config cfg, std::function<bool()> stopping)
    : cfg_(std::move(cfg)), stopping_(std::move(stopping)), http_(cfg_.timeout) {}

namespace {

metrics::helix_endpoint endpoint_of(const std::string& method, const std::string& path) {
  if (path == "/users") return metrics::helix_endpoint::users;
  if (path == "/streams") return metrics::helix_endpoint::streams;
  if (path == "/eventsub/subscriptions") {
    if (method == "POST") return metrics::helix_endpoint::subscription_create;
    if (method == "DELETE") return metrics::helix_endpoint::subscription_delete;
    return metrics::helix_endpoint::subscription_list;
  }
  return metrics::helix_endpoint::other;
}

}  // namespace

bool helix_client::wait(std::chrono::milliseconds d) {
  auto until = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < until) {
    if (stopping_ && stopping_()) return false;
    std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(
        std::chrono::milliseconds(50),
        std::chrono::duration_cast<std::chrono::milliseconds>(
            until - std::chrono::steady_clock::now())));
  }
  return !(stopping_ && stopping_());
}

twitch_error helix_client::failure(const http_result& r, const std::string& what) const {
  if (r.status == 0) {
    if (r.timed_out)
      return {errc::upstream_timeout, "Twitch did not answer in time (" + what + ")"};
    return {errc::unavailable, "Twitch is unreachable (" + what + "): " + r.error};
  }
  auto message = parse_error_message(r.body);
  return {errc::upstream_error, "Twitch answered " + std::to_string(r.status) + " to " +
                                    what + (message.empty() ? "" : ": " + message)};
}

twitch_error helix_client::fetch_token() {
  std::string body = "client_id=" + url_encode(cfg_.client_id) +
                     "&client_secret=" + url_encode(cfg_.client_secret) +
                     "&grant_type=client_credentials";
  http_result r;
  for (int attempt = 1;; ++attempt) {
    ++stats_.calls["POST /token"];
    r = http_.request(cfg_.auth, "POST", "/token", {}, body,
                      "application/x-www-form-urlencoded");
    metrics::helix_call(metrics::helix_endpoint::token, static_cast<unsigned>(r.status));
    bool retry = r.status == 0 || r.status >= 500 || r.status == 429;
    if (!retry || attempt >= cfg_.max_attempts) break;
    ++stats_.retries;
    metrics::helix_retry();
    if (!wait(cfg_.backoff * (1 << (attempt - 1)))) break;
  }
  if (r.status != 200) {
    if (r.status == 400 || r.status == 401 || r.status == 403)
      return {errc::upstream_error,
              "Twitch refused the app credentials (check TWITCH_CLIENT_ID and "
              "TWITCH_CLIENT_SECRET): " +
                  parse_error_message(r.body)};
    return failure(r, "POST /token");
  }
  auto token = parse_token(r.body);
  if (!token) return {errc::upstream_error, "Twitch sent an unreadable token answer"};
  token_ = *token;
  ++stats_.tokens_fetched;
  log_for("twitch")->info("twitch: obtained an app access token");
  return {};
}

twitch_error helix_client::validate() {
  if (token_.empty()) return fetch_token();
  ++stats_.calls["GET /validate"];
  auto r = http_.request(cfg_.auth, "GET", "/validate",
                         {{"Authorization", "OAuth " + token_}});
  metrics::helix_call(metrics::helix_endpoint::validate, static_cast<unsigned>(r.status));
  if (r.status == 200) return {};
  if (r.status == 401) {
    log_for("twitch")->warn(
        "twitch: the app access token is no longer valid; fetching a new one");
    token_.clear();
    return fetch_token();
  }
  return failure(r, "GET /validate");
}

void helix_client::note_rate_limit(const http_result& r) {
  auto remaining = r.header("ratelimit-remaining");
  auto reset = r.header("ratelimit-reset");
  if (!remaining.empty()) {
    stats_.ratelimit_remaining = std::atoll(remaining.c_str());
    metrics::helix_ratelimit_remaining(stats_.ratelimit_remaining);
  }
  if (!reset.empty()) rate_reset_ = std::atoll(reset.c_str());
}

void helix_client::pace() {
  // Nearly out of points: wait for the bucket's reset instead of running into 429s.
  if (stats_.ratelimit_remaining < 0 || stats_.ratelimit_remaining > 2) return;
  auto wait_s =
      std::clamp<int64_t>(rate_reset_ - unix_now(), 0, cfg_.max_rate_wait.count());
  if (wait_s > 0) {
    log_for("twitch")->info("twitch: rate limit nearly spent; waiting {} s for the reset",
                            wait_s);
    wait(std::chrono::seconds(wait_s));
  }
  stats_.ratelimit_remaining = -1;
}

twitch_error helix_client::call(const std::string& method, const std::string& path,
                                const std::string& query, const std::string& json_body,
                                http_result& out) {
  const std::string what = method + " " + path;
  if (token_.empty())
    if (auto e = fetch_token()) return e;
  bool token_renewed = false;
  thread_local std::mt19937 rng{std::random_device{}()};
  for (int attempt = 1;; ++attempt) {
    pace();
    ++stats_.calls[what];
    std::string target = path;
    if (!query.empty()) target.append("?").append(query);
    out = http_.request(
        cfg_.api, method, target,
        {{"Authorization", "Bearer " + token_}, {"Client-Id", cfg_.client_id}}, json_body,
        json_body.empty() ? "" : "application/json");
    metrics::helix_call(endpoint_of(method, path), static_cast<unsigned>(out.status));
    note_rate_limit(out);
    if (out.status == 401 && !token_renewed) {
      // The token was revoked or expired: get a new one and try once more.
      token_renewed = true;
      token_.clear();
      if (auto e = fetch_token()) return e;
      --attempt;
      continue;
    }
    bool transient = out.status == 0 || out.status >= 500 || out.status == 429;
    if (!transient) return {};
    if (attempt >= cfg_.max_attempts) {
      if (out.status == 429)
        return {errc::unavailable, "Twitch rate limit exceeded (" + what + ")"};
      return failure(out, what);
    }
    ++stats_.retries;
    metrics::helix_retry();
    std::chrono::milliseconds delay;
    if (out.status == 429) {
      ++stats_.rate_limited;
      metrics::helix_rate_limited();
      auto wait_s =
          std::clamp<int64_t>(rate_reset_ - unix_now(), 0, cfg_.max_rate_wait.count());
      delay = std::chrono::seconds(wait_s) + std::chrono::milliseconds(100);
      log_for("twitch")->warn("twitch: 429 on {}; waiting {} ms for the rate limit reset",
                              what, delay.count());
    } else {
      auto base = cfg_.backoff * (1 << (attempt - 1));
      std::uniform_int_distribution<int64_t> jitter(0, base.count() / 2);
      delay = base + std::chrono::milliseconds(jitter(rng));
      log_for("twitch")->warn("twitch: {} failed ({}); retry {} in {} ms", what,
                              out.status ? std::to_string(out.status) : out.error,
                              attempt, delay.count());
    }
    if (!wait(delay)) return {errc::unavailable, "shutting down"};
  }
}

twitch_error helix_client::get_users(const std::vector<std::string>& logins,
                                     std::vector<twitch_user>& out,
                                     const std::vector<std::string>& ids) {
  out.clear();
  // One list of key=value terms, cut into calls of 100.
  std::vector<std::string> terms;
  terms.reserve(logins.size() + ids.size());
  for (const auto& login : logins) terms.push_back("login=" + url_encode(login));
  for (const auto& id : ids) terms.push_back("id=" + url_encode(id));
  for (size_t i = 0; i < terms.size(); i += batch_size) {
    std::string query;
    for (size_t j = i; j < std::min(terms.size(), i + batch_size); ++j)
      query += (query.empty() ? "" : "&") + terms[j];
    http_result r;
    if (auto e = call("GET", "/users", query, {}, r)) return e;
    if (r.status != 200) return failure(r, "GET /users");
    auto users = parse_users(r.body);
    if (!users)
      return {errc::upstream_error, "Twitch sent an unreadable Get Users answer"};
    out.insert(out.end(), users->begin(), users->end());
  }
  return {};
}

twitch_error helix_client::get_streams(const std::vector<std::string>& user_ids,
                                       std::vector<twitch_stream>& out) {
  out.clear();
  for (size_t i = 0; i < user_ids.size(); i += batch_size) {
    std::string ids;
    for (size_t j = i; j < std::min(user_ids.size(), i + batch_size); ++j)
      ids += "&user_id=" + url_encode(user_ids[j]);
    std::string cursor;
    do {
      std::string query =
          "first=100" + ids + (cursor.empty() ? "" : "&after=" + url_encode(cursor));
      http_result r;
      if (auto e = call("GET", "/streams", query, {}, r)) return e;
      if (r.status != 200) return failure(r, "GET /streams");
      auto page = parse_streams(r.body);
      if (!page)
        return {errc::upstream_error, "Twitch sent an unreadable Get Streams answer"};
      out.insert(out.end(), page->items.begin(), page->items.end());
      // A cursor with an empty page would loop forever on a misbehaving server.
      cursor = page->items.empty() ? std::string{} : page->cursor;
    } while (!cursor.empty());
  }
  return {};
}

twitch_error helix_client::create_subscription(const std::string& type,
                                               const std::string& broadcaster_id,
                                               const std::string& callback,
                                               const std::string& secret,
                                               twitch_subscription& out, bool& adopted) {
  adopted = false;
  http_result r;
  if (auto e = call("POST", "/eventsub/subscriptions", {},
                    subscription_body(type, broadcaster_id, callback, secret), r))
    return e;
  if (r.status == 202 || r.status == 200) {
    auto page = parse_subscriptions(r.body, &totals_);
    if (!page || page->items.empty())
      return {errc::upstream_error,
              "Twitch sent an unreadable Create Subscription answer"};
    out = page->items.front();
    return {};
  }
  if (r.status == 409) {
    // It exists already: find it (one filter per request, so check the type here).
    std::vector<twitch_subscription> existing;
    if (auto e = list_subscriptions(existing, broadcaster_id)) return e;
    for (auto& s : existing) {
      if (s.type == type && s.callback == callback) {
        out = s;
        adopted = true;
        return {};
      }
    }
    return {errc::conflict, "Twitch reports a " + type + " subscription for " +
                                broadcaster_id + " that is not ours (another callback)"};
  }
  return failure(r, "POST /eventsub/subscriptions");
}

twitch_error helix_client::list_subscriptions(std::vector<twitch_subscription>& out,
                                              const std::string& broadcaster_id) {
  out.clear();
  std::string cursor;
  do {
    std::string query;
    if (!broadcaster_id.empty()) query = "user_id=" + url_encode(broadcaster_id);
    if (!cursor.empty())
      query += (query.empty() ? "after=" : "&after=") + url_encode(cursor);
    http_result r;
    if (auto e = call("GET", "/eventsub/subscriptions", query, {}, r)) return e;
    if (r.status != 200) return failure(r, "GET /eventsub/subscriptions");
    auto page = parse_subscriptions(r.body, &totals_);
    if (!page)
      return {errc::upstream_error, "Twitch sent an unreadable subscription list"};
    out.insert(out.end(), page->items.begin(), page->items.end());
    cursor = page->items.empty() ? std::string{} : page->cursor;
  } while (!cursor.empty());
  if (broadcaster_id.empty()) {  // the whole list: what /metrics reports
    std::map<std::string, int64_t> by_status;
    for (const auto& sub : out) ++by_status[sub.status];
    metrics::eventsub_subscriptions(by_status, totals_.total_cost,
                                    totals_.max_total_cost);
  }
  return {};
}

twitch_error helix_client::delete_subscription(const std::string& id, bool& existed) {
  http_result r;
  if (auto e = call("DELETE", "/eventsub/subscriptions", "id=" + url_encode(id), {}, r))
    return e;
  if (r.status == 204 || r.status == 200) {
    existed = true;
    return {};
  }
  if (r.status == 404) {
    existed = false;
    return {};
  }
  return failure(r, "DELETE /eventsub/subscriptions");
}

}  // namespace eventsubd::twitch
