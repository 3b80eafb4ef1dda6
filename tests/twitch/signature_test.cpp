#include "twitch/signature.hpp"

#include "tests/common/fixtures.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <string>

namespace eventsubd::twitch {
namespace {

struct signed_vector {
  const char* body_file;
  const char* secret;
  const char* id;
  const char* timestamp;
  const char* expected;
};

// From /work/shared/fixtures/eventsub/README.md.
constexpr signed_vector vector_a{
    "vector_a.body", "secretabcd", "ae2ff348-e102-16be-a3eb-6830c1bf38d2",
    "2021-02-19T23:47:00.8091512Z",
    "sha256=d10f5bd9474b7ac7bd7105eb79c2d52768b4d0cd2a135982c3bf5a1d59a78823"};
constexpr signed_vector vector_b{
    "vector_b.body", "testsecret123", "fixed-msg-id-1", "2024-01-01T00:00:00.123456789Z",
    "sha256=332ec1a8dc878ec12159665592454c435813338d8ad42b9e71e6825c76dbd7d2"};

class SignatureVector : public ::testing::TestWithParam<signed_vector> {
 protected:
  void SetUp() override { body_ = eventsubd::testing::fixture(GetParam().body_file); }

  bool verify(const std::string& header) const {
    signature_verifier v(GetParam().secret);
    return v.verify(GetParam().id, GetParam().timestamp, body_, header);
  }

  std::string body_;
};

TEST_P(SignatureVector, BodyIsByteExact) {
  // The README gives the sizes; a newline added by an editor would break the vectors.
  const std::string name = GetParam().body_file;
  EXPECT_EQ(body_.size(), name == "vector_a.body" ? 458u : 443u);
  EXPECT_NE(body_.back(), '\n');
}

TEST_P(SignatureVector, SignMatchesTheExpectedHeader) {
  signature_verifier v(GetParam().secret);
  EXPECT_EQ(v.sign(GetParam().id, GetParam().timestamp, body_), GetParam().expected);
}

TEST_P(SignatureVector, SignIsRepeatable) {
  // Each call works on a copy of the keyed context: no state carries over.
  signature_verifier v(GetParam().secret);
  auto first = v.sign(GetParam().id, GetParam().timestamp, body_);
  auto other = v.sign("other", "other", "other");
  EXPECT_NE(first, other);
  EXPECT_EQ(v.sign(GetParam().id, GetParam().timestamp, body_), first);
}

TEST_P(SignatureVector, VerifyAcceptsTheExpectedHeader) {
  EXPECT_TRUE(verify(GetParam().expected));
  EXPECT_TRUE(verify(GetParam().expected));  // and again, same verifier state rules
}

TEST_P(SignatureVector, VerifyAcceptsUppercaseHexOfTheCorrectDigest) {
  // The code parses hex case-insensitively (hex_value accepts A-F); the prefix stays
  // lowercase.
  std::string upper = GetParam().expected;
  for (size_t i = 7; i < upper.size(); ++i)
    upper[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(upper[i])));
  ASSERT_NE(upper, GetParam().expected);
  EXPECT_TRUE(verify(upper));
}

TEST_P(SignatureVector, VerifyRefusesEveryFlippedHexDigit) {
  const std::string good = GetParam().expected;
  for (size_t i = 7; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] = bad[i] == '0' ? '1' : '0';
    EXPECT_FALSE(verify(bad)) << "position " << i;
  }
}

TEST_P(SignatureVector, VerifyRefusesWrongPrefix) {
  const std::string hex = std::string(GetParam().expected).substr(7);
  for (const std::string& prefix :
       {std::string("SHA256="), std::string("sha1="), std::string("sha256:"),
        std::string("sha256 "), std::string("sha512="), std::string("")}) {
    EXPECT_FALSE(verify(prefix + hex)) << prefix;
  }
  EXPECT_FALSE(verify(hex));
  EXPECT_FALSE(verify("=" + hex));
}

TEST_P(SignatureVector, VerifyRefusesTruncatedHeaders) {
  const std::string good = GetParam().expected;
  EXPECT_FALSE(verify(good.substr(0, good.size() - 1)));
  EXPECT_FALSE(verify(good.substr(0, good.size() - 2)));
  EXPECT_FALSE(verify(good.substr(0, 7 + 32)));
  EXPECT_FALSE(verify("sha256="));
  EXPECT_FALSE(verify(""));
}

TEST_P(SignatureVector, VerifyRefusesExtraCharacters) {
  const std::string good = GetParam().expected;
  EXPECT_FALSE(verify(good + "0"));
  EXPECT_FALSE(verify(good + " "));
  EXPECT_FALSE(verify(good + "\n"));
  EXPECT_FALSE(verify(" " + good));
  EXPECT_FALSE(verify(good + good.substr(7)));
}

TEST_P(SignatureVector, VerifyRefusesNonHexOfTheRightLength) {
  std::string bad = GetParam().expected;
  bad[10] = 'g';
  EXPECT_FALSE(verify(bad));
  EXPECT_FALSE(verify("sha256=" + std::string(64, 'z')));
  EXPECT_FALSE(verify("sha256=" + std::string(64, ' ')));
}

TEST_P(SignatureVector, VerifyRefusesABodyChangedByOneByte) {
  signature_verifier v(GetParam().secret);
  const auto& p = GetParam();
  for (size_t pos : {size_t{0}, body_.size() / 2, body_.size() - 1}) {
    std::string changed = body_;
    changed[pos] = static_cast<char>(changed[pos] ^ 0x01);
    EXPECT_FALSE(v.verify(p.id, p.timestamp, changed, p.expected)) << pos;
  }
  EXPECT_FALSE(v.verify(p.id, p.timestamp, body_ + "\n", p.expected));
  EXPECT_FALSE(
      v.verify(p.id, p.timestamp, body_.substr(0, body_.size() - 1), p.expected));
}

TEST_P(SignatureVector, VerifyRefusesADifferentSecret) {
  const auto& p = GetParam();
  for (const std::string& secret :
       {std::string(p.secret) + "x", std::string(p.secret).substr(1), std::string("")}) {
    signature_verifier v(secret);
    EXPECT_FALSE(v.verify(p.id, p.timestamp, body_, p.expected)) << secret;
  }
}

TEST_P(SignatureVector, VerifyRefusesIdAndTimestampSwapped) {
  signature_verifier v(GetParam().secret);
  const auto& p = GetParam();
  EXPECT_FALSE(v.verify(p.timestamp, p.id, body_, p.expected));
}

TEST_P(SignatureVector, VerifyRefusesChangedIdOrTimestamp) {
  signature_verifier v(GetParam().secret);
  const auto& p = GetParam();
  EXPECT_FALSE(v.verify(std::string(p.id) + "x", p.timestamp, body_, p.expected));
  EXPECT_FALSE(v.verify(p.id, std::string(p.timestamp) + "x", body_, p.expected));
  EXPECT_FALSE(v.verify("", p.timestamp, body_, p.expected));
}

TEST_P(SignatureVector, ConcatenationBoundaryIsNotSignificant) {
  // Twitch signs id + timestamp + body as one byte string, so moving bytes between the
  // parts gives the same signature (documents the construction).
  signature_verifier v(GetParam().secret);
  const auto& p = GetParam();
  const std::string id = p.id;
  EXPECT_TRUE(v.verify(id.substr(0, 3), id.substr(3) + p.timestamp, body_, p.expected));
}

INSTANTIATE_TEST_SUITE_P(TwitchVectors, SignatureVector,
                         ::testing::Values(vector_a, vector_b),
                         [](const ::testing::TestParamInfo<signed_vector>& info) {
                           return info.index == 0 ? std::string("vector_a")
                                                  : std::string("vector_b");
                         });

TEST(Signature, ShapeOfSign) {
  signature_verifier v("any-secret-value");
  auto s = v.sign("id", "ts", "");
  ASSERT_EQ(s.size(), 7u + 64u);
  EXPECT_EQ(s.substr(0, 7), "sha256=");
  for (char c : s.substr(7))
    EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << s;
  EXPECT_TRUE(v.verify("id", "ts", "", s));
}

TEST(Signature, KnownHmacSha256) {
  // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
  signature_verifier v("Jefe");
  EXPECT_EQ(v.sign("what do ya ", "want for ", "nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Signature, EmptySecretStillSigns) {
  signature_verifier v("");
  auto s = v.sign("a", "b", "c");
  EXPECT_TRUE(v.verify("a", "b", "c", s));
  signature_verifier w("x");
  EXPECT_FALSE(w.verify("a", "b", "c", s));
}

TEST(Signature, BinaryBodiesAreSignedByteExact) {
  signature_verifier v("0123456789");
  const std::string with_nul("a\0b", 3);
  auto s = v.sign("id", "ts", with_nul);
  EXPECT_TRUE(v.verify("id", "ts", with_nul, s));
  EXPECT_FALSE(v.verify("id", "ts", "a", s));
  EXPECT_NE(s, v.sign("id", "ts", "a"));
}

}  // namespace
}  // namespace eventsubd::twitch
