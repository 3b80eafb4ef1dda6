#include "tests/common/openapi_helpers.hpp"

#include <cctype>

namespace eventsubd::testing::openapi_detail {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

std::optional<element> member(element e, std::string_view key) {
  object o;
  if (e.get(o) != simdjson::SUCCESS) return std::nullopt;
  element v;
  if (o[key].get(v) != simdjson::SUCCESS) return std::nullopt;
  return v;
}

std::optional<std::string_view> string_member(element e, std::string_view key) {
  auto v = member(e, key);
  std::string_view s;
  if (!v || v->get(s) != simdjson::SUCCESS) return std::nullopt;
  return s;
}

bool bool_member(element e, std::string_view key) {
  auto v = member(e, key);
  bool b = false;
  return v && v->get(b) == simdjson::SUCCESS && b;
}

std::optional<double> number_member(element e, std::string_view key) {
  auto v = member(e, key);
  double d;
  if (!v || v->get(d) != simdjson::SUCCESS) return std::nullopt;
  return d;
}

std::string shorten(std::string s) {
  if (s.size() > 120) s = s.substr(0, 117) + "...";
  return s;
}

media_type parse_media_type(std::string_view text) {
  media_type m;
  size_t start = 0;
  bool first = true;
  while (start <= text.size()) {
    auto semi = text.find(';', start);
    auto part = trim(text.substr(
        start, semi == std::string_view::npos ? std::string_view::npos : semi - start));
    if (first) {
      m.type = lower(part);
      first = false;
    } else if (!part.empty()) {
      auto eq = part.find('=');
      auto name = lower(trim(part.substr(0, eq)));
      std::string value = eq == std::string::npos ? "" : trim(part.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
        value = value.substr(1, value.size() - 2);
      m.params[name] = value;
    }
    if (semi == std::string_view::npos) break;
    start = semi + 1;
  }
  return m;
}

bool media_matches(const media_type& documented, const media_type& actual) {
  const auto& d = documented.type;
  if (d != "*/*") {
    if (d.size() > 2 && d.substr(d.size() - 2) == "/*") {
      if (actual.type.substr(0, d.size() - 1) != d.substr(0, d.size() - 1)) return false;
    } else if (d != actual.type) {
      return false;
    }
  }
  for (const auto& [name, value] : documented.params) {
    auto it = actual.params.find(name);
    if (it == actual.params.end() || lower(it->second) != lower(value)) return false;
  }
  return true;
}

bool is_json_media(const std::string& type) {
  return type == "application/json" ||
         (type.size() > 5 && type.substr(type.size() - 5) == "+json");
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 1;  // paths start with '/'
  if (path.empty() || path[0] != '/') return out;
  while (true) {
    auto slash = path.find('/', start);
    out.push_back(path.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

bool is_template_segment(std::string_view s) {
  return s.size() > 2 && s.front() == '{' && s.back() == '}';
}

std::string json_string_literal(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      default:
        if (c < 0x20) {
          static const char* hex = "0123456789abcdef";
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::map<std::string, std::string> lowered(const openapi_validator::header_map& h) {
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : h) out[lower(k)] = v;
  return out;
}

}  // namespace eventsubd::testing::openapi_detail
