#pragma once
// The fake Twitch's wire formats: query and form parameters, pagination cursors,
// timestamps, and the JSON bodies Twitch answers with (errors, subscriptions).

#include "tests/common/fake_twitch.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace eventsubd::testing::fake_twitch_detail {

using json_writer = rapidjson::Writer<rapidjson::StringBuffer>;
using params = std::vector<std::pair<std::string, std::string>>;

std::string lower(std::string_view s);
bool starts_with(std::string_view s, std::string_view prefix);

/// Percent-decoding as for application/x-www-form-urlencoded (`+` is a space); a
/// malformed escape is kept literally.
std::string percent_decode(std::string_view s);
/// `a=1&b=2` (a query or a form body), decoded, in order, repeated keys kept.
params parse_params(std::string_view text);
std::vector<std::string> values_of(const params& p, std::string_view key);
std::optional<std::string> value_of(const params& p, std::string_view key);
bool has_key(const params& p, std::string_view key);
std::optional<int> parse_int(std::string_view s);

int64_t unix_now();
/// RFC 3339 UTC with nanoseconds and `Z`, as Twitch writes `created_at` and timestamps.
std::string rfc3339_now(bool with_fraction = true);

/// Cursors: base64url (no padding) of `{"o":N}`, opaque enough and safe in a query.
std::string encode_cursor(uint64_t n);
std::optional<uint64_t> decode_cursor(std::string_view cursor);

void put(json_writer& w, const char* key, std::string_view value);
void put(json_writer& w, const char* key, int value);
/// Helix error body `{"error":"Bad Request","status":400,"message":"..."}`.
std::string helix_error_body(int status, std::string_view message);
/// OAuth error body `{"status":400,"message":"..."}`.
std::string oauth_error_body(int status, std::string_view message);
/// One subscription as Helix lists it.
void write_subscription(json_writer& w, const fake_subscription& s);

struct http_url {
  std::string host;
  std::string port;
  std::string target;
};

/// `http://host[:port][/path][?query]`; nullopt for anything else (https included).
std::optional<http_url> parse_http_url(std::string_view url);

}  // namespace eventsubd::testing::fake_twitch_detail
