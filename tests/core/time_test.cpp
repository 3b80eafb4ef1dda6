#include "core/time.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace eventsubd {
namespace {

// Epoch seconds of 2024-01-15T11:45:23Z (checked with `date -u -d ... +%s`).
constexpr int64_t k_2024_01_15_11_45_23 = 1705319123;

sys_time at_ns(int64_t epoch_ns) {
  return sys_time{std::chrono::nanoseconds{epoch_ns}};
}

sys_time at(int64_t epoch_s, int64_t extra_ns = 0) {
  return at_ns(epoch_s * 1'000'000'000 + extra_ns);
}

/// Parses and fails the test (not crashes) when the text is refused.
sys_time parsed(const std::string& text) {
  auto t = parse_rfc3339(text);
  EXPECT_TRUE(t.has_value()) << "refused: " << text;
  return t.value_or(sys_time{});
}

// --- fraction digits -----------------------------------------------------------------

TEST(ParseRfc3339, NoFraction) {
  EXPECT_EQ(parsed("2024-01-15T11:45:23Z"), at(k_2024_01_15_11_45_23));
}

struct fraction_case {
  const char* text;
  int64_t extra_ns;
};

class ParseRfc3339Fraction : public ::testing::TestWithParam<fraction_case> {};

TEST_P(ParseRfc3339Fraction, ScalesEveryDigitCountToNanoseconds) {
  const auto& c = GetParam();
  EXPECT_EQ(parsed(c.text), at(k_2024_01_15_11_45_23, c.extra_ns)) << c.text;
}

INSTANTIATE_TEST_SUITE_P(
    OneToNineDigits, ParseRfc3339Fraction,
    ::testing::Values(fraction_case{"2024-01-15T11:45:23.1Z", 100'000'000},
                      fraction_case{"2024-01-15T11:45:23.12Z", 120'000'000},
                      fraction_case{"2024-01-15T11:45:23.123Z", 123'000'000},
                      fraction_case{"2024-01-15T11:45:23.1234Z", 123'400'000},
                      fraction_case{"2024-01-15T11:45:23.12345Z", 123'450'000},
                      fraction_case{"2024-01-15T11:45:23.123456Z", 123'456'000},
                      fraction_case{"2024-01-15T11:45:23.1234567Z", 123'456'700},
                      fraction_case{"2024-01-15T11:45:23.12345678Z", 123'456'780},
                      fraction_case{"2024-01-15T11:45:23.123456789Z", 123'456'789},
                      fraction_case{"2024-01-15T11:45:23.000000001Z", 1},
                      fraction_case{"2024-01-15T11:45:23.0Z", 0},
                      fraction_case{"2024-01-15T11:45:23.999999999Z", 999'999'999},
                      fraction_case{"2024-01-15T11:45:23.05Z", 50'000'000}));

TEST(ParseRfc3339, TwitchTimestampsFromTheFixtures) {
  // vector_a: 7 digits, vector_b: 9 digits.
  EXPECT_EQ(parsed("2021-02-19T23:47:00.8091512Z"), at(1613778420, 809'151'200));
  EXPECT_EQ(parsed("2024-01-01T00:00:00.123456789Z"), at(1704067200, 123'456'789));
  EXPECT_EQ(parsed("2020-10-11T10:11:12.123Z"), at(1602411072, 123'000'000));
}

TEST(ParseRfc3339, Epoch) {
  EXPECT_EQ(parsed("1970-01-01T00:00:00Z"), at_ns(0));
  EXPECT_EQ(parsed("1970-01-01T00:00:00.000000001Z"), at_ns(1));
}

TEST(ParseRfc3339, EndOfYear) {
  EXPECT_EQ(parsed("2024-12-31T23:59:59.999999999Z"), at(1735689599, 999'999'999));
}

// --- offsets
// -----------------------------------------------------------------------------

TEST(ParseRfc3339, UppercaseAndLowercaseZAreUtc) {
  const auto expected = at(k_2024_01_15_11_45_23, 500'000'000);
  EXPECT_EQ(parsed("2024-01-15T11:45:23.5Z"), expected);
  EXPECT_EQ(parsed("2024-01-15T11:45:23.5z"), expected);
}

TEST(ParseRfc3339, ZeroOffsetsAreUtc) {
  EXPECT_EQ(parsed("2024-01-15T11:45:23+00:00"), at(k_2024_01_15_11_45_23));
  EXPECT_EQ(parsed("2024-01-15T11:45:23-00:00"), at(k_2024_01_15_11_45_23));
}

TEST(ParseRfc3339, PositiveOffsetIsAheadOfUtc) {
  // 13:45:23+02:00 is 11:45:23Z.
  EXPECT_EQ(parsed("2024-01-15T13:45:23+02:00"), at(k_2024_01_15_11_45_23));
  // 17:15:23+05:30 is 11:45:23Z (minutes count too).
  EXPECT_EQ(parsed("2024-01-15T17:15:23.25+05:30"),
            at(k_2024_01_15_11_45_23, 250'000'000));
}

TEST(ParseRfc3339, NegativeOffsetIsBehindUtc) {
  // 06:45:23-05:00 is 11:45:23Z.
  EXPECT_EQ(parsed("2024-01-15T06:45:23-05:00"), at(k_2024_01_15_11_45_23));
  // 08:15:23-03:30 is 11:45:23Z.
  EXPECT_EQ(parsed("2024-01-15T08:15:23.123456-03:30"),
            at(k_2024_01_15_11_45_23, 123'456'000));
}

TEST(ParseRfc3339, OffsetCrossesTheDateLine) {
  // 2024-01-16T01:00:00+13:00 == 2024-01-15T12:00:00Z
  EXPECT_EQ(parsed("2024-01-16T01:00:00+13:00"), parsed("2024-01-15T12:00:00Z"));
  // 2023-12-31T20:00:00-04:00 == 2024-01-01T00:00:00Z
  EXPECT_EQ(parsed("2023-12-31T20:00:00-04:00"), at(1704067200));
}

TEST(ParseRfc3339, NaiveTimeIsUtc) {
  EXPECT_EQ(parsed("2024-01-15T11:45:23"), at(k_2024_01_15_11_45_23));
  EXPECT_EQ(parsed("2024-01-15T11:45:23.123456"), at(k_2024_01_15_11_45_23, 123'456'000));
}

TEST(ParseRfc3339, LowercaseTAndSpaceSeparators) {
  const auto expected = at(k_2024_01_15_11_45_23, 123'000'000);
  EXPECT_EQ(parsed("2024-01-15t11:45:23.123Z"), expected);
  EXPECT_EQ(parsed("2024-01-15 11:45:23.123Z"), expected);
  EXPECT_EQ(parsed("2024-01-15 11:45:23.123"), expected);
  EXPECT_EQ(parsed("2024-01-15 11:45:23.123+00:00"), expected);
}

// --- calendar
// ----------------------------------------------------------------------------

TEST(ParseRfc3339, LeapDayAcceptedInLeapYears) {
  EXPECT_EQ(parsed("2024-02-29T00:00:00Z"), at(1709164800));
  EXPECT_EQ(parsed("2000-02-29T12:00:00Z"), at(951825600));  // divisible by 400
}

TEST(ParseRfc3339, LeapDayRefusedInCommonYears) {
  EXPECT_FALSE(parse_rfc3339("2023-02-29T00:00:00Z"));
  EXPECT_FALSE(parse_rfc3339("1900-02-29T00:00:00Z"));  // divisible by 100, not 400
  EXPECT_FALSE(parse_rfc3339("2100-02-29T00:00:00Z"));
}

TEST(ParseRfc3339, RefusesDaysPastTheEndOfTheMonth) {
  EXPECT_FALSE(parse_rfc3339("2024-02-30T00:00:00Z"));
  EXPECT_FALSE(parse_rfc3339("2024-04-31T00:00:00Z"));
  EXPECT_FALSE(parse_rfc3339("2024-01-32T00:00:00Z"));
  EXPECT_TRUE(parse_rfc3339("2024-01-31T00:00:00Z"));
  EXPECT_TRUE(parse_rfc3339("2024-04-30T00:00:00Z"));
}

TEST(ParseRfc3339, RefusesOutOfRangeFields) {
  EXPECT_FALSE(parse_rfc3339("2024-00-15T11:45:23Z"));  // month 0
  EXPECT_FALSE(parse_rfc3339("2024-13-15T11:45:23Z"));  // month 13
  EXPECT_FALSE(parse_rfc3339("2024-01-00T11:45:23Z"));  // day 0
  EXPECT_FALSE(parse_rfc3339("2024-01-15T24:00:00Z"));  // hour 24
  EXPECT_FALSE(parse_rfc3339("2024-01-15T11:60:23Z"));  // minute 60
  EXPECT_FALSE(parse_rfc3339("2024-01-15T11:45:61Z"));  // second 61
  EXPECT_FALSE(parse_rfc3339("2024-01-15T11:45:23+24:00"));
  EXPECT_FALSE(parse_rfc3339("2024-01-15T11:45:23+05:60"));
  EXPECT_TRUE(parse_rfc3339("2024-01-15T23:59:59Z"));
}

// --- malformed text
// ---------------------------------------------------------------------

TEST(ParseRfc3339, RefusesTenFractionDigits) {
  EXPECT_FALSE(parse_rfc3339("2024-01-15T11:45:23.1234567890Z"));
  EXPECT_FALSE(parse_rfc3339("2024-01-15T11:45:23.1234567890"));
}

TEST(ParseRfc3339, RefusesEmptyFraction) {
  EXPECT_FALSE(parse_rfc3339("2024-01-15T11:45:23.Z"));
  EXPECT_FALSE(parse_rfc3339("2024-01-15T11:45:23."));
  EXPECT_FALSE(parse_rfc3339("2024-01-15T11:45:23.+00:00"));
}

TEST(ParseRfc3339, RefusesTrailingJunk) {
  EXPECT_FALSE(parse_rfc3339("2024-01-15T11:45:23Zjunk"));
  EXPECT_FALSE(parse_rfc3339("2024-01-15T11:45:23Z "));
  EXPECT_FALSE(parse_rfc3339("2024-01-15T11:45:23ZZ"));
  EXPECT_FALSE(parse_rfc3339("2024-01-15T11:45:23+00:00:00"));
  EXPECT_FALSE(parse_rfc3339("2024-01-15T11:45:23.123x"));
  EXPECT_FALSE(parse_rfc3339("2024-01-15T11:45:23 "));
  EXPECT_FALSE(parse_rfc3339(std::string("2024-01-15T11:45:23Z\0", 21)));
}

TEST(ParseRfc3339, RefusesMissingOrShortFields) {
  EXPECT_FALSE(parse_rfc3339("2024-01-15T11:45Z"));  // no seconds
  EXPECT_FALSE(parse_rfc3339("2024-01-15T11:45"));
  EXPECT_FALSE(parse_rfc3339("2024-01-15"));
  EXPECT_FALSE(parse_rfc3339("2024-01-15T11:45:2Z"));
  EXPECT_FALSE(parse_rfc3339("2024-1-15T11:45:23Z"));
  EXPECT_FALSE(parse_rfc3339("24-01-15T11:45:23Z"));
}

TEST(ParseRfc3339, RefusesBadSeparatorsAndOffsets) {
  EXPECT_FALSE(parse_rfc3339("2024/01/15T11:45:23Z"));
  EXPECT_FALSE(parse_rfc3339("2024-01-15X11:45:23Z"));
  EXPECT_FALSE(parse_rfc3339("2024-01-15T11.45.23Z"));
  EXPECT_FALSE(parse_rfc3339("2024-01-15T11:45:23+0200"));
  EXPECT_FALSE(parse_rfc3339("2024-01-15T11:45:23+02"));
  EXPECT_FALSE(parse_rfc3339("2024-01-15T11:45:23+2:00"));
  EXPECT_FALSE(parse_rfc3339("2024-01-15T11:45:23+02:0"));
  EXPECT_FALSE(parse_rfc3339("2024-01-15T11:45:23+"));
  EXPECT_FALSE(parse_rfc3339("2024-01-15T11:45:23UTC"));
  EXPECT_FALSE(parse_rfc3339("2024-01-15T1a:45:23Z"));
  EXPECT_FALSE(parse_rfc3339("-024-01-15T11:45:23Z"));
}

TEST(ParseRfc3339, RefusesEmptyAndGarbage) {
  EXPECT_FALSE(parse_rfc3339(""));
  EXPECT_FALSE(parse_rfc3339("Z"));
  EXPECT_FALSE(parse_rfc3339("not a timestamp at all"));
  EXPECT_FALSE(parse_rfc3339(" 2024-01-15T11:45:23Z"));
}

// Found by fuzzing: a year beyond what a nanosecond time point holds overflowed a signed
// 64-bit multiplication (undefined behaviour) instead of being refused.
TEST(ParseRfc3339, YearsANanosecondTimePointCannotHoldAreRefused) {
  for (const char* text :
       {"3963-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2262-04-12T00:00:00Z",
        "1677-09-21T00:00:00Z", "0000-01-01T00:00:00Z"})
    EXPECT_FALSE(parse_rfc3339(text)) << text;
  for (const char* text :
       {"1678-01-01T00:00:00+14:00", "2261-12-31T23:59:59.999999999-14:00"})
    EXPECT_TRUE(parse_rfc3339(text)) << text;
}

// --- format
// ------------------------------------------------------------------------------

TEST(FormatRfc3339, MicrosecondsAndUtcOffset) {
  EXPECT_EQ(format_rfc3339(at(k_2024_01_15_11_45_23, 123'456'000)),
            "2024-01-15T11:45:23.123456+00:00");
  EXPECT_EQ(format_rfc3339(at_ns(0)), "1970-01-01T00:00:00.000000+00:00");
  EXPECT_EQ(format_rfc3339(at(1735689599)), "2024-12-31T23:59:59.000000+00:00");
  EXPECT_EQ(format_rfc3339(at(1709164800, 1'000)), "2024-02-29T00:00:00.000001+00:00");
}

TEST(FormatRfc3339, TruncatesSubMicrosecondDigitsBefore1970Too) {
  auto t = parse_rfc3339("1709-01-15T11:45:23.123456789Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(format_rfc3339(*t), "1709-01-15T11:45:23.123456+00:00");
}

TEST(FormatRfc3339, TruncatesSubMicrosecondDigits) {
  EXPECT_EQ(format_rfc3339(at(k_2024_01_15_11_45_23, 123'456'999)),
            "2024-01-15T11:45:23.123456+00:00");
  EXPECT_EQ(format_rfc3339(at(1735689599, 999'999'999)),
            "2024-12-31T23:59:59.999999+00:00");  // not rounded into the next year
}

TEST(FormatRfc3339, ShapeIsFixed) {
  auto text = format_rfc3339(at(1613778420, 809'151'200));
  EXPECT_EQ(text, "2021-02-19T23:47:00.809151+00:00");
  EXPECT_EQ(text.size(), std::string("YYYY-MM-DDTHH:MM:SS.ffffff+00:00").size());
}

TEST(FormatRfc3339, RoundTripsThroughParse) {
  const int64_t samples_ns[] = {
      0,
      1'705'319'123'123'456'000,
      1'704'067'200'000'000'000,
      1'709'164'800'999'999'000,
      1'735'689'599'000'001'000,
      951'825'600'500'000'000,
  };
  for (int64_t ns : samples_ns) {
    auto t = at_ns(ns);
    auto text = format_rfc3339(t);
    auto back = parse_rfc3339(text);
    ASSERT_TRUE(back.has_value()) << text;
    EXPECT_EQ(*back, t) << text;
    EXPECT_EQ(format_rfc3339(*back), text);
  }
}

TEST(FormatRfc3339, RoundTripDropsOnlySubMicroseconds) {
  auto t = at(1704067200, 123'456'789);
  auto back = parse_rfc3339(format_rfc3339(t));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, at(1704067200, 123'456'000));
}

TEST(FormatRfc3339, NormalisesOffsetsToUtc) {
  EXPECT_EQ(format_rfc3339(parsed("2024-01-15T13:45:23.5+02:00")),
            "2024-01-15T11:45:23.500000+00:00");
  EXPECT_EQ(format_rfc3339(parsed("2023-12-31T20:00:00-04:00")),
            "2024-01-01T00:00:00.000000+00:00");
}

// --- unix_seconds
// ------------------------------------------------------------------------

TEST(UnixSeconds, WholeAndFractionalSeconds) {
  EXPECT_DOUBLE_EQ(unix_seconds(at_ns(0)), 0.0);
  EXPECT_DOUBLE_EQ(unix_seconds(at(k_2024_01_15_11_45_23)), 1705319123.0);
  EXPECT_DOUBLE_EQ(unix_seconds(at(k_2024_01_15_11_45_23, 500'000'000)), 1705319123.5);
  EXPECT_NEAR(unix_seconds(at(1704067200, 123'456'000)), 1704067200.123456, 1e-6);
}

TEST(UnixSeconds, OrdersLikeTheInstants) {
  auto a = parsed("2024-01-15T11:45:23.000001Z");
  auto b = parsed("2024-01-15T11:45:23.000002Z");
  EXPECT_LT(unix_seconds(a), unix_seconds(b));
}

TEST(Now, IsAfterTheFixtureTimesAndFormats) {
  auto t = now();
  EXPECT_GT(t, at(1704067200));
  auto back = parse_rfc3339(format_rfc3339(t));
  ASSERT_TRUE(back.has_value());
  EXPECT_LE(*back, t);
  EXPECT_LT(t - *back, std::chrono::microseconds{1});
}

}  // namespace
}  // namespace eventsubd
