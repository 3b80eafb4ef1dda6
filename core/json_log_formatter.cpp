#include "core/json_log_formatter.hpp"

#include <fmt/format.h>

#include <chrono>
#include <iterator>

namespace eventsubd {
namespace {

void append(spdlog::memory_buf_t& dest, std::string_view s) {
  dest.append(s.data(), s.data() + s.size());
}

/// Length of the well-formed UTF-8 sequence starting at `s[i]` (Unicode table 3-7: no
/// overlong forms, no surrogates, nothing above U+10FFFF), or 0 if there is none.
size_t utf8_sequence_length(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  auto in = [](unsigned char b, unsigned char lo, unsigned char hi) {
    return b >= lo && b <= hi;
  };
  const unsigned char lead = byte(0);
  size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (in(lead, 0xC2, 0xDF)) {
    len = 2;
  } else if (in(lead, 0xE0, 0xEF)) {
    len = 3;
    if (lead == 0xE0) lo = 0xA0;  // overlong
    if (lead == 0xED) hi = 0x9F;  // surrogates
  } else if (in(lead, 0xF0, 0xF4)) {
    len = 4;
    if (lead == 0xF0) lo = 0x90;  // overlong
    if (lead == 0xF4) hi = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (i + len > s.size() || !in(byte(1), lo, hi)) return 0;
  for (size_t k = 2; k < len; ++k)
    if (!in(byte(k), 0x80, 0xBF)) return 0;
  return len;
}

}  // namespace

void append_json_string(std::string_view text, spdlog::memory_buf_t& dest) {
  static constexpr char hex[] = "0123456789abcdef";
  dest.push_back('"');
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      if (size_t len = utf8_sequence_length(text, i)) {
        append(dest, text.substr(i, len));
        i += len;
      } else {
        append(dest, "\\ufffd");  // one replacement per byte that starts no character
        ++i;
      }
      continue;
    }
    // The characters JSON escapes with a letter, and those letters.
    static constexpr std::string_view special = "\"\\\n\r\t\b\f", letter = "\"\\nrtbf";
    if (auto k = special.find(static_cast<char>(c)); k != std::string_view::npos) {
      dest.push_back('\\');
      dest.push_back(letter[k]);
    } else if (c < 0x20 || c == 0x7f) {  // DEL too, so terminals never see raw controls
      const char escaped[] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf]};
      append(dest, {escaped, sizeof escaped});
    } else {
      dest.push_back(static_cast<char>(c));
    }
    ++i;
  }
  dest.push_back('"');
}

void json_log_formatter::format(const spdlog::details::log_msg& msg,
                                spdlog::memory_buf_t& dest) {
  using namespace std::chrono;
  const auto since_epoch = msg.time.time_since_epoch();
  const auto secs = floor<seconds>(since_epoch);
  const auto millis = duration_cast<milliseconds>(since_epoch - secs).count();
  const std::time_t t = secs.count();
  if (t != cached_second_) {
    std::tm utc{};
    gmtime_r(&t, &utc);
    std::strftime(cached_text_, sizeof cached_text_, "%Y-%m-%dT%H:%M:%S", &utc);
    cached_second_ = t;
  }
  append(dest, "{\"timestamp\":\"");
  append(dest, cached_text_);
  fmt::format_to(std::back_inserter(dest), ".{:03}Z\",\"level\":", millis);
  const auto level = spdlog::level::to_string_view(msg.level);
  append_json_string({level.data(), level.size()}, dest);
  append(dest, ",\"logger\":");
  append_json_string({msg.logger_name.data(), msg.logger_name.size()}, dest);
  append(dest, ",\"message\":");
  append_json_string({msg.payload.data(), msg.payload.size()}, dest);
  append(dest, "}\n");
}

std::unique_ptr<spdlog::formatter> json_log_formatter::clone() const {
  return std::make_unique<json_log_formatter>();
}

}  // namespace eventsubd
