#include "core/json_log_formatter.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>
#include <spdlog/details/log_msg.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

#include <chrono>
#include <cstdint>
#include <random>
#include <sstream>
#include <string>

namespace eventsubd {
namespace {

// 2024-01-15T11:45:23Z (as in time_test.cpp), plus 7 ms.
const auto fixed_time = spdlog::log_clock::time_point{std::chrono::seconds{1705319123} +
                                                      std::chrono::milliseconds{7}};

std::string format(std::string_view message,
                   spdlog::level::level_enum level = spdlog::level::info,
                   std::string_view logger = "app") {
  spdlog::details::log_msg msg{fixed_time,
                               spdlog::source_loc{},
                               {logger.data(), logger.size()},
                               level,
                               {message.data(), message.size()}};
  spdlog::memory_buf_t buf;
  json_log_formatter{}.format(msg, buf);
  return {buf.data(), buf.size()};
}

/// One parsed line: its four fields, or a test failure when it is not valid JSON.
struct parsed_line {
  std::string timestamp, level, logger, message;
};

parsed_line parse(const std::string& line) {
  EXPECT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "more than one line";
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  auto err = parser.parse(line).get(obj);
  EXPECT_EQ(err, simdjson::SUCCESS) << "invalid JSON: " << line;
  parsed_line out;
  if (err) return out;
  EXPECT_EQ(obj.size(), 4u) << line;
  auto field = [&](const char* key) {
    std::string_view v;
    EXPECT_EQ(obj[key].get(v), simdjson::SUCCESS) << key << " in " << line;
    return std::string(v);
  };
  out.timestamp = field("timestamp");
  out.level = field("level");
  out.logger = field("logger");
  out.message = field("message");
  return out;
}

bool valid_utf8(const std::string& s) {
  return simdjson::validate_utf8(s.data(), s.size());
}

TEST(JsonLogFormatter, ExactShape) {
  EXPECT_EQ(format("listening on 0.0.0.0:8000"),
            R"({"timestamp":"2024-01-15T11:45:23.007Z","level":"info","logger":"app",)"
            R"("message":"listening on 0.0.0.0:8000"})"
            "\n");
}

TEST(JsonLogFormatter, LevelNamesMatchLogLevelValues) {
  const std::pair<spdlog::level::level_enum, const char*> levels[] = {
      {spdlog::level::trace, "trace"}, {spdlog::level::debug, "debug"},
      {spdlog::level::info, "info"},   {spdlog::level::warn, "warning"},
      {spdlog::level::err, "error"},   {spdlog::level::critical, "critical"}};
  for (auto [level, name] : levels) EXPECT_EQ(parse(format("x", level)).level, name);
}

TEST(JsonLogFormatter, TimestampIsRfc3339UtcWithMilliseconds) {
  auto line = parse(format("x"));
  EXPECT_EQ(line.timestamp, "2024-01-15T11:45:23.007Z");
  // The cached second is not reused for another second.
  json_log_formatter f;
  spdlog::memory_buf_t buf;
  for (auto t : {fixed_time, fixed_time + std::chrono::milliseconds(1993)}) {
    spdlog::details::log_msg msg{t, spdlog::source_loc{}, "app", spdlog::level::info,
                                 "x"};
    f.format(msg, buf);
  }
  auto both = std::string(buf.data(), buf.size());
  EXPECT_NE(both.find("2024-01-15T11:45:23.007Z"), std::string::npos) << both;
  EXPECT_NE(both.find("2024-01-15T11:45:25.000Z"), std::string::npos) << both;
}

TEST(JsonLogFormatter, QuotesBackslashesAndControlCharactersRoundTrip) {
  std::string tricky = "say \"hi\" \\ back\\slash / {\"json\":[1]}";
  for (int c = 0; c < 0x20; ++c) tricky += static_cast<char>(c);
  tricky += '\x7f';
  tricky += "end";
  auto line = format(tricky);
  EXPECT_EQ(parse(line).message, tricky);
  EXPECT_EQ(line.find('\x7f'), std::string::npos);  // escaped, not raw
  for (char c = 0; c < 0x20; ++c) {
    if (c != '\n') {
      EXPECT_EQ(line.find(c), std::string::npos) << int(c);
    }
  }
}

TEST(JsonLogFormatter, EmbeddedNulAndEmptyMessage) {
  EXPECT_EQ(parse(format(std::string_view("a\0b", 3))).message, std::string("a\0b", 3));
  EXPECT_EQ(parse(format("")).message, "");
}

TEST(JsonLogFormatter, ValidUtf8IsKeptAsItIs) {
  const std::string text =
      "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xe2\x80\xa8 \xef\xbf\xbf "
      "\xf4\x8f\xbf\xbf \xed\x9f\xbf \xee\x80\x80";
  auto line = format(text);
  EXPECT_NE(line.find(text), std::string::npos);  // not escaped
  EXPECT_EQ(parse(line).message, text);
}

TEST(JsonLogFormatter, InvalidUtf8BecomesReplacementCharacters) {
  const std::string fffd = "\xef\xbf\xbd";
  const std::pair<std::string, std::string> cases[] = {
      {"\xff", fffd},
      {"a\x80z", "a" + fffd + "z"},                     // lone continuation byte
      {"\xc0\xaf", fffd + fffd},                        // overlong '/'
      {"\xe0\x80\xaf", fffd + fffd + fffd},             // overlong, 3 bytes
      {"\xed\xa0\x80", fffd + fffd + fffd},             // surrogate U+D800
      {"\xf4\x90\x80\x80", fffd + fffd + fffd + fffd},  // above U+10FFFF
      {"\xf5\x80\x80\x80", fffd + fffd + fffd + fffd},
      {"x\xe2\x82", "x" + fffd + fffd},  // truncated at the end
      {"\xe2\x82x", fffd + fffd + "x"},  // truncated before ASCII
      {"\xc3\xa9\xc3", "\xc3\xa9" + fffd},
  };
  for (const auto& [bytes, expected] : cases) {
    SCOPED_TRACE(::testing::PrintToString(bytes));
    auto line = format(bytes);
    EXPECT_TRUE(valid_utf8(line));
    EXPECT_EQ(parse(line).message, expected);
  }
}

TEST(JsonLogFormatter, EveryByteAndRandomBytesGiveValidJson) {
  for (int b = 0; b < 256; ++b) {
    std::string one(1, static_cast<char>(b));
    auto message = parse(format(one)).message;
    if (b < 0x80) {
      EXPECT_EQ(message, one) << b;
    } else {
      EXPECT_EQ(message, "\xef\xbf\xbd") << b;
    }
  }
  std::mt19937 rng{12345};  // fixed seed: the same strings every run
  std::uniform_int_distribution<int> byte{0, 255}, length{0, 40};
  for (int i = 0; i < 5000; ++i) {
    std::string s(static_cast<size_t>(length(rng)), '\0');
    for (auto& c : s) c = static_cast<char>(byte(rng));
    auto line = format(s, spdlog::level::info, s);  // the logger name too
    auto parsed = parse(line);
    if (valid_utf8(s)) {
      EXPECT_EQ(parsed.message, s);
      EXPECT_EQ(parsed.logger, s);
    }
    if (::testing::Test::HasFailure()) break;
  }
}

TEST(JsonLogFormatter, WorksAsASpdlogSinkFormatter) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  spdlog::logger logger{"twitch", sink};
  logger.set_formatter(std::make_unique<json_log_formatter>());
  logger.warn("token for {} rejected: {}", "client \"x\"", 401);
  logger.info("second");
  std::string text = out.str();
  auto newline = text.find('\n');
  ASSERT_NE(newline, std::string::npos);
  auto first = parse(text.substr(0, newline + 1));
  EXPECT_EQ(first.level, "warning");
  EXPECT_EQ(first.logger, "twitch");
  EXPECT_EQ(first.message, "token for client \"x\" rejected: 401");
  EXPECT_EQ(parse(text.substr(newline + 1)).message, "second");
}

}  // namespace
}  // namespace eventsubd
