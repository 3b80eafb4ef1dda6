#include "tests/common/fake_twitch.hpp"

#include "core/time.hpp"
#include "tests/common/http_client.hpp"
#include "twitch/signature.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <vector>

namespace eventsubd::testing {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bh = boost::beast::http;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

rapidjson::Document parse_json(const std::string& body) {
  rapidjson::Document d;
  d.Parse(body.c_str(), body.size());
  EXPECT_FALSE(d.HasParseError()) << body;
  return d;
}

std::string str(const rapidjson::Value& v, const char* key) {
  if (!v.IsObject() || !v.HasMember(key) || !v[key].IsString()) return "<missing>";
  return v[key].GetString();
}

/// Polls until `pred` holds or `timeout` passes.
bool eventually(const std::function<bool()>& pred,
                std::chrono::milliseconds timeout = 5s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

fake_stream live(const std::string& user_id, const std::string& title, int viewers,
                 std::vector<std::string> tags = {}) {
  fake_stream s;
  s.user_id = user_id;
  s.title = title;
  s.viewer_count = viewers;
  s.tags = std::move(tags);
  return s;
}

std::optional<fake_subscription> find_sub(const fake_twitch& tw, const std::string& id) {
  for (auto& s : tw.subscriptions())
    if (s.id == id) return s;
  return std::nullopt;
}

/// A tiny webhook receiver: answers every POST with 200 and either the challenge from the
/// body (echo) or something else, and keeps what it received.
class callback_listener {
 public:
  struct received {
    std::string target, body;
    std::map<std::string, std::string> headers;  // names lowercased
  };

  explicit callback_listener(bool echo_challenge) : echo_(echo_challenge) {
    tcp::endpoint ep{net::ip::make_address("127.0.0.1"), 0};
    acceptor_.open(ep.protocol());
    acceptor_.bind(ep);
    acceptor_.listen();
    thread_ = std::thread([this] { run(); });
  }

  ~callback_listener() {
    stopping_ = true;
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
    thread_.join();
  }

  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) +
           "/webhooks/eventsub";
  }

  std::vector<received> requests() const {
    std::lock_guard lk(m_);
    return received_;
  }

 private:
  void run() {
    for (;;) {
      tcp::socket s(ioc_);
      beast::error_code ec;
      acceptor_.accept(s, ec);
      if (stopping_) return;
      if (ec) continue;
      beast::flat_buffer buffer;
      bh::request<bh::string_body> req;
      bh::read(s, buffer, req, ec);
      if (ec) continue;
      received r;
      r.target = std::string(req.target());
      r.body = req.body();
      for (const auto& f : req) {
        std::string name(f.name_string());
        for (auto& c : name)
          c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        r.headers[name] = std::string(f.value());
      }
      std::string challenge;
      rapidjson::Document d;
      d.Parse(r.body.c_str(), r.body.size());
      if (!d.HasParseError()) challenge = str(d, "challenge");
      {
        std::lock_guard lk(m_);
        received_.push_back(std::move(r));
      }
      bh::response<bh::string_body> res{bh::status::ok, 11};
      res.set(bh::field::content_type, "text/plain");
      res.body() = echo_ ? challenge : "not-" + challenge;
      res.keep_alive(false);
      res.prepare_payload();
      bh::write(s, res, ec);
      s.shutdown(tcp::socket::shutdown_both, ec);
    }
  }

  const bool echo_;
  net::io_context ioc_;
  tcp::acceptor acceptor_{ioc_};
  std::atomic<bool> stopping_{false};
  mutable std::mutex m_;
  std::vector<received> received_;
  std::thread thread_;
};

class FakeTwitch : public ::testing::Test {
 protected:
  void SetUp() override {
    tw_.add_user({"1001", "alice", "Alice"});
    tw_.add_user({"1002", "bob", "Bob"});
    tw_.add_user({"1003", "carol", "Carol"});
    tw_.add_user({"1004", "dave", "Dave"});
    client_ = std::make_unique<http_client>(tw_.port());
  }

  std::string token() {
    auto r = client_->request("POST", "/oauth2/token",
                              "client_id=fake-client-id&client_secret=fake-client-secret"
                              "&grant_type=client_credentials",
                              {{"Content-Type", "application/x-www-form-urlencoded"}});
    EXPECT_EQ(r.status, 200) << r.body;
    return str(parse_json(r.body), "access_token");
  }

  http_reply helix(const std::string& method, const std::string& target,
                   const std::string& body = {}) {
    if (token_.empty()) token_ = token();
    header_map h{{"Authorization", "Bearer " + token_}, {"Client-Id", tw_.client_id()}};
    if (!body.empty()) h["Content-Type"] = "application/json";
    return client_->request(method, "/helix" + target, body, h);
  }

  static std::string create_body(const std::string& type, const std::string& user_id,
                                 const std::string& callback,
                                 const std::string& secret = "s3cRe7s3cRe7") {
    return R"({"type":")" + type +
           R"(","version":"1","condition":{"broadcaster_user_id":")" + user_id +
           R"("},"transport":{"method":"webhook","callback":")" + callback +
           R"(","secret":")" + secret + R"("}})";
  }

  fake_twitch tw_;
  std::unique_ptr<http_client> client_;
  std::string token_;
};

// ---- OAuth ----

TEST_F(FakeTwitch, UrlsAndDefaults) {
  EXPECT_NE(tw_.port(), 0);
  EXPECT_EQ(tw_.api_url(), "http://127.0.0.1:" + std::to_string(tw_.port()) + "/helix");
  EXPECT_EQ(tw_.auth_url(), "http://127.0.0.1:" + std::to_string(tw_.port()) + "/oauth2");
  EXPECT_EQ(tw_.client_id(), "fake-client-id");
  EXPECT_EQ(tw_.client_secret(), "fake-client-secret");
}

TEST_F(FakeTwitch, TokenFromFormBodyAndFromQuery) {
  auto r =
      client_->request("POST", "/oauth2/token",
                       "client_id=fake%2Dclient%2Did&client_secret=fake-client-secret"
                       "&grant_type=client_credentials",
                       {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = parse_json(r.body);
  EXPECT_EQ(str(d, "token_type"), "bearer");
  EXPECT_EQ(d["expires_in"].GetInt(), 5011271);
  auto first = str(d, "access_token");
  EXPECT_GE(first.size(), 20u);

  r = client_->request("POST",
                       "/oauth2/token?client_id=fake-client-id&client_secret=fake-client-"
                       "secret&grant_type=client_credentials");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(str(parse_json(r.body), "access_token"), first);
  EXPECT_EQ(tw_.tokens_issued(), 2);
}

TEST_F(FakeTwitch, TokenFailures) {
  auto r =
      client_->request("POST",
                       "/oauth2/token?client_id=nope&client_secret=fake-client-secret"
                       "&grant_type=client_credentials");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body, R"({"status":400,"message":"invalid client"})");

  r = client_->request("POST", "/oauth2/token",
                       "client_id=fake-client-id&client_secret=wrong"
                       "&grant_type=client_credentials",
                       {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.body, R"({"status":403,"message":"invalid client secret"})");

  r = client_->request("POST",
                       "/oauth2/token?client_id=fake-client-id&client_secret=fake-client-"
                       "secret");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(tw_.tokens_issued(), 0);
}

TEST_F(FakeTwitch, Validate) {
  auto t = token();
  auto r =
      client_->request("GET", "/oauth2/validate", {}, {{"Authorization", "OAuth " + t}});
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = parse_json(r.body);
  EXPECT_EQ(str(d, "client_id"), "fake-client-id");
  EXPECT_TRUE(d["scopes"].IsArray());
  EXPECT_EQ(d["scopes"].Size(), 0u);
  EXPECT_EQ(d["expires_in"].GetInt(), 5011271);

  r = client_->request("GET", "/oauth2/validate", {}, {{"Authorization", "OAuth bogus"}});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body, R"({"status":401,"message":"invalid access token"})");
  r = client_->request("GET", "/oauth2/validate");
  EXPECT_EQ(r.status, 401);

  tw_.revoke_tokens();
  r = client_->request("GET", "/oauth2/validate", {}, {{"Authorization", "OAuth " + t}});
  EXPECT_EQ(r.status, 401);
}

// ---- Helix authentication ----

TEST_F(FakeTwitch, HelixNeedsTokenAndClientId) {
  constexpr const char* unauthorized =
      R"({"error":"Unauthorized","status":401,"message":"Invalid OAuth token"})";
  auto r = client_->request("GET", "/helix/users?id=1001");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body, unauthorized);
  EXPECT_EQ(r.header("ratelimit-limit"), "800");

  auto t = token();
  r = client_->request("GET", "/helix/users?id=1001", {},
                       {{"Authorization", "Bearer " + t}, {"Client-Id", "other-client"}});
  EXPECT_EQ(r.status, 401);
  r = client_->request("GET", "/helix/users?id=1001", {},
                       {{"Authorization", "Bearer " + t}});
  EXPECT_EQ(r.status, 401);
  r = client_->request(
      "GET", "/helix/users?id=1001", {},
      {{"Authorization", "Bearer nope"}, {"Client-Id", "fake-client-id"}});
  EXPECT_EQ(r.status, 401);
  r = client_->request(
      "GET", "/helix/users?id=1001", {},
      {{"Authorization", "Bearer " + t}, {"Client-Id", "fake-client-id"}});
  EXPECT_EQ(r.status, 200);

  tw_.revoke_tokens();
  r = client_->request(
      "GET", "/helix/users?id=1001", {},
      {{"Authorization", "Bearer " + t}, {"Client-Id", "fake-client-id"}});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body, unauthorized);

  // A fresh token works again.
  r = client_->request(
      "GET", "/helix/users?id=1001", {},
      {{"Authorization", "Bearer " + token()}, {"Client-Id", "fake-client-id"}});
  EXPECT_EQ(r.status, 200);
}

TEST_F(FakeTwitch, UnknownPathsAre404) {
  EXPECT_EQ(client_->request("GET", "/nothing").status, 404);
  EXPECT_EQ(helix("GET", "/games?id=1").status, 404);
  EXPECT_EQ(helix("PUT", "/eventsub/subscriptions").status, 404);
  EXPECT_EQ(client_->request("GET", "/oauth2/token").status, 404);
}

// ---- Users ----

TEST_F(FakeTwitch, UsersByLoginCaseInsensitiveAndById) {
  auto r = helix("GET", "/users?login=ALICE&id=1002&login=nobody&login=%43arol&id=999");
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = parse_json(r.body);
  ASSERT_EQ(d["data"].Size(), 3u);
  std::vector<std::string> ids;
  for (const auto& u : d["data"].GetArray()) ids.push_back(str(u, "id"));
  EXPECT_EQ(ids, (std::vector<std::string>{"1001", "1002", "1003"}));
  const auto& alice = d["data"][0];
  EXPECT_EQ(str(alice, "login"), "alice");
  EXPECT_EQ(str(alice, "display_name"), "Alice");
  EXPECT_EQ(str(alice, "type"), "");
  EXPECT_EQ(str(alice, "broadcaster_type"), "");
  EXPECT_EQ(alice["view_count"].GetInt(), 0);
  EXPECT_EQ(str(alice, "created_at"), "2020-01-01T00:00:00Z");

  r = helix("GET", "/users?login=nobody");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(parse_json(r.body)["data"].Size(), 0u);
}

TEST_F(FakeTwitch, UsersParameterLimits) {
  auto r = helix("GET", "/users");
  EXPECT_EQ(r.status, 400);
  auto d = parse_json(r.body);
  EXPECT_EQ(str(d, "error"), "Bad Request");
  EXPECT_EQ(d["status"].GetInt(), 400);

  std::string q = "/users?";
  for (int i = 0; i < 60; ++i) q += "id=" + std::to_string(i) + "&";
  for (int i = 0; i < 40; ++i) q += "login=u" + std::to_string(i) + "&";
  EXPECT_EQ(helix("GET", q).status, 200);
  EXPECT_EQ(helix("GET", q + "login=one_more").status, 400);
}

// ---- Streams ----

TEST_F(FakeTwitch, StreamsPaginateOverLiveUsersOnly) {
  tw_.set_live(live("1001", "a", 30, {"English"}));
  tw_.set_live(live("1002", "b", 10));
  tw_.set_live(live("1003", "c", 20));
  // 1004 is a user but offline.

  const std::string ids = "user_id=1001&user_id=1002&user_id=1003&user_id=1004";
  auto r = helix("GET", "/streams?" + ids + "&first=2");
  ASSERT_EQ(r.status, 200) << r.body;
  auto d = parse_json(r.body);
  ASSERT_EQ(d["data"].Size(), 2u);
  EXPECT_EQ(str(d["data"][0], "user_id"), "1001");  // by viewer count
  EXPECT_EQ(str(d["data"][1], "user_id"), "1003");
  auto cursor = str(d["pagination"], "cursor");
  ASSERT_NE(cursor, "<missing>");

  const auto& s = d["data"][0];
  EXPECT_FALSE(str(s, "id").empty());
  EXPECT_EQ(str(s, "user_login"), "alice");
  EXPECT_EQ(str(s, "user_name"), "Alice");
  EXPECT_EQ(str(s, "type"), "live");
  EXPECT_EQ(str(s, "title"), "a");
  EXPECT_EQ(s["viewer_count"].GetInt(), 30);
  EXPECT_TRUE(parse_rfc3339(str(s, "started_at")).has_value());
  EXPECT_EQ(str(s, "language"), "en");
  EXPECT_EQ(
      str(s, "thumbnail_url"),
      "https://static-cdn.jtvnw.net/previews-ttv/live_user_alice-{width}x{height}.jpg");
  ASSERT_EQ(s["tags"].Size(), 1u);
  EXPECT_EQ(std::string(s["tags"][0].GetString()), "English");
  EXPECT_EQ(s["tag_ids"].Size(), 0u);
  EXPECT_FALSE(s["is_mature"].GetBool());

  r = helix("GET", "/streams?" + ids + "&first=2&after=" + cursor);
  ASSERT_EQ(r.status, 200) << r.body;
  d = parse_json(r.body);
  ASSERT_EQ(d["data"].Size(), 1u);
  EXPECT_EQ(str(d["data"][0], "user_id"), "1002");
  EXPECT_TRUE(d["pagination"].IsObject());
  EXPECT_EQ(d["pagination"].MemberCount(), 0u);

  // Offline users vanish; set_live replaces.
  tw_.set_offline("1001");
  tw_.set_live(live("1002", "b2", 5));
  r = helix("GET", "/streams?user_login=BOB&user_login=alice");
  d = parse_json(r.body);
  ASSERT_EQ(d["data"].Size(), 1u);
  EXPECT_EQ(str(d["data"][0], "title"), "b2");
  EXPECT_EQ(tw_.streams().size(), 2u);
}

TEST_F(FakeTwitch, StreamsParameterChecks) {
  EXPECT_EQ(helix("GET", "/streams?first=0").status, 400);
  EXPECT_EQ(helix("GET", "/streams?first=101").status, 400);
  EXPECT_EQ(helix("GET", "/streams?first=abc").status, 400);
  EXPECT_EQ(helix("GET", "/streams?after=not-a-cursor").status, 400);
  std::string q = "/streams?";
  for (int i = 0; i < 101; ++i) q += "user_id=" + std::to_string(i) + "&";
  EXPECT_EQ(helix("GET", q).status, 400);

  // Without filters every live stream is listed, 20 per page by default.
  for (int i = 0; i < 25; ++i) tw_.set_live(live(std::to_string(5000 + i), "t", i));
  auto d = parse_json(helix("GET", "/streams").body);
  EXPECT_EQ(d["data"].Size(), 20u);
  EXPECT_TRUE(d["pagination"].HasMember("cursor"));
}

// ---- EventSub subscriptions ----

TEST_F(FakeTwitch, CreateAnswers202AndConflicts409) {
  tw_.set_verify_callbacks(false);
  auto r = helix("POST", "/eventsub/subscriptions",
                 create_body("stream.online", "1001", "https://example.com/cb"));
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(r.header("ratelimit-limit"), "800");
  auto d = parse_json(r.body);
  ASSERT_EQ(d["data"].Size(), 1u);
  const auto& s = d["data"][0];
  auto id = str(s, "id");
  EXPECT_EQ(id.size(), 36u);
  EXPECT_EQ(str(s, "status"), "enabled");
  EXPECT_EQ(str(s, "type"), "stream.online");
  EXPECT_EQ(str(s, "version"), "1");
  EXPECT_EQ(str(s["condition"], "broadcaster_user_id"), "1001");
  EXPECT_EQ(str(s["transport"], "method"), "webhook");
  EXPECT_EQ(str(s["transport"], "callback"), "https://example.com/cb");
  EXPECT_FALSE(s["transport"].HasMember("secret"));
  EXPECT_EQ(r.body.find("s3cRe7s3cRe7"), std::string::npos);
  EXPECT_EQ(s["cost"].GetInt(), 1);
  EXPECT_TRUE(parse_rfc3339(str(s, "created_at")).has_value());
  EXPECT_EQ(d["total"].GetInt(), 1);
  EXPECT_EQ(d["total_cost"].GetInt(), 1);
  EXPECT_EQ(d["max_total_cost"].GetInt(), 10000);

  auto subs = tw_.subscriptions();
  ASSERT_EQ(subs.size(), 1u);
  EXPECT_EQ(subs[0].id, id);
  EXPECT_EQ(subs[0].secret, "s3cRe7s3cRe7");

  r = helix("POST", "/eventsub/subscriptions",
            create_body("stream.online", "1001", "https://example.com/other"));
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(
      r.body,
      R"({"error":"Conflict","status":409,"message":"subscription already exists"})");

  // Another type for the same user is fine; a failed one does not conflict.
  EXPECT_EQ(helix("POST", "/eventsub/subscriptions",
                  create_body("stream.offline", "1001", "https://example.com/cb"))
                .status,
            202);
  tw_.set_subscription_status(id, "webhook_callback_verification_failed");
  EXPECT_EQ(helix("POST", "/eventsub/subscriptions",
                  create_body("stream.online", "1001", "https://example.com/cb"))
                .status,
            202);
  EXPECT_EQ(tw_.subscriptions().size(), 3u);
}

TEST_F(FakeTwitch, CreateValidation) {
  tw_.set_verify_callbacks(false);
  auto bad = [&](const std::string& body) {
    auto r = helix("POST", "/eventsub/subscriptions", body);
    EXPECT_EQ(r.status, 400) << body << " -> " << r.body;
    auto d = parse_json(r.body);
    EXPECT_EQ(str(d, "error"), "Bad Request");
    EXPECT_NE(str(d, "message"), "<missing>");
  };
  bad("not json");
  bad(create_body("channel.follow", "1001", "http://x/cb"));
  bad(create_body("stream.online", "999", "http://x/cb"));  // unknown user
  bad(create_body("stream.online", "1001", ""));
  bad(create_body("stream.online", "1001", "http://x/cb", "short"));
  bad(create_body("stream.online", "1001", "http://x/cb", std::string(101, 'a')));
  bad(R"({"type":"stream.online","version":"2","condition":{"broadcaster_user_id":"1001"},)"
      R"("transport":{"method":"webhook","callback":"http://x/cb","secret":"0123456789"}})");
  bad(R"({"type":"stream.online","version":"1","condition":{"broadcaster_user_id":"1001"},)"
      R"("transport":{"method":"websocket","callback":"http://x/cb","secret":"0123456789"}})");
  EXPECT_TRUE(tw_.subscriptions().empty());
  EXPECT_EQ(
      helix("POST", "/eventsub/subscriptions",
            create_body("stream.online", "1001", "http://x/cb", std::string(100, 'a')))
          .status,
      202);
}

TEST_F(FakeTwitch, ListPaginatesOldestFirstAndFilters) {
  tw_.set_subscription_page_size(2);
  for (int i = 0; i < 5; ++i) {
    fake_subscription s;
    s.type = i % 2 ? "stream.offline" : "stream.online";
    s.broadcaster_user_id = std::to_string(1001 + i % 3);
    s.callback = "https://example.com/cb";
    s.secret = "0123456789";
    if (i == 4) s.status = "webhook_callback_verification_failed";
    tw_.add_subscription(s);
  }
  auto all = tw_.subscriptions();
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all[0].status, "enabled");
  EXPECT_EQ(all[0].id.size(), 36u);

  std::vector<std::string> seen;
  std::string after;
  int pages = 0;
  for (;;) {
    auto r = helix("GET",
                   "/eventsub/subscriptions" + (after.empty() ? "" : "?after=" + after));
    ASSERT_EQ(r.status, 200) << r.body;
    auto d = parse_json(r.body);
    ++pages;
    EXPECT_LE(d["data"].Size(), 2u);
    EXPECT_EQ(d["total"].GetInt(), 5);
    EXPECT_EQ(d["total_cost"].GetInt(), 5);
    EXPECT_EQ(d["max_total_cost"].GetInt(), 10000);
    for (const auto& s : d["data"].GetArray()) seen.push_back(str(s, "id"));
    if (!d["pagination"].HasMember("cursor")) break;
    after = str(d["pagination"], "cursor");
    ASSERT_LT(pages, 10);
  }
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(seen.size(), 5u);
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(seen[i], all[i].id);

  // Deleting while paginating skips nothing.
  auto d = parse_json(helix("GET", "/eventsub/subscriptions").body);
  after = str(d["pagination"], "cursor");
  EXPECT_EQ(helix("DELETE", "/eventsub/subscriptions?id=" + all[0].id).status, 204);
  d = parse_json(helix("GET", "/eventsub/subscriptions?after=" + after).body);
  ASSERT_EQ(d["data"].Size(), 2u);
  EXPECT_EQ(str(d["data"][0], "id"), all[2].id);

  d = parse_json(helix("GET", "/eventsub/subscriptions?user_id=1002").body);
  ASSERT_EQ(d["data"].Size(), 2u);  // i = 1 and 4
  EXPECT_EQ(str(d["data"][0]["condition"], "broadcaster_user_id"), "1002");
  d = parse_json(
      helix("GET", "/eventsub/subscriptions?status=webhook_callback_verification_failed")
          .body);
  ASSERT_EQ(d["data"].Size(), 1u);
  EXPECT_EQ(str(d["data"][0], "id"), all[4].id);
  d = parse_json(helix("GET", "/eventsub/subscriptions?type=stream.offline").body);
  EXPECT_EQ(d["data"].Size(), 2u);
  d = parse_json(
      helix("GET", "/eventsub/subscriptions?subscription_id=" + all[3].id).body);
  ASSERT_EQ(d["data"].Size(), 1u);

  EXPECT_EQ(
      helix("GET", "/eventsub/subscriptions?type=stream.online&user_id=1001").status,
      400);
  EXPECT_EQ(helix("GET", "/eventsub/subscriptions?after=garbage").status, 400);
}

TEST_F(FakeTwitch, Delete) {
  fake_subscription s;
  s.type = "stream.online";
  s.broadcaster_user_id = "1001";
  s.callback = "https://example.com/cb";
  s.secret = "0123456789";
  s.id = "fixed-id";
  tw_.add_subscription(s);

  auto r = helix("DELETE", "/eventsub/subscriptions?id=fixed-id");
  EXPECT_EQ(r.status, 204);
  EXPECT_TRUE(r.body.empty());
  EXPECT_TRUE(tw_.subscriptions().empty());

  r = helix("DELETE", "/eventsub/subscriptions?id=fixed-id");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body,
            R"({"error":"Not Found","status":404,"message":"subscription not found"})");
  EXPECT_EQ(helix("DELETE", "/eventsub/subscriptions").status, 400);
}

// ---- Fault injection and rate-limit headers ----

TEST_F(FakeTwitch, RateLimitHeadersCountDown) {
  auto r1 = helix("GET", "/users?id=1001");
  auto r2 = helix("GET", "/users?id=1001");
  EXPECT_EQ(r1.header("ratelimit-limit"), "800");
  EXPECT_EQ(std::stoi(r1.header("ratelimit-remaining")) - 1,
            std::stoi(r2.header("ratelimit-remaining")));
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  auto reset = std::stoll(r1.header("ratelimit-reset"));
  EXPECT_GE(reset, now);
  EXPECT_LE(reset, now + 61);
}

TEST_F(FakeTwitch, FailNext429CarriesRateLimitHeaders) {
  tw_.fail_next(2, 429, "/helix/streams", 3);
  EXPECT_EQ(helix("GET", "/users?id=1001").status, 200);  // other path: untouched

  auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  auto r = helix("GET", "/streams");
  ASSERT_EQ(r.status, 429);
  EXPECT_EQ(r.header("ratelimit-limit"), "800");
  EXPECT_EQ(r.header("ratelimit-remaining"), "0");
  auto reset = std::stoll(r.header("ratelimit-reset"));
  EXPECT_GE(reset, now + 3);
  EXPECT_LE(reset, now + 4);
  EXPECT_EQ(str(parse_json(r.body), "error"), "Too Many Requests");

  EXPECT_EQ(helix("GET", "/streams").status, 429);
  EXPECT_EQ(helix("GET", "/streams").status, 200);
}

TEST_F(FakeTwitch, FailNextServerErrors) {
  tw_.fail_next(1, 503);
  tw_.fail_next(1, 500, "/users");
  auto r = helix("GET", "/users?id=1001");
  EXPECT_EQ(r.status, 503);
  auto d = parse_json(r.body);
  EXPECT_EQ(d["status"].GetInt(), 503);
  EXPECT_EQ(str(d, "error"), "Service Unavailable");
  EXPECT_EQ(helix("GET", "/users?id=1001").status, 500);
  EXPECT_EQ(helix("GET", "/users?id=1001").status, 200);
  EXPECT_EQ(tw_.calls("GET", "/helix/users"), 3);
}

TEST_F(FakeTwitch, GarbageNext) {
  tw_.garbage_next(1, "/helix/eventsub");
  EXPECT_EQ(helix("GET", "/streams").status, 200);
  auto r = helix("GET", "/eventsub/subscriptions");
  EXPECT_EQ(r.status, 200);
  rapidjson::Document d;
  d.Parse(r.body.c_str(), r.body.size());
  EXPECT_TRUE(d.HasParseError()) << r.body;
  r = helix("GET", "/eventsub/subscriptions");
  EXPECT_FALSE(parse_json(r.body).HasParseError());
}

TEST_F(FakeTwitch, DelayNext) {
  tw_.delay_next(1, 300ms, "/streams");
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(helix("GET", "/streams").status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 300ms);
  start = std::chrono::steady_clock::now();
  EXPECT_EQ(helix("GET", "/streams").status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 250ms);
}

// ---- Observation ----

TEST_F(FakeTwitch, RecordsRequests) {
  auto t = token();
  tw_.reset_requests();
  token_ = t;
  helix("GET", "/users?login=alice");
  client_->request("GET", "/helix/streams");
  helix("POST", "/eventsub/subscriptions", "{}");

  auto reqs = tw_.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].method, "GET");
  EXPECT_EQ(reqs[0].path, "/helix/users");
  EXPECT_EQ(reqs[0].query, "login=alice");
  EXPECT_EQ(reqs[0].authorization, "Bearer " + t);
  EXPECT_EQ(reqs[0].client_id, "fake-client-id");
  EXPECT_EQ(reqs[0].status, 200);
  EXPECT_EQ(reqs[1].status, 401);
  EXPECT_TRUE(reqs[1].authorization.empty());
  EXPECT_EQ(reqs[2].body, "{}");
  EXPECT_EQ(reqs[2].status, 400);
  EXPECT_EQ(tw_.calls("GET", "/helix/users"), 1);
  EXPECT_EQ(tw_.calls("POST", "/helix/users"), 0);

  tw_.reset_requests();
  EXPECT_TRUE(tw_.requests().empty());
  EXPECT_EQ(tw_.calls("GET", "/helix/users"), 0);
}

// ---- Callback verification ----

TEST_F(FakeTwitch, VerificationChallengeAnsweredEnablesTheSubscription) {
  callback_listener listener(true);
  auto r =
      helix("POST", "/eventsub/subscriptions",
            create_body("stream.online", "1001", listener.url(), "0123456789abcdef"));
  ASSERT_EQ(r.status, 202) << r.body;
  auto created = parse_json(r.body);
  auto id = str(created["data"][0], "id");
  EXPECT_EQ(str(created["data"][0], "status"), "webhook_callback_verification_pending");

  ASSERT_TRUE(eventually([&] {
    auto s = find_sub(tw_, id);
    return s && s->status == "enabled";
  })) << find_sub(tw_, id)->status;

  auto got = listener.requests();
  ASSERT_EQ(got.size(), 1u);
  const auto& req = got[0];
  EXPECT_EQ(req.target, "/webhooks/eventsub");
  EXPECT_EQ(req.headers.at("twitch-eventsub-message-type"),
            "webhook_callback_verification");
  EXPECT_EQ(req.headers.at("twitch-eventsub-subscription-type"), "stream.online");
  EXPECT_EQ(req.headers.at("twitch-eventsub-subscription-version"), "1");
  EXPECT_EQ(req.headers.at("content-type"), "application/json");
  const auto& msg_id = req.headers.at("twitch-eventsub-message-id");
  const auto& ts = req.headers.at("twitch-eventsub-message-timestamp");
  const auto& sig = req.headers.at("twitch-eventsub-message-signature");
  EXPECT_FALSE(msg_id.empty());
  EXPECT_EQ(ts.back(), 'Z');
  auto when = parse_rfc3339(ts);
  ASSERT_TRUE(when.has_value()) << ts;
  EXPECT_LT(std::chrono::abs(*when - eventsubd::now()), std::chrono::seconds(60));

  twitch::signature_verifier verifier("0123456789abcdef");
  EXPECT_TRUE(verifier.verify(msg_id, ts, req.body, sig)) << sig;
  twitch::signature_verifier other("another-secret");
  EXPECT_FALSE(other.verify(msg_id, ts, req.body, sig));

  auto d = parse_json(req.body);
  EXPECT_FALSE(str(d, "challenge").empty());
  const auto& sub = d["subscription"];
  EXPECT_EQ(str(sub, "id"), id);
  EXPECT_EQ(str(sub, "status"), "webhook_callback_verification_pending");
  EXPECT_EQ(str(sub, "type"), "stream.online");
  EXPECT_EQ(str(sub["condition"], "broadcaster_user_id"), "1001");
  EXPECT_EQ(str(sub["transport"], "callback"), listener.url());
  EXPECT_EQ(req.body.find("0123456789abcdef"), std::string::npos);  // no secret
  EXPECT_EQ(tw_.verifications_done(), 1);
}

TEST_F(FakeTwitch, VerificationChallengeAnsweredWrongFails) {
  callback_listener listener(false);
  auto r = helix("POST", "/eventsub/subscriptions",
                 create_body("stream.offline", "1002", listener.url()));
  ASSERT_EQ(r.status, 202) << r.body;
  auto id = str(parse_json(r.body)["data"][0], "id");
  EXPECT_TRUE(
      tw_.wait_for_subscription_status(id, "webhook_callback_verification_failed"));
  ASSERT_EQ(listener.requests().size(), 1u);
  EXPECT_EQ(listener.requests()[0].headers.at("twitch-eventsub-subscription-type"),
            "stream.offline");

  // A failed subscription does not block a new one.
  callback_listener good(true);
  r = helix("POST", "/eventsub/subscriptions",
            create_body("stream.offline", "1002", good.url()));
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_TRUE(tw_.wait_for_subscription_status(str(parse_json(r.body)["data"][0], "id"),
                                               "enabled"));
}

TEST_F(FakeTwitch, VerificationOfUnreachableCallbackFails) {
  std::string dead_url;
  {
    callback_listener gone(true);
    dead_url = gone.url();
  }
  auto r = helix("POST", "/eventsub/subscriptions",
                 create_body("stream.online", "1003", dead_url));
  ASSERT_EQ(r.status, 202);
  auto id = str(parse_json(r.body)["data"][0], "id");
  EXPECT_TRUE(
      tw_.wait_for_subscription_status(id, "webhook_callback_verification_failed"));
  // https cannot be verified by the fake.
  r = helix("POST", "/eventsub/subscriptions",
            create_body("stream.offline", "1003", "https://example.com/cb"));
  ASSERT_EQ(r.status, 202);
  id = str(parse_json(r.body)["data"][0], "id");
  EXPECT_TRUE(
      tw_.wait_for_subscription_status(id, "webhook_callback_verification_failed"));
}

TEST_F(FakeTwitch, VerificationViaLocalhostAndTimeout) {
  callback_listener listener(true);
  auto url = listener.url();
  url.replace(url.find("127.0.0.1"), 9, "localhost");
  auto r =
      helix("POST", "/eventsub/subscriptions", create_body("stream.online", "1004", url));
  ASSERT_EQ(r.status, 202);
  EXPECT_TRUE(tw_.wait_for_subscription_status(str(parse_json(r.body)["data"][0], "id"),
                                               "enabled"));

  // A callback that accepts the connection but never answers.
  net::io_context ioc;
  tcp::acceptor silent(ioc, {net::ip::make_address("127.0.0.1"), 0});
  tw_.set_verification_timeout(200ms);
  r = helix("POST", "/eventsub/subscriptions",
            create_body("stream.offline", "1004",
                        "http://127.0.0.1:" +
                            std::to_string(silent.local_endpoint().port()) + "/cb"));
  ASSERT_EQ(r.status, 202);
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(tw_.wait_for_subscription_status(str(parse_json(r.body)["data"][0], "id"),
                                               "webhook_callback_verification_failed"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
}

// ---- Shutdown ----

TEST(FakeTwitchShutdown, DestructorDoesNotHangWithOpenOrBusyConnections) {
  auto tw = std::make_unique<fake_twitch>();
  http_client idle(tw->port());
  EXPECT_EQ(idle.request("GET", "/nothing").status, 404);  // keep-alive, left open

  tw->delay_next(1, 30s);
  auto busy = std::async(std::launch::async, [port = tw->port()] {
    try {
      return http_once(port, "GET", "/helix/streams").status;
    } catch (const std::exception&) {
      return -1;
    }
  });
  std::this_thread::sleep_for(100ms);  // let the busy request reach its delay

  auto start = std::chrono::steady_clock::now();
  tw.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_EQ(busy.wait_for(5s), std::future_status::ready);
}

}  // namespace
}  // namespace eventsubd::testing
