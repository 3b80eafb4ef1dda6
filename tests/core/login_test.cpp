#include "core/login.hpp"

#include <gtest/gtest.h>

#include <string>

namespace eventsubd {
namespace {

TEST(Login, AcceptsLettersDigitsAndUnderscores) {
  EXPECT_TRUE(is_valid_login("a"));
  EXPECT_TRUE(is_valid_login("Z"));
  EXPECT_TRUE(is_valid_login("7"));
  EXPECT_TRUE(is_valid_login("cool_user"));
  EXPECT_TRUE(is_valid_login("Cool_User"));
  EXPECT_TRUE(is_valid_login("twitchdev"));
  EXPECT_TRUE(is_valid_login("44429626"));
  EXPECT_TRUE(is_valid_login("a_"));
  EXPECT_TRUE(is_valid_login("a__b"));
  EXPECT_TRUE(is_valid_login("0_"));
}

TEST(Login, LengthIsOneToTwentyFive) {
  EXPECT_FALSE(is_valid_login(""));
  EXPECT_TRUE(is_valid_login(std::string(1, 'x')));
  EXPECT_TRUE(is_valid_login(std::string(25, 'x')));
  EXPECT_FALSE(is_valid_login(std::string(26, 'x')));
  EXPECT_FALSE(is_valid_login(std::string(100, 'x')));
  EXPECT_TRUE(is_valid_login("a" + std::string(24, '_')));
  EXPECT_FALSE(is_valid_login("a" + std::string(25, '_')));
}

TEST(Login, RefusesLeadingUnderscore) {
  EXPECT_FALSE(is_valid_login("_"));
  EXPECT_FALSE(is_valid_login("_user"));
  EXPECT_FALSE(is_valid_login("__"));
}

TEST(Login, RefusesOtherCharacters) {
  for (const char* bad :
       {"cool-user", "cool user", " cooluser", "cooluser ", "cool%20user", "%",
        "cool.user", "cool/user", "cool@user", "user!", "a\tb", "a\nb", "a+b", "../etc",
        "a'b", "a\"b", "a\\b", "-user"}) {
    EXPECT_FALSE(is_valid_login(bad)) << bad;
    EXPECT_FALSE(normalize_login(bad).has_value()) << bad;
  }
}

TEST(Login, RefusesNonAsciiBytes) {
  EXPECT_FALSE(is_valid_login("caf\xc3\xa9"));  // "café" in UTF-8
  EXPECT_FALSE(is_valid_login("\xc3\xa9t\xc3\xa9"));
  EXPECT_FALSE(is_valid_login("user\xff"));
  EXPECT_FALSE(is_valid_login("\x80"));
  EXPECT_FALSE(is_valid_login("\xef\xbc\xa1"));  // fullwidth 'A'
}

TEST(Login, RefusesEmbeddedNul) {
  EXPECT_FALSE(is_valid_login(std::string("ab\0cd", 5)));
  EXPECT_FALSE(is_valid_login(std::string("\0", 1)));
}

TEST(NormalizeLogin, Lowercases) {
  EXPECT_EQ(normalize_login("Cool_User"), "cool_user");
  EXPECT_EQ(normalize_login("TWITCHDEV"), "twitchdev");
  EXPECT_EQ(normalize_login("already_lower"), "already_lower");
  EXPECT_EQ(normalize_login("A1B2_C3"), "a1b2_c3");
  EXPECT_EQ(normalize_login("Z"), "z");
}

TEST(NormalizeLogin, KeepsLengthAndIsIdempotent) {
  std::string max(25, 'Q');
  auto once = normalize_login(max);
  ASSERT_TRUE(once.has_value());
  EXPECT_EQ(*once, std::string(25, 'q'));
  EXPECT_EQ(normalize_login(*once), once);
}

TEST(NormalizeLogin, NulloptForInvalid) {
  EXPECT_FALSE(normalize_login(""));
  EXPECT_FALSE(normalize_login("_x"));
  EXPECT_FALSE(normalize_login(std::string(26, 'A')));
  EXPECT_FALSE(normalize_login("caf\xc3\xa9"));
}

TEST(InvalidLoginDetail, SaysWhatIsAllowedAndEchoesTheInput) {
  auto d = invalid_login_detail("bad-name");
  EXPECT_NE(d.find("bad-name"), std::string::npos) << d;
  EXPECT_NE(d.find("1-25"), std::string::npos) << d;
  EXPECT_NE(d.find("underscore"), std::string::npos) << d;
}

TEST(InvalidLoginDetail, NeverContainsRawControlOrNonAsciiBytes) {
  std::string evil = "a\r\nSet-Cookie: x=1\x1b[31m\x7f\xff\xc3\xa9";
  evil += std::string("\0tail", 5);
  auto d = invalid_login_detail(evil);
  for (unsigned char c : d) {
    EXPECT_GE(c, 0x20) << "control byte in: " << d;
    EXPECT_LT(c, 0x7f) << "non-printable byte in: " << d;
  }
  EXPECT_EQ(d.find('\r'), std::string::npos);
  EXPECT_EQ(d.find('\n'), std::string::npos);
  EXPECT_EQ(d.find('\0'), std::string::npos);
  // The printable parts are still shown, with replacements for the rest.
  EXPECT_NE(d.find("Set-Cookie: x=1"), std::string::npos) << d;
}

TEST(InvalidLoginDetail, BoundsTheEcho) {
  std::string huge(10000, 'x');
  auto d = invalid_login_detail(huge);
  EXPECT_LT(d.size(), 300u);
  EXPECT_EQ(d.find(std::string(41, 'x')), std::string::npos);
}

TEST(InvalidLoginDetail, EmptyInput) {
  auto d = invalid_login_detail("");
  EXPECT_FALSE(d.empty());
  EXPECT_NE(d.find("1-25"), std::string::npos);
}

}  // namespace
}  // namespace eventsubd
