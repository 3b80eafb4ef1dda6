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

helix_client::helix_client(helix_config cfg, std::shared_ptr<app_token> token,
                           std::shared_ptr<rate_budget> budget, work_class cls,
                           std::function<bool()> cancelled)
    : cfg_(std::move(cfg)),
      token_(std::move(token)),
      budget_(std::move(budget)),
      cls_(cls),
      cancelled_(std::move(cancelled)),
      http_(cfg_.timeout, cancelled_) {}

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

error_info cancelled_error() {
  return fail(errc::unavailable, "cancelled");
}

}  // namespace

bool helix_client::wait(std::chrono::milliseconds d) {
  auto until = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < until) {
    if (is_cancelled()) return false;
    std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(
        std::chrono::milliseconds(50),
        std::chrono::duration_cast<std::chrono::milliseconds>(
            until - std::chrono::steady_clock::now())));
  }
  return !is_cancelled();
}

error_info helix_client::failure(const http_result& r, const std::string& what) const {
  if (r.status == 0) {
    if (r.cancelled) return cancelled_error();
    if (r.timed_out)
      return fail(errc::upstream_timeout, "Twitch did not answer in time (" + what + ")");
    return fail(errc::unavailable, "Twitch is unreachable (" + what + "): " + r.error);
  }
  auto message = parse_error_message(r.body);
  return fail(errc::upstream_error, "Twitch answered " + std::to_string(r.status) +
                                        " to " + what +
                                        (message.empty() ? "" : ": " + message));
}

result<std::string> helix_client::fetch_token() {
  std::string body = "client_id=" + url_encode(cfg_.client_id) +
                     "&client_secret=" + url_encode(cfg_.client_secret) +
                     "&grant_type=client_credentials";
  http_result r;
  for (int attempt = 1;; ++attempt) {
    ++stats_.calls["POST /token"];
    r = http_.request(cfg_.auth, "POST", "/token", {}, body,
                      "application/x-www-form-urlencoded");
    metrics::helix_call(metrics::helix_endpoint::token, static_cast<unsigned>(r.status));
    bool retry = (r.status == 0 && !r.cancelled) || r.status >= 500 || r.status == 429;
    if (!retry || attempt >= cfg_.max_attempts) break;
    ++stats_.retries;
    metrics::helix_retry();
    if (!wait(cfg_.backoff * (1 << (attempt - 1)))) return cancelled_error();
  }
  if (r.status != 200) {
    if (r.status == 400 || r.status == 401 || r.status == 403)
      return fail(errc::upstream_error,
                  "Twitch refused the app credentials (check TWITCH_CLIENT_ID and "
                  "TWITCH_CLIENT_SECRET): " +
                      parse_error_message(r.body));
    return failure(r, "POST /token");
  }
  auto token = parse_token(r.body);
  if (!token) return fail(errc::upstream_error, "Twitch sent an unreadable token answer");
  ++stats_.tokens_fetched;
  log_for("twitch")->info("twitch: obtained an app access token");
  return std::move(*token);
}

app_token::fetch_fn helix_client::fetcher() {
  return [this] { return fetch_token(); };
}

result<void> helix_client::validate() {
  auto token = token_->current();
  if (token.empty()) {
    auto got = token_->obtain(fetcher(), cancelled_);
    if (!got) return got.error();
    return {};
  }
  ++stats_.calls["GET /validate"];
  auto r =
      http_.request(cfg_.auth, "GET", "/validate", {{"Authorization", "OAuth " + token}});
  metrics::helix_call(metrics::helix_endpoint::validate, static_cast<unsigned>(r.status));
  if (r.status == 200) return {};
  if (r.status == 401) {
    log_for("twitch")->warn(
        "twitch: the app access token is no longer valid; fetching a new one");
    auto got = token_->replace(token, fetcher(), cancelled_);
    if (!got) return got.error();
    return {};
  }
  return failure(r, "GET /validate");
}

void helix_client::note_rate_limit(const http_result& r) {
  auto limit = r.header("ratelimit-limit");
  auto remaining = r.header("ratelimit-remaining");
  auto reset = r.header("ratelimit-reset");
  if (!remaining.empty()) {
    stats_.ratelimit_remaining = std::atoll(remaining.c_str());
    metrics::helix_ratelimit_remaining(stats_.ratelimit_remaining);
  }
  if (r.status == 429)
    budget_->note_429(reset.empty() ? 0 : std::atoll(reset.c_str()));
  else if (!remaining.empty() && !reset.empty())  // absent: nothing learnt
    budget_->observe(limit.empty() ? 0 : std::atoll(limit.c_str()),
                     stats_.ratelimit_remaining, std::atoll(reset.c_str()));
}

result<http_result> helix_client::call(const std::string& method, const std::string& path,
                                       const std::string& query,
                                       const std::string& json_body) {
  const std::string what = method + " " + path;
  auto token = token_->obtain(fetcher(), cancelled_);
  if (!token) return token.error();
  std::string bearer = std::move(*token);
  bool token_renewed = false;
  thread_local std::mt19937 rng{std::random_device{}()};
  for (int attempt = 1;; ++attempt) {
    // The shared bucket: lower classes leave a reserve, and after a 429 everybody
    // waits for the reset.
    if (!budget_->wait_turn(cls_, cancelled_)) return cancelled_error();
    ++stats_.calls[what];
    std::string target = path;
    if (!query.empty()) target.append("?").append(query);
    auto out = http_.request(
        cfg_.api, method, target,
        {{"Authorization", "Bearer " + bearer}, {"Client-Id", cfg_.client_id}}, json_body,
        json_body.empty() ? "" : "application/json");
    metrics::helix_call(endpoint_of(method, path), static_cast<unsigned>(out.status));
    note_rate_limit(out);
    if (out.cancelled) return cancelled_error();
    if (out.status == 401 && !token_renewed) {
      // Revoked or expired: replace it (once for all clients) and try once more.
      token_renewed = true;
      auto renewed = token_->replace(bearer, fetcher(), cancelled_);
      if (!renewed) return renewed.error();
      bearer = std::move(*renewed);
      --attempt;
      continue;
    }
    bool transient = out.status == 0 || out.status >= 500 || out.status == 429;
    if (!transient) return out;
    if (attempt >= cfg_.max_attempts) {
      if (out.status == 429)
        return fail(errc::unavailable, "Twitch rate limit exceeded (" + what + ")",
                    budget_->until_reset());
      return failure(out, what);
    }
    ++stats_.retries;
    metrics::helix_retry();
    if (out.status == 429) {
      ++stats_.rate_limited;
      metrics::helix_rate_limited();
      // The next wait_turn waits for the reset (bounded, cancellable).
      log_for("twitch")->warn(
          "twitch: 429 on {}; waiting {} s for the rate limit reset, then retry {}", what,
          budget_->until_reset().count(), attempt);
      continue;
    }
    auto base = cfg_.backoff * (1 << (attempt - 1));
    std::uniform_int_distribution<int64_t> jitter(0, base.count() / 2);
    auto delay = base + std::chrono::milliseconds(jitter(rng));
    log_for("twitch")->warn("twitch: {} failed ({}); retry {} in {} ms", what,
                            out.status ? std::to_string(out.status) : out.error, attempt,
                            delay.count());
    if (!wait(delay)) return cancelled_error();
  }
}

result<std::vector<twitch_user>> helix_client::get_users(
    const std::vector<std::string>& logins, const std::vector<std::string>& ids) {
  std::vector<twitch_user> out;
  // One list of key=value terms, cut into calls of 100.
  std::vector<std::string> terms;
  terms.reserve(logins.size() + ids.size());
  for (const auto& login : logins) terms.push_back("login=" + url_encode(login));
  for (const auto& id : ids) terms.push_back("id=" + url_encode(id));
  for (size_t i = 0; i < terms.size(); i += batch_size) {
    std::string query;
    for (size_t j = i; j < std::min(terms.size(), i + batch_size); ++j)
      query += (query.empty() ? "" : "&") + terms[j];
    auto r = call("GET", "/users", query);
    if (!r) return r.error();
    if (r->status != 200) return failure(*r, "GET /users");
    auto users = parse_users(r->body);
    if (!users)
      return fail(errc::upstream_error, "Twitch sent an unreadable Get Users answer");
    out.insert(out.end(), users->begin(), users->end());
  }
  return out;
}

result<std::vector<twitch_stream>> helix_client::get_streams(
    const std::vector<std::string>& user_ids) {
  std::vector<twitch_stream> out;
  for (size_t i = 0; i < user_ids.size(); i += batch_size) {
    std::string ids;
    for (size_t j = i; j < std::min(user_ids.size(), i + batch_size); ++j)
      ids += "&user_id=" + url_encode(user_ids[j]);
    std::string cursor;
    do {
      std::string query =
          "first=100" + ids + (cursor.empty() ? "" : "&after=" + url_encode(cursor));
      auto r = call("GET", "/streams", query);
      if (!r) return r.error();
      if (r->status != 200) return failure(*r, "GET /streams");
      auto page = parse_streams(r->body);
      if (!page)
        return fail(errc::upstream_error, "Twitch sent an unreadable Get Streams answer");
      out.insert(out.end(), page->items.begin(), page->items.end());
      // A cursor with an empty page would loop forever on a misbehaving server.
      cursor = page->items.empty() ? std::string{} : page->cursor;
    } while (!cursor.empty());
  }
  return out;
}

result<created_subscription> helix_client::create_subscription(
    const std::string& type, const std::string& broadcaster_id,
    const std::string& callback, const std::string& secret) {
  auto r = call("POST", "/eventsub/subscriptions", {},
                subscription_body(type, broadcaster_id, callback, secret));
  if (!r) return r.error();
  if (r->status == 202 || r->status == 200) {
    auto page = parse_subscriptions(r->body, &totals_);
    if (!page || page->items.empty())
      return fail(errc::upstream_error,
                  "Twitch sent an unreadable Create Subscription answer");
    return created_subscription{page->items.front(), false};
  }
  if (r->status == 409) {
    // It exists already: find it (one filter per request, so check the type here).
    auto existing = list_subscriptions(broadcaster_id);
    if (!existing) return existing.error();
    for (auto& s : *existing)
      if (s.type == type && s.callback == callback) return created_subscription{s, true};
    return fail(errc::conflict, "Twitch reports a " + type + " subscription for " +
                                    broadcaster_id +
                                    " that is not ours (another callback)");
  }
  return failure(*r, "POST /eventsub/subscriptions");
}

result<std::vector<twitch_subscription>> helix_client::list_subscriptions(
    const std::string& broadcaster_id) {
  std::vector<twitch_subscription> out;
  std::string cursor;
  do {
    std::string query;
    if (!broadcaster_id.empty()) query = "user_id=" + url_encode(broadcaster_id);
    if (!cursor.empty())
      query += (query.empty() ? "after=" : "&after=") + url_encode(cursor);
    auto r = call("GET", "/eventsub/subscriptions", query);
    if (!r) return r.error();
    if (r->status != 200) return failure(*r, "GET /eventsub/subscriptions");
    auto page = parse_subscriptions(r->body, &totals_);
    if (!page)
      return fail(errc::upstream_error, "Twitch sent an unreadable subscription list");
    out.insert(out.end(), page->items.begin(), page->items.end());
    cursor = page->items.empty() ? std::string{} : page->cursor;
  } while (!cursor.empty());
  if (broadcaster_id.empty()) {  // the whole list: what /metrics reports
    std::map<std::string, int64_t> by_status;
    for (const auto& sub : out) ++by_status[sub.status];
    metrics::eventsub_subscriptions(by_status, totals_.total_cost,
                                    totals_.max_total_cost);
  }
  return out;
}

result<bool> helix_client::delete_subscription(const std::string& id) {
  auto r = call("DELETE", "/eventsub/subscriptions", "id=" + url_encode(id));
  if (!r) return r.error();
  if (r->status == 204 || r->status == 200) return true;
  if (r->status == 404) return false;
  return failure(*r, "DELETE /eventsub/subscriptions");
}

}  // namespace eventsubd::twitch
