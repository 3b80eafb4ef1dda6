// The fake Twitch's webhook callback verification: the challenge it sends, signed, and
// what an answer, a wrong answer, no listener or no answer at all make of the
// subscription.
#include "core/time.hpp"
#include "tests/common/eventually.hpp"
#include "tests/common/fake_twitch.hpp"
#include "tests/twitch/fake_twitch_fixture.hpp"
#include "twitch/signature.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <map>
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

  ASSERT_TRUE(eventually(
      [&] {
        auto s = find_sub(tw_, id);
        return s && s->status == "enabled";
      },
      5s, 10ms))
      << find_sub(tw_, id)->status;

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

}  // namespace
}  // namespace eventsubd::testing
