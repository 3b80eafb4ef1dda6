// The `.env` parser (parse_dotenv), and a `.env` file read by load_config.
#include "core/config.hpp"
#include "tests/core/config_test_support.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace eventsubd::testing {
namespace {

// --- parse_dotenv
// ------------------------------------------------------------------------

using kv = std::vector<std::pair<std::string, std::string>>;

TEST(ParseDotenv, KeyValueLines) {
  EXPECT_EQ(parse_dotenv("A=1\nB=two\n"), (kv{{"A", "1"}, {"B", "two"}}));
  EXPECT_EQ(parse_dotenv("A=1"), (kv{{"A", "1"}}));  // no final newline
}

TEST(ParseDotenv, CommentsAndBlankLines) {
  EXPECT_EQ(parse_dotenv("# comment\n\n   \n  # indented comment\nA=1\n#B=2\n"),
            (kv{{"A", "1"}}));
}

TEST(ParseDotenv, ExportPrefix) {
  EXPECT_EQ(parse_dotenv("export A=1\nexport   B = 2\n"), (kv{{"A", "1"}, {"B", "2"}}));
}

TEST(ParseDotenv, Quotes) {
  EXPECT_EQ(parse_dotenv("A=\"hello world\"\nB='single # not comment'\nC=\"\"\n"),
            (kv{{"A", "hello world"}, {"B", "single # not comment"}, {"C", ""}}));
}

TEST(ParseDotenv, MismatchedQuotesAreKept) {
  EXPECT_EQ(parse_dotenv("A=\"abc'\n"), (kv{{"A", "\"abc'"}}));
  EXPECT_EQ(parse_dotenv("A=\"\n"), (kv{{"A", "\""}}));
}

TEST(ParseDotenv, CrLfLineEndings) {
  EXPECT_EQ(parse_dotenv("A=1\r\nB=\"q\"\r\n# c\r\nC=3\r\n"),
            (kv{{"A", "1"}, {"B", "q"}, {"C", "3"}}));
}

TEST(ParseDotenv, InlineCommentOnUnquotedValue) {
  EXPECT_EQ(parse_dotenv("PORT=8000 # the port\nHOST=0.0.0.0   #listen\n"),
            (kv{{"PORT", "8000"}, {"HOST", "0.0.0.0"}}));
}

TEST(ParseDotenv, HashWithoutSpaceIsPartOfTheValue) {
  EXPECT_EQ(parse_dotenv("SECRET=abc#def\n"), (kv{{"SECRET", "abc#def"}}));
}

TEST(ParseDotenv, InlineCommentAfterQuotedValue) {
  // A quoted value followed by a comment: the quotes delimit the value.
  EXPECT_EQ(parse_dotenv("A=\"x y\" # note\n"), (kv{{"A", "x y"}}));
}

TEST(ParseDotenv, SpacesAroundKeyAndValue) {
  EXPECT_EQ(parse_dotenv("  A  =  spaced value  \n"), (kv{{"A", "spaced value"}}));
}

TEST(ParseDotenv, ValueMayContainEquals) {
  EXPECT_EQ(parse_dotenv("URL=redis://u:p@h:1/0?x=y\n"),
            (kv{{"URL", "redis://u:p@h:1/0?x=y"}}));
}

TEST(ParseDotenv, EmptyValueAndLinesWithoutEquals) {
  EXPECT_EQ(parse_dotenv("A=\nnot a pair\n=orphan\nB=2\n"), (kv{{"A", ""}, {"B", "2"}}));
}

TEST(ParseDotenv, EmptyText) {
  EXPECT_TRUE(parse_dotenv("").empty());
}

TEST(LoadConfig, DotEnvWithQuotesCommentsExportAndCrLf) {
  temp_file env(
      "# eventsubd\r\n"
      "export PORT=7100\r\n"
      "WEBHOOK_SECRET=\"a quoted secret #1\"\r\n"
      "LOG_LEVEL=debug # inline\r\n"
      "DEFAULT_STREAMERS='Alpha, beta'\r\n");
  auto out = run({"--env-file", env.path()});
  ASSERT_TRUE(out.cfg.has_value()) << out.message;
  EXPECT_EQ(out.cfg->port, 7100);
  EXPECT_EQ(out.cfg->webhook_secret, "a quoted secret #1");
  EXPECT_EQ(out.cfg->log_level, "debug");
  EXPECT_EQ(out.cfg->default_streamers, (std::vector<std::string>{"alpha", "beta"}));
}

}  // namespace
}  // namespace eventsubd::testing
