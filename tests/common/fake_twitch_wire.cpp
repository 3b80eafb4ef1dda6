#include "tests/common/fake_twitch_wire.hpp"

#include <boost/beast/http/status.hpp>

#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace eventsubd::testing::fake_twitch_detail {

namespace {

namespace http = boost::beast::http;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

constexpr std::string_view kB64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string b64url_encode(std::string_view in) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : in) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kB64[(acc >> bits) & 0x3f];
    }
  }
  if (bits > 0) out += kB64[(acc << (6 - bits)) & 0x3f];
  return out;
}

std::optional<std::string> b64url_decode(std::string_view in) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    auto pos = kB64.find(c);
    if (pos == std::string_view::npos) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(pos);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

std::string reason_of(int status) {
  auto r = http::obsolete_reason(http::int_to_status(static_cast<unsigned>(status)));
  return r == "<unknown-status>" ? std::string("Error") : std::string(r);
}

}  // namespace

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
               hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

params parse_params(std::string_view text) {
  params out;
  while (!text.empty()) {
    auto amp = text.find('&');
    auto part = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view{} : text.substr(amp + 1);
    if (part.empty()) continue;
    auto eq = part.find('=');
    if (eq == std::string_view::npos) {
      out.emplace_back(percent_decode(part), std::string{});
    } else {
      out.emplace_back(percent_decode(part.substr(0, eq)),
                       percent_decode(part.substr(eq + 1)));
    }
  }
  return out;
}

std::vector<std::string> values_of(const params& p, std::string_view key) {
  std::vector<std::string> out;
  for (const auto& [k, v] : p)
    if (k == key) out.push_back(v);
  return out;
}

std::optional<std::string> value_of(const params& p, std::string_view key) {
  for (const auto& [k, v] : p)
    if (k == key) return v;
  return std::nullopt;
}

bool has_key(const params& p, std::string_view key) {
  return value_of(p, key).has_value();
}

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string rfc3339_now(bool with_fraction) {
  auto t = std::chrono::system_clock::now();
  auto ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ns / 1000000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out(buf);
  if (with_fraction) {
    char frac[16];
    std::snprintf(frac, sizeof frac, ".%09lld", static_cast<long long>(ns % 1000000000));
    out += frac;
  }
  return out + "Z";
}

std::string encode_cursor(uint64_t n) {
  return b64url_encode("{\"o\":" + std::to_string(n) + "}");
}

std::optional<uint64_t> decode_cursor(std::string_view cursor) {
  auto text = b64url_decode(cursor);
  if (!text || !starts_with(*text, "{\"o\":") || text->back() != '}') return std::nullopt;
  std::string_view digits(text->data() + 5, text->size() - 6);
  uint64_t n = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc{} || p != digits.data() + digits.size() || digits.empty())
    return std::nullopt;
  return n;
}

std::optional<int> parse_int(std::string_view s) {
  int n = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (s.empty() || ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return n;
}

void put(json_writer& w, const char* key, std::string_view value) {
  w.Key(key);
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

void put(json_writer& w, const char* key, int value) {
  w.Key(key);
  w.Int(value);
}

std::string helix_error_body(int status, std::string_view message) {
  rapidjson::StringBuffer sb;
  json_writer w(sb);
  w.StartObject();
  put(w, "error", reason_of(status));
  put(w, "status", status);
  put(w, "message", message);
  w.EndObject();
  return sb.GetString();
}

/// OAuth error body `{"status":400,"message":"..."}`.
std::string oauth_error_body(int status, std::string_view message) {
  rapidjson::StringBuffer sb;
  json_writer w(sb);
  w.StartObject();
  put(w, "status", status);
  put(w, "message", message);
  w.EndObject();
  return sb.GetString();
}

void write_subscription(json_writer& w, const fake_subscription& s) {
  w.StartObject();
  put(w, "id", s.id);
  put(w, "status", s.status);
  put(w, "type", s.type);
  put(w, "version", s.version);
  w.Key("condition");
  w.StartObject();
  put(w, "broadcaster_user_id", s.broadcaster_user_id);
  w.EndObject();
  put(w, "created_at", s.created_at);
  w.Key("transport");
  w.StartObject();
  put(w, "method", "webhook");
  put(w, "callback", s.callback);
  w.EndObject();
  put(w, "cost", s.cost);
  w.EndObject();
}

std::optional<http_url> parse_http_url(std::string_view url) {
  if (!starts_with(url, "http://")) return std::nullopt;
  url.remove_prefix(7);
  auto slash = url.find_first_of("/?");
  auto authority = url.substr(0, slash);
  http_url out;
  out.target = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  if (out.target.front() == '?') out.target.insert(0, "/");
  if (authority.empty()) return std::nullopt;
  if (authority.front() == '[') {  // [v6]:port
    auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    out.host = std::string(authority.substr(1, close - 1));
    auto rest = authority.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return std::nullopt;
    out.port = rest.empty() ? "80" : std::string(rest.substr(1));
  } else {
    auto colon = authority.rfind(':');
    out.host = std::string(authority.substr(0, colon));
    out.port =
        colon == std::string_view::npos ? "80" : std::string(authority.substr(colon + 1));
  }
  if (out.host.empty() || out.port.empty()) return std::nullopt;
  return out;
}

}  // namespace eventsubd::testing::fake_twitch_detail
