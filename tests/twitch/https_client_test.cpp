// https_client's bounded name resolution and cancellation, against a resolver the test
// can make hang and the fake Twitch over loopback HTTP.
#include "twitch/https_client.hpp"

#include "tests/common/eventually.hpp"
#include "tests/common/fake_twitch.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>

namespace eventsubd::twitch {
namespace {

using namespace std::chrono_literals;
using testing::eventually;
using testing::fake_twitch;
using steady = std::chrono::steady_clock;

/// A resolver stuck until the test releases it; then it answers 127.0.0.1:`port`.
/// Shared with the lookup threads, which may outlive the test.
struct stuck_dns {
  std::mutex m;
  std::condition_variable cv;
  bool released = false;
  std::atomic<int> lookups{0};
  uint16_t port = 1;

  void release() {
    {
      std::lock_guard lk(m);
      released = true;
    }
    cv.notify_all();
  }
  static std::shared_ptr<dns_resolver> resolver(std::shared_ptr<stuck_dns> dns) {
    return std::make_shared<dns_resolver>(
        [dns](const std::string&, uint16_t) -> result<tcp_endpoints> {
          ++dns->lookups;
          std::unique_lock lk(dns->m);
          dns->cv.wait(lk, [&] { return dns->released; });
          return tcp_endpoints{boost::asio::ip::tcp::endpoint(
              boost::asio::ip::make_address("127.0.0.1"), dns->port)};
        });
  }
};

class https_client_test : public ::testing::Test {
 protected:
  std::shared_ptr<stuck_dns> dns = std::make_shared<stuck_dns>();
  std::shared_ptr<dns_resolver> resolver = stuck_dns::resolver(dns);
  void TearDown() override {
    dns->release();  // let the helper threads finish
    EXPECT_TRUE(eventually([&] { return resolver->running() == 0; }));
  }
};

TEST_F(https_client_test, a_stuck_resolver_is_bounded_by_the_timeout) {
  https_client http(300ms, {}, resolver);
  auto target = *parse_base_url("http://twitch.invalid:8080/helix");
  auto started = steady::now();
  auto r = http.request(target, "GET", "/users", {});
  EXPECT_LT(steady::now() - started, 2s);  // a 300 ms timeout, generous for a busy CI
  EXPECT_EQ(r.status, 0);
  EXPECT_TRUE(r.timed_out);
  EXPECT_FALSE(r.cancelled);
  // The lookup is still stuck: a second request waits for it rather than starting
  // another, so stuck threads cannot pile up.
  r = http.request(target, "GET", "/users", {});
  EXPECT_TRUE(r.timed_out);
  https_client other(300ms, {}, resolver);
  EXPECT_TRUE(other.request(target, "GET", "/streams", {}).timed_out);
  EXPECT_EQ(dns->lookups, 1);
  EXPECT_EQ(resolver->running(), 1u);
}

TEST_F(https_client_test, a_finished_lookup_is_used_and_the_next_one_starts_anew) {
  fake_twitch fake;
  dns->port = fake.port();
  https_client http(5s, {}, resolver);
  auto target = *parse_base_url("http://fake-twitch.test:" + std::to_string(fake.port()) +
                                "/oauth2");
  auto pending = std::async(std::launch::async,
                            [&] { return http.request(target, "GET", "/validate", {}); });
  ASSERT_TRUE(eventually([&] { return dns->lookups == 1; }));
  dns->release();
  auto r = pending.get();
  EXPECT_EQ(r.status, 401) << r.error;  // the fake answered: no token sent
  EXPECT_TRUE(eventually([&] { return resolver->running() == 0; }));
  https_client fresh(5s, {}, resolver);
  EXPECT_EQ(fresh.request(target, "GET", "/validate", {}).status, 401);
  EXPECT_EQ(dns->lookups, 2);
}

TEST_F(https_client_test, ip_literals_are_never_looked_up) {
  fake_twitch fake;
  https_client http(5s, {}, resolver);
  auto r = http.request(*parse_base_url(fake.auth_url()), "GET", "/validate", {});
  EXPECT_EQ(r.status, 401) << r.error;
  EXPECT_EQ(dns->lookups, 0);
}

TEST_F(https_client_test, a_failed_lookup_says_why) {
  auto failing = std::make_shared<dns_resolver>(
      [](const std::string& host, uint16_t) -> result<tcp_endpoints> {
        return fail(errc::unavailable, "cannot resolve " + host + ": no such host");
      });
  https_client http(5s, {}, failing);
  auto r =
      http.request(*parse_base_url("https://nowhere.invalid/helix"), "GET", "/x", {});
  EXPECT_EQ(r.status, 0);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.error, "cannot resolve nowhere.invalid: no such host");
}

TEST_F(https_client_test, cancelling_ends_a_stuck_lookup_wait) {
  std::atomic<bool> cancel{false};
  https_client http(
      10s, [&] { return cancel.load(); }, resolver);
  auto pending = std::async(std::launch::async, [&] {
    return http.request(*parse_base_url("http://twitch.invalid/helix"), "GET", "/x", {});
  });
  ASSERT_TRUE(eventually([&] { return dns->lookups == 1; }));
  cancel = true;
  auto cancelled_at = steady::now();
  ASSERT_EQ(pending.wait_for(5s), std::future_status::ready);
  EXPECT_LT(steady::now() - cancelled_at, 2s);  // polled every 50 ms
  auto r = pending.get();
  EXPECT_TRUE(r.cancelled);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.error, "cancelled");
}

TEST_F(https_client_test, cancelling_ends_a_request_twitch_is_slow_to_answer) {
  fake_twitch fake;
  fake.delay_next(1, 10s, "/users");
  // Cancelled 300 ms in: the request is written by then and waits for the answer.
  auto cancel_at = steady::now() + 300ms;
  https_client http(10s, [&] { return steady::now() >= cancel_at; });
  auto r = http.request(*parse_base_url(fake.api_url()), "GET", "/users?login=a", {});
  auto late = steady::now() - cancel_at;
  EXPECT_TRUE(r.cancelled);
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.error, "cancelled");
  // ~50 ms after the cancellation; bounded generously for a busy machine, and far
  // below the 10 s the fake would take.
  EXPECT_LT(late, 1500ms);
  // Cancelled before it starts: nothing is sent at all.
  EXPECT_TRUE(
      http.request(*parse_base_url(fake.api_url()), "GET", "/streams", {}).cancelled);
  EXPECT_EQ(fake.calls("GET", "/helix/streams"), 0);
}

TEST_F(https_client_test, the_client_works_again_once_no_longer_cancelled) {
  fake_twitch fake;
  // The fake answers one request at a time, so the second request waits for the delayed
  // first one: 3 s keeps that well inside the client's 10 s timeout on a busy machine.
  fake.delay_next(1, 3s, "/users");
  // Cancelled 300 ms into the first request only.
  std::atomic<bool> first{true};
  auto cancel_at = steady::now() + 300ms;
  https_client http(10s, [&] { return first && steady::now() >= cancel_at; });
  auto api = *parse_base_url(fake.api_url());
  std::vector<std::pair<std::string, std::string>> headers{
      {"Authorization", "Bearer " + fake.issue_token()}, {"Client-Id", fake.client_id()}};
  EXPECT_TRUE(http.request(api, "GET", "/users", headers).cancelled);
  first = false;
  auto r = http.request(api, "GET", "/users?login=a", headers);
  EXPECT_EQ(r.status, 200) << r.error;  // on a new connection
}

}  // namespace
}  // namespace eventsubd::twitch
