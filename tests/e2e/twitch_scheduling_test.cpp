// Twitch work is scheduled by who is waiting (issue 13): a burst of go-lives, a flood of
// public lookups or a slow Helix never holds up an add; metadata is batched; a request
// whose client went away never reaches Twitch; queues are bounded. The bounds below are
// the targets, generous for work that takes milliseconds here.
#include "tests/common/fake_twitch.hpp"
#include "tests/e2e/e2e_support.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace eventsubd::testing {
namespace {

using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

class twitch_scheduling_e2e : public ::testing::Test {
 protected:
  fake_twitch fake;
  std::unique_ptr<server_process> server;

  void SetUp() override { fake.add_standard_users(); }

  void start(std::map<std::string, std::string> extra = {}) {
    std::map<std::string, std::string> env{{"TWITCH_CLIENT_ID", fake.client_id()},
                                           {"TWITCH_CLIENT_SECRET", fake.client_secret()},
                                           {"TWITCH_API_URL", fake.api_url()},
                                           {"TWITCH_AUTH_URL", fake.auth_url()},
                                           {"WEBHOOK_SECRET", e2e_secret},
                                           {"REFRESH_INTERVAL", "86400"}};
    for (auto& [k, v] : extra) env[k] = v;
    server = std::make_unique<server_process>(env);
    // Ready once the start-up round is over.
    ASSERT_TRUE(eventually(
        [&] { return http_once(port(), "GET", "/health").status == 200; }, 30s));
  }
  uint16_t port() const { return server->port(); }

  /// How long one request takes, and its answer.
  std::pair<clock::duration, http_reply> timed(const std::string& method,
                                               const std::string& target) {
    auto t0 = clock::now();
    http_client c(port(), 60s);
    auto r = c.request(method, target);
    return {clock::now() - t0, r};
  }

  /// Runs `n` requests on `threads` threads at once; their statuses.
  std::map<int, int> flood(int n, int threads, std::function<http_reply(int)> one) {
    std::mutex m;
    std::map<int, int> statuses;
    std::atomic<int> next{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&] {
        for (int i = next++; i < n; i = next++) {
          int status = 0;
          try {
            status = one(i).status;
          } catch (const std::exception&) {
            status = -1;  // no answer in time
          }
          std::lock_guard<std::mutex> g{m};
          ++statuses[status];
        }
      });
    for (auto& t : pool) t.join();
    return statuses;
  }

  int64_t metric(const std::string& sample) {
    auto body = http_once(port(), "GET", "/metrics").body;
    auto at = body.find("\n" + sample + " ");
    if (at == std::string::npos) return -1;
    return std::stoll(body.substr(at + sample.size() + 2));
  }
};

TEST_F(twitch_scheduling_e2e,
       a_burst_of_go_lives_stalls_nothing_and_metadata_is_batched) {
  constexpr int burst = 1000;
  for (int i = 0; i < burst; ++i) {
    auto id = std::to_string(50000 + i);
    fake.add_user({id, "burst" + std::to_string(i), "Burst" + std::to_string(i)});
    fake.set_live({"s-" + id,
                   id,
                   "",
                   "",
                   "1",
                   "Chess",
                   "burst",
                   10 + i,
                   twitch_timestamp(-30s),
                   {}});
  }
  start();
  int streams_before = fake.calls("GET", "/helix/streams");
  auto burst_began = std::chrono::steady_clock::now();
  auto statuses = flood(burst, 8, [&](int i) {
    auto id = std::to_string(50000 + i);
    return post_signed(port(), online_body(id, "burst" + std::to_string(i), "s-" + id,
                                           twitch_timestamp(-30s)));
  });
  ASSERT_EQ(statuses[200], burst);
  auto burst_took = std::chrono::steady_clock::now() - burst_began;
  // Right after the burst: an add and an unknown streamer's status answer at once.
  auto [add_took, add] = timed("POST", "/streamers/ninja");
  EXPECT_EQ(add.status, 200) << add.body;
  EXPECT_LT(add_took, 2s);
  auto [lookup_took, lookup] = timed("GET", "/streamers/pokimane/status");
  EXPECT_EQ(lookup.status, 200) << lookup.body;
  EXPECT_LT(lookup_took, 1s);
  // Every stream gets its metadata, in batches of 100 ids per Get Streams call.
  ASSERT_TRUE(eventually(
      [&] {
        auto live = http_once(port(), "GET", "/streams/live").body;
        size_t n = 0;
        for (auto at = live.find("\"game_name\""); at != std::string::npos;
             at = live.find("\"game_name\"", at + 1))
          ++n;
        return n >= burst;
      },
      60s))
      << server->log().substr(0, 2000);
  int metadata_calls = fake.calls("GET", "/helix/streams") - streams_before - 1;  // - add
  // ceil(1000/100) full calls, plus one partial call per batch window (1 s) the burst
  // lasted (on a busy machine the 1,000 webhooks take a few seconds), plus batched
  // retries: one call per stream (1,000) or per 250 ms would be far above.
  auto windows = std::chrono::ceil<std::chrono::seconds>(burst_took).count();
  EXPECT_LE(metadata_calls, 10 + windows + 2)
      << "Get Streams calls for the burst's metadata (the burst took " << windows
      << " s)";
}

TEST_F(twitch_scheduling_e2e, a_flood_of_unknown_lookups_does_not_delay_an_add) {
  start();
  // Helix answers Get Users slowly, as in the measurement.
  fake.delay_next(1000, 300ms, "/users");
  std::atomic<bool> flooding{true};
  std::map<int, int> statuses;
  std::thread flooder([&] {
    statuses = flood(200, 50, [&](int i) {
      http_client c(port(), 60s);
      return c.request("GET", "/streamers/unknown" + std::to_string(i) + "/status");
    });
    flooding = false;
  });
  ASSERT_TRUE(eventually([&] { return fake.calls("GET", "/helix/users") >= 2; }));
  auto [add_took, add] = timed("POST", "/streamers/ninja");
  EXPECT_EQ(add.status, 200) << add.body;
  EXPECT_LT(add_took, 2s);
  EXPECT_TRUE(flooding) << "the add should have been measured during the flood";
  flooder.join();
  // Every lookup got an answer: 404 (no such user), 429 beyond LOOKUP_RATE_LIMIT, or 504
  // when it waited past its deadline behind the slow ones; none reached Twitch beyond the
  // limit.
  int answered = 0;
  for (auto [status, n] : statuses) {
    EXPECT_TRUE(status == 404 || status == 429 || status == 504) << status << " x" << n;
    answered += n;
  }
  EXPECT_EQ(answered, 200);
  EXPECT_GE(statuses[429], 100);
  EXPECT_LE(fake.calls("GET", "/helix/users"), 60 + 1 + 1);  // the limit, the add, margin
  EXPECT_GE(metric("eventsubd_status_lookups_rate_limited_total"), statuses[429]);
}

TEST_F(twitch_scheduling_e2e, a_429_carries_retry_after_and_answers_are_cached) {
  start({{"LOOKUP_RATE_LIMIT", "2"}});
  EXPECT_EQ(http_once(port(), "GET", "/streamers/nobody1/status").status, 404);
  EXPECT_EQ(http_once(port(), "GET", "/streamers/nobody2/status").status, 404);
  int calls = fake.calls("GET", "/helix/users");
  auto limited = http_once(port(), "GET", "/streamers/nobody3/status");
  EXPECT_EQ(limited.status, 429);
  EXPECT_NE(limited.body.find("detail"), std::string::npos);
  ASSERT_FALSE(limited.header("retry-after").empty());
  EXPECT_GE(std::stoi(limited.header("retry-after")), 1);
  // Cached answers ("no such user" too) cost no token and no call.
  EXPECT_EQ(http_once(port(), "GET", "/streamers/nobody1/status").status, 404);
  EXPECT_EQ(fake.calls("GET", "/helix/users"), calls);
}

TEST_F(twitch_scheduling_e2e, identical_lookups_in_flight_share_one_call) {
  start();
  fake.delay_next(1, 1s, "/users");
  auto statuses = flood(40, 40, [&](int) {
    http_client c(port(), 30s);
    return c.request("GET", "/streamers/shroud/status");
  });
  EXPECT_EQ(statuses[200], 40);
  EXPECT_EQ(fake.calls("GET", "/helix/users"), 1);
}

TEST_F(twitch_scheduling_e2e, a_lookup_whose_client_hung_up_never_reaches_twitch) {
  start();
  // The one lookup worker is busy with a slow lookup...
  fake.delay_next(1, 3s, "/users");
  std::thread slow([&] {
    http_client c(port(), 30s);
    c.request("GET", "/streamers/shroud/status");
  });
  ASSERT_TRUE(eventually([&] { return fake.calls("GET", "/helix/users") >= 1; }));
  // ...while another client asks for another login and hangs up before its answer.
  {
    http_client gone(port(), 5s);
    gone.send_raw("GET /streamers/pokimane/status HTTP/1.1\r\nHost: x\r\n\r\n");
  }
  slow.join();
  ASSERT_TRUE(eventually([&] {
    return metric("eventsubd_twitch_work_dropped_total{reason=\"abandoned\"}") == 1;
  }));
  EXPECT_EQ(fake.calls("GET", "/helix/users"), 1);  // pokimane was never asked for
  for (const auto& r : fake.requests())
    EXPECT_EQ(r.query.find("pokimane"), std::string::npos);
}

TEST_F(twitch_scheduling_e2e, full_queues_answer_503_with_retry_after) {
  start({{"LOOKUP_RATE_LIMIT", "100000"}});
  fake.delay_next(1000, 2s, "/users");
  auto statuses = flood(400, 400, [&](int i) {
    http_client c(port(), 60s);
    auto r = c.request("GET", "/streamers/queued" + std::to_string(i) + "/status");
    if (r.status == 503) {
      EXPECT_FALSE(r.header("retry-after").empty());
    }
    return r;
  });
  EXPECT_GE(statuses[503], 150) << "the lookup queue holds 200; 504: " << statuses[504]
                                << ", 404: " << statuses[404];
  EXPECT_EQ(statuses[-1], 0) << "every request is answered";
  EXPECT_GE(metric("eventsubd_twitch_work_dropped_total{reason=\"queue_full\"}"),
            statuses[503]);
}

}  // namespace
}  // namespace eventsubd::testing
