// End to end: LOG_FORMAT=json makes every line the real binary logs one JSON object.
#include "tests/e2e/e2e_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <set>
#include <sstream>
#include <vector>

namespace eventsubd::testing {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(json_log_e2e, every_line_is_one_json_object) {
  // The first four bytes of the client id are logged at start: a quote, a backslash, a
  // control character and a byte that is not UTF-8. Twitch points at a closed loopback
  // port, so its failures are logged too.
  const std::string closed = "http://127.0.0.1:" + std::to_string(free_port());
  server_process server{{{"LOG_FORMAT", "json"},
                         {"WEBHOOK_SECRET", e2e_secret},
                         {"TWITCH_CLIENT_ID", "\"\\\x01\xff-client"},
                         {"TWITCH_CLIENT_SECRET", "secret"},
                         {"TWITCH_API_URL", closed + "/helix"},
                         {"TWITCH_AUTH_URL", closed + "/oauth2"}}};
  // /health says "starting" (503) until the start-up round is done: wait for it.
  EXPECT_TRUE(eventually(
      [&] { return http_once(server.port(), "GET", "/health").status == 200; }));
  EXPECT_EQ(http_once(server.port(), "POST", "/webhooks/eventsub", "{}").status, 403);
  ASSERT_EQ(server.terminate(), 0);

  const std::regex rfc3339_utc{R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)"};
  const std::set<std::string> levels{"trace",   "debug", "info",
                                     "warning", "error", "critical"};
  const std::set<std::string> loggers{"app", "http", "actors", "storage", "twitch"};
  auto lines = lines_of(server.log());
  ASSERT_GE(lines.size(), 5u) << server.log();
  std::vector<std::string> messages;
  simdjson::dom::parser parser;
  for (const auto& line : lines) {
    SCOPED_TRACE(line);
    simdjson::dom::object obj;
    ASSERT_EQ(parser.parse(line).get(obj), simdjson::SUCCESS);
    EXPECT_EQ(obj.size(), 4u);
    std::string_view timestamp, level, logger, message;
    ASSERT_EQ(obj["timestamp"].get(timestamp), simdjson::SUCCESS);
    ASSERT_EQ(obj["level"].get(level), simdjson::SUCCESS);
    ASSERT_EQ(obj["logger"].get(logger), simdjson::SUCCESS);
    ASSERT_EQ(obj["message"].get(message), simdjson::SUCCESS);
    EXPECT_TRUE(std::regex_match(std::string(timestamp), rfc3339_utc));
    EXPECT_TRUE(levels.count(std::string(level)));
    EXPECT_TRUE(loggers.count(std::string(logger)));
    messages.emplace_back(message);
  }
  auto logged = [&](const std::string& text) {
    return std::any_of(messages.begin(), messages.end(), [&](const std::string& m) {
      return m.find(text) != std::string::npos;
    });
  };
  EXPECT_TRUE(logged("listening on 127.0.0.1:" + std::to_string(server.port())));
  EXPECT_TRUE(logged("client id \"\\\x01\xef\xbf\xbd..."));  // U+FFFD for the 0xff
  EXPECT_EQ(messages.back(), "stopped");
}

TEST(json_log_e2e, text_is_the_default) {
  server_process server;
  ASSERT_EQ(server.terminate(), 0);
  auto lines = lines_of(server.log());
  ASSERT_FALSE(lines.empty());
  for (const auto& line : lines) EXPECT_NE(line.front(), '{') << line;
}

TEST(json_log_e2e, the_log_goes_to_standard_output) {
  // As the README says, and as Docker and journald collect by default.
  server_process server{{{"WEBHOOK_SECRET", e2e_secret}},
                        server_process::stderr_to::own_file};
  // /health says "starting" (503) until the start-up round is done: wait for it.
  EXPECT_TRUE(eventually(
      [&] { return http_once(server.port(), "GET", "/health").status == 200; }));
  ASSERT_EQ(server.terminate(), 0);
  auto out = server.log();
  EXPECT_NE(out.find("listening on 127.0.0.1:" + std::to_string(server.port())),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("stopped"), std::string::npos) << out;
  EXPECT_EQ(server.stderr_text(), "");
}

}  // namespace
}  // namespace eventsubd::testing
