#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace eventsubd {

// Small readers shared by everything that parses JSON we did not write ourselves
// (Redis values, Helix answers, stored stream data). One simdjson parser per thread:
// a parsed object stays valid until the next `parse_json_object` on the same thread.

/// Parses `json` into an object; false when it is not valid JSON or not an object.
bool parse_json_object(std::string_view json, simdjson::dom::object& out);

/// `o[key]` when it is a string (numbers too, as their decimal text when
/// `numbers_as_text`); empty for absent, null or any other type.
std::string string_field(simdjson::dom::object o, std::string_view key,
                         bool numbers_as_text = false);

/// `o[key]` when it is an integer, else 0.
int64_t int_field(simdjson::dom::object o, std::string_view key);

/// `key` of a JSON object given as text, when it is a string; empty otherwise.
std::string string_field_of(std::string_view json, std::string_view key);

}  // namespace eventsubd
