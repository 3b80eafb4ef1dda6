// End to end: HTTP/1.1 behaviour of the server (keep-alive, pipelining, limits, garbage,
// Expect: 100-continue, chunked bodies, graceful shutdown).
#include "tests/e2e/e2e_support.hpp"

#include <gtest/gtest.h>

#include <future>
#include <thread>

namespace eventsubd::testing {
namespace {

using namespace std::chrono_literals;

class protocol_e2e : public ::testing::Test {
 protected:
  server_process server{{{"WEBHOOK_SECRET", e2e_secret}}};
  uint16_t port() const { return server.port(); }
};

TEST_F(protocol_e2e, keep_alive_serves_many_requests_on_one_connection) {
  http_client client(port());
  for (int i = 0; i < 20; ++i) {
    auto r = client.request("GET", i % 2 ? "/health" : "/streams/live");
    EXPECT_EQ(r.status, 200);
  }
  EXPECT_EQ(client.request("GET", "/nope").status, 404);
  EXPECT_EQ(client.request("GET", "/").status, 200);  // still open after an error answer
}

TEST_F(protocol_e2e, pipelined_requests_are_answered_in_order) {
  http_client client(port());
  client.send_raw(
      "GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /events?limit=0 HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(client.read_reply().status, 200);
  EXPECT_EQ(client.read_reply().status, 404);
  EXPECT_EQ(client.read_reply().status, 422);
  auto last = client.read_reply();
  EXPECT_EQ(last.status, 200);
  EXPECT_NE(last.body.find("Twitch EventSub REST API"), std::string::npos);
}

TEST_F(protocol_e2e, pipelined_webhook_then_read_sees_the_write) {
  auto body = online_body("5001", "piper", "s1", twitch_timestamp(-5s));
  auto headers =
      eventsub_headers(e2e_secret, body, "notification", unique_id(), twitch_timestamp());
  std::string raw = "POST /webhooks/eventsub HTTP/1.1\r\nHost: x\r\n";
  for (auto& [k, v] : headers) raw += k + ": " + v + "\r\n";
  raw += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  raw += "GET /streamers/piper/status HTTP/1.1\r\nHost: x\r\n\r\n";
  http_client client(port());
  client.send_raw(raw);
  EXPECT_EQ(client.read_reply().status, 200);
  auto status = client.read_reply();
  EXPECT_EQ(status.status, 200);
  EXPECT_TRUE(bool(json_doc(status.body).root["is_live"]));
}

TEST_F(protocol_e2e, garbage_gets_400_and_a_close_while_others_are_served) {
  http_client good(port());
  EXPECT_EQ(good.request("GET", "/health").status, 200);
  http_client bad(port());
  bad.send_raw("\x16\x03\x01\x02\x00 this is not http\r\n\r\n");
  auto r = bad.read_reply();
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(bad.peer_closed());
  http_client bad2(port());
  bad2.send_raw("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n");
  EXPECT_EQ(bad2.read_reply().status, 400);
  EXPECT_EQ(good.request("GET", "/health").status, 200);
}

TEST_F(protocol_e2e, oversized_headers_are_431) {
  http_client client(port());
  std::string raw =
      "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n";
  client.send_raw(raw);
  EXPECT_EQ(client.read_reply().status, 431);
  EXPECT_EQ(http_once(port(), "GET", "/health").status, 200);
}

TEST_F(protocol_e2e, declared_oversized_body_is_413_without_reading_it) {
  http_client client(port());
  client.send_raw(
      "POST /webhooks/eventsub HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n\r\n");
  auto r = client.read_reply();
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.header("connection"), "close");
}

TEST_F(protocol_e2e, expect_100_continue_is_honoured) {
  auto body = online_body("5002", "expecter", "s1", twitch_timestamp(-5s));
  auto headers =
      eventsub_headers(e2e_secret, body, "notification", unique_id(), twitch_timestamp());
  std::string raw =
      "POST /webhooks/eventsub HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n";
  for (auto& [k, v] : headers) raw += k + ": " + v + "\r\n";
  raw += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  http_client client(port());
  client.send_raw(raw);
  auto interim = client.read_reply();
  EXPECT_EQ(interim.status, 100);
  client.send_raw(body);
  auto final_reply = client.read_reply();
  EXPECT_EQ(final_reply.status, 200);
  EXPECT_EQ(final_reply.body, R"({"status":"success"})");
}

TEST_F(protocol_e2e, chunked_request_body_is_accepted) {
  auto body = online_body("5003", "chunky", "s1", twitch_timestamp(-5s));
  auto headers =
      eventsub_headers(e2e_secret, body, "notification", unique_id(), twitch_timestamp());
  std::string raw =
      "POST /webhooks/eventsub HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n";
  for (auto& [k, v] : headers) raw += k + ": " + v + "\r\n";
  raw += "\r\n";
  auto half = body.size() / 2;
  auto hex = [](size_t n) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%zx", n);
    return std::string(buf);
  };
  raw += hex(half) + "\r\n" + body.substr(0, half) + "\r\n";
  raw += hex(body.size() - half) + "\r\n" + body.substr(half) + "\r\n0\r\n\r\n";
  http_client client(port());
  client.send_raw(raw);
  EXPECT_EQ(client.read_reply().status, 200);
  EXPECT_EQ(http_once(port(), "GET", "/streamers/chunky/status").status, 200);
}

TEST_F(protocol_e2e, http_1_0_gets_an_answer_and_a_close) {
  http_client client(port());
  client.send_raw("GET /health HTTP/1.0\r\n\r\n");
  auto r = client.read_reply();
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(client.peer_closed());
}

TEST_F(protocol_e2e, connection_close_is_respected) {
  http_client client(port());
  auto r = client.request("GET", "/health", "", {{"Connection", "close"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("connection"), "close");
  EXPECT_TRUE(client.peer_closed());
}

TEST(connection_cap_e2e, connections_over_the_cap_are_refused_with_503) {
  server_process server{{{"MAX_CONNECTIONS", "3"}}};
  std::vector<std::unique_ptr<http_client>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(std::make_unique<http_client>(server.port()));
    EXPECT_EQ(held.back()->request("GET", "/health").status, 200);
  }
  http_client extra(server.port());
  extra.send_raw("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(extra.read_reply().status, 503);
  held.pop_back();  // one closes: room again
  bool served = false;
  for (int attempt = 0; attempt < 100 && !served; ++attempt) {
    http_client again(server.port());
    again.send_raw("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    served = again.read_reply().status == 200;
  }
  EXPECT_TRUE(served);
}

TEST(shutdown_e2e, sigterm_closes_idle_connections_and_exits_zero) {
  server_process server{{{"WEBHOOK_SECRET", e2e_secret}}};
  http_client idle(server.port());
  EXPECT_EQ(idle.request("GET", "/health").status, 200);
  auto started = std::chrono::steady_clock::now();
  auto code = server.terminate(std::chrono::seconds(10));
  ASSERT_TRUE(code.has_value()) << "did not exit";
  EXPECT_EQ(*code, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
  EXPECT_TRUE(idle.peer_closed());
  EXPECT_NE(server.log().find("stopped"), std::string::npos);
}

TEST(shutdown_e2e, sigterm_during_load_gives_complete_answers_or_clean_closes) {
  server_process server{{{"WEBHOOK_SECRET", e2e_secret}}};
  auto port = server.port();
  std::atomic<bool> stop{false};
  std::atomic<int> complete{0}, failed_cleanly{0}, broken{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 4; ++c)
    clients.emplace_back([&, c] {
      int n = 0;
      while (!stop) {
        try {
          http_client client(port, std::chrono::seconds(5));
          for (int i = 0; i < 50 && !stop; ++i) {
            auto body = online_body(std::to_string(6000 + c),
                                    std::string("load").append(std::to_string(c)),
                                    std::string("s").append(std::to_string(++n)),
                                    twitch_timestamp(std::chrono::seconds(n)));
            auto r = client.request("POST", "/webhooks/eventsub", body,
                                    eventsub_headers(e2e_secret, body, "notification",
                                                     unique_id(), twitch_timestamp()));
            if (r.status == 200 && r.body == R"({"status":"success"})")
              ++complete;
            else
              ++broken;  // a wrong status or a truncated body would land here
          }
        } catch (const std::exception& e) {
          // Connection refused / closed between requests is a clean outcome; a parse
          // error of a partial response is not.
          std::string what = e.what();
          if (what.find("partial") != std::string::npos ||
              what.find("bad") != std::string::npos)
            ++broken;
          else
            ++failed_cleanly;
          if (failed_cleanly > 0 && stop) return;
        }
      }
    });
  // Let the load run, then stop the server under it.
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (complete < 200 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::yield();
  auto code = server.terminate(std::chrono::seconds(10));
  stop = true;
  for (auto& t : clients) t.join();
  ASSERT_TRUE(code.has_value())
      << server.log().substr(server.log().size() > 3000 ? server.log().size() - 3000 : 0);
  EXPECT_EQ(*code, 0);
  EXPECT_GE(complete.load(), 200);
  EXPECT_EQ(broken.load(), 0);
}

}  // namespace
}  // namespace eventsubd::testing

namespace eventsubd::testing {
namespace {

TEST(slow_client_e2e, a_client_that_stalls_mid_request_is_cut_off_and_others_are_served) {
  server_process server{{{"REQUEST_TIMEOUT", "1"}}};
  http_client slow(server.port());
  slow.send_raw("GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ");  // and never finishes
  http_client idle(server.port());  // connects, sends nothing
  EXPECT_EQ(http_once(server.port(), "GET", "/health").status, 200);
  auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(slow.peer_closed(std::chrono::seconds(5)));
  EXPECT_TRUE(idle.peer_closed(std::chrono::seconds(5)));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(4));
  EXPECT_EQ(http_once(server.port(), "GET", "/health").status, 200);
}

TEST(slow_client_e2e, keep_alive_connections_time_out_after_each_request_too) {
  // The deadline is re-armed lazily (one timer per connection that moves on when it
  // fires): requests served one after another keep the connection open, and once it
  // goes quiet it is closed within the timeout, however many deadlines came before.
  server_process server{{{"REQUEST_TIMEOUT", "1"}}};
  http_client client(server.port());
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(client.request("GET", "/health").status, 200) << i;
    std::this_thread::sleep_for(std::chrono::milliseconds(400));  // under the timeout
  }
  auto quiet_since = std::chrono::steady_clock::now();
  EXPECT_TRUE(client.peer_closed(std::chrono::seconds(5)));
  auto waited = std::chrono::steady_clock::now() - quiet_since;
  EXPECT_GE(waited, std::chrono::milliseconds(500));
  EXPECT_LT(waited, std::chrono::milliseconds(3500));
}

}  // namespace
}  // namespace eventsubd::testing
