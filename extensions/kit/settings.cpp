#include "extensions/kit/settings.hpp"

#include "core/text.hpp"

#include <charconv>

namespace eventsubd::ext {

settings::settings(std::string prefix, std::map<std::string, std::string> values)
    : prefix_(std::move(prefix)), values_(std::move(values)) {}

std::optional<std::string> settings::get(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::string settings::text(const std::string& key, std::string fallback) const {
  auto v = get(key);
  return v ? trim(*v) : std::move(fallback);
}

result<long> settings::number(const std::string& key, long lo, long hi,
                              long fallback) const {
  auto v = get(key);
  if (!v) return fallback;
  auto t = trim(*v);
  long out = 0;
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
  if (t.empty() || ec != std::errc{} || ptr != t.data() + t.size() || out < lo ||
      out > hi)
    return fail(errc::bad_request, variable(key) + " must be a whole number from " +
                                       std::to_string(lo) + " to " + std::to_string(hi) +
                                       ", got '" + *v + "'");
  return out;
}

result<bool> settings::flag(const std::string& key, bool fallback) const {
  auto v = get(key);
  if (!v) return fallback;
  auto l = to_lower(trim(*v));
  if (l == "true" || l == "1" || l == "yes" || l == "on") return true;
  if (l == "false" || l == "0" || l == "no" || l == "off") return false;
  return fail(errc::bad_request,
              variable(key) + " must be true or false, got '" + *v + "'");
}

}  // namespace eventsubd::ext
