#include "core/json_read.hpp"

namespace eventsubd {

bool parse_json_object(std::string_view json, simdjson::dom::object& out) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element doc;
  // Not even JSON; and simdjson would memcpy from a null pointer (UB, found by fuzzing).
  if (json.empty()) return false;
  if (parser.parse(json.data(), json.size()).get(doc)) return false;
  return doc.get(out) == simdjson::SUCCESS;
}

std::string string_field(simdjson::dom::object o, std::string_view key,
                         bool numbers_as_text) {
  simdjson::dom::element v;
  if (o[key].get(v)) return {};
  std::string_view s;
  if (v.get(s) == simdjson::SUCCESS) return std::string(s);
  int64_t i = 0;
  if (numbers_as_text && v.get(i) == simdjson::SUCCESS) return std::to_string(i);
  return {};
}

int64_t int_field(simdjson::dom::object o, std::string_view key) {
  int64_t v = 0;
  if (o[key].get(v) != simdjson::SUCCESS) return 0;
  return v;
}

std::string string_field_of(std::string_view json, std::string_view key) {
  simdjson::dom::object o;
  if (json.empty() || !parse_json_object(json, o)) return {};
  return string_field(o, key);
}

}  // namespace eventsubd
