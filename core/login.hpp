#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace eventsubd {

/// Twitch logins: `^[A-Za-z0-9][A-Za-z0-9_]{0,24}$`, compared case-insensitively.
bool is_valid_login(std::string_view text);

/// The lowercased login, or nullopt when `text` is not a valid login.
std::optional<std::string> normalize_login(std::string_view text);

/// The `detail` we answer for an invalid login (says what is allowed).
std::string invalid_login_detail(std::string_view text);

}  // namespace eventsubd
