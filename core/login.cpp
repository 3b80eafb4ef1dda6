#include "core/login.hpp"

namespace eventsubd {
namespace {

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

}  // namespace

bool is_valid_login(std::string_view text) {
  if (text.empty() || text.size() > 25 || !is_alnum(text.front())) return false;
  for (char c : text)
    if (!is_alnum(c) && c != '_') return false;
  return true;
}

std::optional<std::string> normalize_login(std::string_view text) {
  if (!is_valid_login(text)) return std::nullopt;
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string invalid_login_detail(std::string_view text) {
  // Echo at most a short, printable prefix: the input may be arbitrary bytes.
  std::string shown;
  for (char c : text.substr(0, 40)) shown += (c >= 0x20 && c < 0x7f) ? c : '?';
  return "Invalid Twitch username '" + shown +
         "': use 1-25 letters, digits or underscores, not starting with an underscore";
}

}  // namespace eventsubd
