#pragma once
// What the parts of openapi_validator share: reading members of the document's JSON,
// text helpers, media types and path segments.

#include "tests/common/openapi_validator.hpp"

#include <simdjson.h>

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eventsubd::testing::openapi_detail {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

inline constexpr int max_depth = 64;  // `$ref` cycles and absurd nesting end here

std::string lower(std::string_view s);
std::string trim(std::string_view s);

/// A member of an object element (nullopt: not an object, or no such key).
std::optional<element> member(element e, std::string_view key);
std::optional<std::string_view> string_member(element e, std::string_view key);
bool bool_member(element e, std::string_view key);  // true only for a present `true`
std::optional<double> number_member(element e, std::string_view key);

/// At most 120 characters, for quoting a value in an error.
std::string shorten(std::string s);

struct media_type {
  std::string type;                           // lowercase "text/plain"
  std::map<std::string, std::string> params;  // lowercase names
};

media_type parse_media_type(std::string_view text);
/// Whether a response's Content-Type is covered by a documented media type key.
bool media_matches(const media_type& documented, const media_type& actual);
bool is_json_media(const std::string& type);

/// The segments of an absolute path ("/a/b" -> "a", "b"); none for a relative one.
std::vector<std::string_view> split_path(std::string_view path);
bool is_template_segment(std::string_view s);  // "{name}"

/// `s` as a JSON string, quotes included.
std::string json_string_literal(std::string_view s);
/// The headers with lowercase names.
std::map<std::string, std::string> lowered(const openapi_validator::header_map& h);

}  // namespace eventsubd::testing::openapi_detail
