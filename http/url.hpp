#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace eventsubd::http {

/// Percent-decodes a path segment or query component (`+` means space only in queries).
/// Returns nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

/// The decoded value of the last `name=` parameter in a query string, if any.
/// Sets `malformed` when the query has a bad escape.
std::optional<std::string> query_param(std::string_view query, std::string_view name,
                                       bool& malformed);

}  // namespace eventsubd::http
