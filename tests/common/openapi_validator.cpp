#include "tests/common/openapi_validator.hpp"

#include <algorithm>
#include <cctype>
#include <regex>
#include <set>
#include <stdexcept>

namespace eventsubd::testing {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

constexpr int max_depth = 64;  // `$ref` cycles and absurd nesting end here

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

std::string type_name(element e) {
  switch (e.type()) {
    case element_type::ARRAY:
      return "array";
    case element_type::OBJECT:
      return "object";
    case element_type::INT64:
    case element_type::UINT64:
      return "integer";
    case element_type::DOUBLE:
      return "number";
    case element_type::STRING:
      return "string";
    case element_type::BOOL:
      return "boolean";
    case element_type::NULL_VALUE:
      return "null";
  }
  return "unknown";
}

bool has_type(element e, std::string_view type) {
  auto t = e.type();
  if (type == "object") return t == element_type::OBJECT;
  if (type == "array") return t == element_type::ARRAY;
  if (type == "string") return t == element_type::STRING;
  if (type == "boolean") return t == element_type::BOOL;
  if (type == "integer") return t == element_type::INT64 || t == element_type::UINT64;
  if (type == "number")
    return t == element_type::INT64 || t == element_type::UINT64 ||
           t == element_type::DOUBLE;
  return false;
}

size_t code_points(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

std::string shorten(std::string s) {
  if (s.size() > 120) s = s.substr(0, 117) + "...";
  return s;
}

/// Keywords that only annotate: ignored by validation.
const std::set<std::string, std::less<>>& annotations() {
  static const std::set<std::string, std::less<>> keys{
      "description", "example",  "examples",  "default",    "format",
      "title",       "readOnly", "writeOnly", "deprecated", "externalDocs"};
  return keys;
}

/// Keywords this validator checks.
const std::set<std::string, std::less<>>& supported() {
  static const std::set<std::string, std::less<>> keys{"$ref",
                                                       "type",
                                                       "nullable",
                                                       "enum",
                                                       "required",
                                                       "properties",
                                                       "additionalProperties",
                                                       "items",
                                                       "minItems",
                                                       "maxItems",
                                                       "minLength",
                                                       "maxLength",
                                                       "pattern",
                                                       "minimum",
                                                       "maximum",
                                                       "exclusiveMinimum",
                                                       "exclusiveMaximum",
                                                       "allOf",
                                                       "anyOf",
                                                       "oneOf"};
  return keys;
}

struct media_type {
  std::string type;                           // lowercase "text/plain"
  std::map<std::string, std::string> params;  // lowercase names
};

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

/// Whether a response's Content-Type is covered by a documented media type key.
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

std::string percent_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() &&
        std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else if (plus_is_space && s[i] == '+') {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
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

const std::vector<std::string>& http_methods() {
  static const std::vector<std::string> m{"get",     "put",  "post",  "delete",
                                          "options", "head", "patch", "trace"};
  return m;
}

}  // namespace

openapi_validator::openapi_validator(std::string document)
    : text_(std::move(document)), parser_(std::make_unique<simdjson::dom::parser>()) {
  if (parser_->parse(text_).get(root_) != simdjson::SUCCESS)
    throw std::runtime_error("the OpenAPI document is not valid JSON");
  if (root_.type() != element_type::OBJECT)
    throw std::runtime_error("the OpenAPI document is not a JSON object");
}

std::optional<element> openapi_validator::resolve(std::string_view ref) const {
  if (ref.empty() || ref[0] != '#') return std::nullopt;
  auto pointer = ref.substr(1);
  if (pointer.empty()) return root_;
  element e;
  if (root_.at_pointer(pointer).get(e) != simdjson::SUCCESS) return std::nullopt;
  return e;
}

element openapi_validator::deref(element e) const {
  for (int i = 0; i < max_depth; ++i) {
    auto ref = string_member(e, "$ref");
    if (!ref) return e;
    auto target = resolve(*ref);
    if (!target) return e;
    e = *target;
  }
  return e;
}

std::vector<std::string> openapi_validator::validate(element schema,
                                                     element instance) const {
  std::vector<std::string> errors;
  validate_at(schema, instance, "$", errors, 0);
  return errors;
}

std::vector<std::string> openapi_validator::validate_json(element schema,
                                                          std::string_view json) const {
  simdjson::dom::parser parser;
  element instance;
  if (parser.parse(json.data(), json.size()).get(instance) != simdjson::SUCCESS)
    return {"not valid JSON: " + shorten(std::string(json))};
  return validate(schema, instance);
}

std::vector<std::string> openapi_validator::validate_json(std::string_view schema_ref,
                                                          std::string_view json) const {
  auto schema = resolve(schema_ref);
  if (!schema) return {"unknown schema reference " + std::string(schema_ref)};
  return validate_json(*schema, json);
}

void openapi_validator::validate_at(element schema, element instance,
                                    const std::string& where,
                                    std::vector<std::string>& errors, int depth) const {
  if (depth > max_depth) {
    errors.push_back(where + ": schema nesting too deep (a $ref cycle?)");
    return;
  }
  object s;
  if (schema.get(s) != simdjson::SUCCESS) {
    errors.push_back(where + ": the schema is not an object");
    return;
  }
  if (auto ref = string_member(schema, "$ref")) {
    auto target = resolve(*ref);
    if (!target) {
      errors.push_back(where + ": unresolvable $ref " + std::string(*ref));
      return;
    }
    return validate_at(*target, instance, where, errors, depth + 1);
  }
  for (auto field : s) {
    if (!supported().count(field.key) && !annotations().count(field.key))
      errors.push_back(where + ": unsupported schema keyword '" + std::string(field.key) +
                       "'");
  }

  auto type = string_member(schema, "type");
  if (instance.is_null()) {
    // OpenAPI 3.0.3: with a `type`, null is valid only when `nullable: true`.
    if (type) {
      if (!bool_member(schema, "nullable"))
        errors.push_back(where + ": null is not allowed (expected " + std::string(*type) +
                         ")");
      return;
    }
    if (bool_member(schema, "nullable")) return;
  } else if (type && !has_type(instance, *type)) {
    errors.push_back(where + ": expected " + std::string(*type) + ", got " +
                     type_name(instance));
    return;
  }

  if (auto e = member(schema, "enum")) {
    array values;
    if (e->get(values) != simdjson::SUCCESS) {
      errors.push_back(where + ": enum is not an array");
    } else {
      auto text = simdjson::minify(instance);
      bool found = false;
      for (auto v : values) found = found || simdjson::minify(v) == text;
      if (!found)
        errors.push_back(where + ": " + shorten(text) + " is not one of " +
                         shorten(simdjson::minify(*e)));
    }
  }

  if (instance.type() == element_type::STRING) {
    std::string_view text = instance.get_string().value();
    if (auto min = number_member(schema, "minLength"); min && code_points(text) < *min)
      errors.push_back(where + ": shorter than minLength");
    if (auto max = number_member(schema, "maxLength"); max && code_points(text) > *max)
      errors.push_back(where + ": longer than maxLength");
    if (auto pattern = string_member(schema, "pattern")) {
      try {
        std::regex re{std::string(*pattern), std::regex::ECMAScript};
        if (!std::regex_search(std::string(text), re))
          errors.push_back(where + ": " + shorten(std::string(text)) +
                           " does not match " + std::string(*pattern));
      } catch (const std::regex_error&) {
        errors.push_back(where + ": invalid pattern " + std::string(*pattern));
      }
    }
  }

  if (has_type(instance, "number")) {
    double value = instance.get_double().value();
    if (auto min = number_member(schema, "minimum")) {
      bool exclusive = bool_member(schema, "exclusiveMinimum");
      if (value < *min || (exclusive && value == *min))
        errors.push_back(where + ": " + simdjson::minify(instance) +
                         " is below the minimum");
    }
    if (auto max = number_member(schema, "maximum")) {
      bool exclusive = bool_member(schema, "exclusiveMaximum");
      if (value > *max || (exclusive && value == *max))
        errors.push_back(where + ": " + simdjson::minify(instance) +
                         " is above the maximum");
    }
  }

  if (instance.type() == element_type::OBJECT) {
    object o = instance.get_object().value();
    if (auto required = member(schema, "required")) {
      array keys;
      if (required->get(keys) == simdjson::SUCCESS) {
        for (auto k : keys) {
          std::string_view key;
          element ignored;
          if (k.get(key) == simdjson::SUCCESS && o[key].get(ignored) != simdjson::SUCCESS)
            errors.push_back(where + ": missing required key '" + std::string(key) + "'");
        }
      }
    }
    auto properties = member(schema, "properties");
    auto additional = member(schema, "additionalProperties");
    for (auto field : o) {
      std::string at = where + "." + std::string(field.key);
      if (properties) {
        if (auto sub = member(*properties, field.key)) {
          validate_at(*sub, field.value, at, errors, depth + 1);
          continue;
        }
      }
      if (!additional) continue;  // extras allowed
      bool allowed = true;
      if (additional->get(allowed) == simdjson::SUCCESS) {
        if (!allowed)
          errors.push_back(where + ": unexpected key '" + std::string(field.key) + "'");
      } else {
        validate_at(*additional, field.value, at, errors, depth + 1);
      }
    }
  }

  if (instance.type() == element_type::ARRAY) {
    array a = instance.get_array().value();
    if (auto min = number_member(schema, "minItems"); min && a.size() < *min)
      errors.push_back(where + ": fewer items than minItems");
    if (auto max = number_member(schema, "maxItems"); max && a.size() > *max)
      errors.push_back(where + ": more items than maxItems");
    if (auto items = member(schema, "items")) {
      size_t i = 0;
      for (auto item : a)
        validate_at(*items, item, where + "[" + std::to_string(i++) + "]", errors,
                    depth + 1);
    }
  }

  if (auto all = member(schema, "allOf")) {
    array subs;
    if (all->get(subs) == simdjson::SUCCESS)
      for (auto sub : subs) validate_at(sub, instance, where, errors, depth + 1);
  }
  for (const char* combinator : {"anyOf", "oneOf"}) {
    auto list = member(schema, combinator);
    if (!list) continue;
    array subs;
    if (list->get(subs) != simdjson::SUCCESS) {
      errors.push_back(where + ": " + combinator + " is not an array");
      continue;
    }
    size_t passing = 0;
    std::vector<std::string> reasons;
    for (auto sub : subs) {
      std::vector<std::string> sub_errors;
      validate_at(sub, instance, where, sub_errors, depth + 1);
      if (sub_errors.empty())
        ++passing;
      else
        reasons.push_back(sub_errors.front());
    }
    bool one = std::string_view(combinator) == "oneOf";
    if (passing == 0) {
      std::string why;
      for (auto& r : reasons) why += (why.empty() ? "" : "; ") + r;
      errors.push_back(where + ": matches none of " + combinator + " (" + why + ")");
    } else if (one && passing > 1) {
      errors.push_back(where + ": matches " + std::to_string(passing) +
                       " schemas of oneOf, not exactly one");
    }
  }
}

void openapi_validator::lint_schema(element schema, const std::string& where,
                                    std::vector<std::string>& errors, int depth) const {
  if (depth > max_depth) return;
  object s;
  if (schema.get(s) != simdjson::SUCCESS) {
    errors.push_back(where + ": a schema must be an object");
    return;
  }
  if (auto ref = string_member(schema, "$ref")) {
    if (!resolve(*ref))
      errors.push_back(where + ": unresolvable $ref " + std::string(*ref));
    if (s.size() != 1)
      errors.push_back(where + ": keys beside $ref are ignored by OpenAPI 3.0");
    return;  // the target is linted where it is defined
  }
  for (auto field : s)
    if (!supported().count(field.key) && !annotations().count(field.key))
      errors.push_back(where + ": unsupported schema keyword '" + std::string(field.key) +
                       "'");
  if (auto type = string_member(schema, "type")) {
    static const std::set<std::string_view> types{"object",  "array",  "string",
                                                  "integer", "number", "boolean"};
    if (!types.count(*type))
      errors.push_back(where + ": unknown type '" + std::string(*type) + "'");
  }
  if (auto p = member(schema, "properties")) {
    object props;
    if (p->get(props) == simdjson::SUCCESS)
      for (auto field : props)
        lint_schema(field.value, where + "/properties/" + std::string(field.key), errors,
                    depth + 1);
  }
  if (auto items = member(schema, "items"))
    lint_schema(*items, where + "/items", errors, depth + 1);
  if (auto extra = member(schema, "additionalProperties");
      extra && extra->type() == element_type::OBJECT)
    lint_schema(*extra, where + "/additionalProperties", errors, depth + 1);
  for (const char* combinator : {"allOf", "anyOf", "oneOf"}) {
    auto list = member(schema, combinator);
    array subs;
    if (!list) continue;
    if (list->get(subs) != simdjson::SUCCESS) {
      errors.push_back(where + ": " + combinator + " must be an array");
      continue;
    }
    size_t i = 0;
    for (auto sub : subs)
      lint_schema(sub, where + "/" + combinator + "/" + std::to_string(i++), errors,
                  depth + 1);
  }
}

std::vector<std::string> openapi_validator::lint() const {
  std::vector<std::string> errors;
  // Every "$ref" anywhere must resolve; every "schema" (parameters, media types,
  // headers) and every components schema is linted as a schema.
  auto walk = [&](auto&& self, element e, const std::string& where, bool in_schemas,
                  int depth) -> void {
    if (depth > max_depth) return;
    array items;
    if (e.get(items) == simdjson::SUCCESS) {
      size_t i = 0;
      for (auto item : items)
        self(self, item, where + "/" + std::to_string(i++), false, depth + 1);
      return;
    }
    object fields;
    if (e.get(fields) != simdjson::SUCCESS) return;
    if (auto ref = string_member(e, "$ref"); ref && !resolve(*ref))
      errors.push_back(where + ": unresolvable $ref " + std::string(*ref));
    for (auto field : fields) {
      std::string at = where + "/" + std::string(field.key);
      if (in_schemas || field.key == "schema") {
        lint_schema(field.value, at, errors, 0);
        continue;
      }
      if (field.key == "example" || field.key == "examples") continue;  // free JSON
      self(self, field.value, at, where == "#/components" && field.key == "schemas",
           depth + 1);
    }
  };
  walk(walk, root_, "#", false, 0);
  return errors;
}

std::vector<openapi_validator::operation> openapi_validator::operations() const {
  std::vector<operation> out;
  auto paths = member(root_, "paths");
  object p;
  if (!paths || paths->get(p) != simdjson::SUCCESS) return out;
  for (auto field : p) {
    auto item = deref(field.value);
    for (const auto& m : http_methods())
      if (auto op = member(item, m))
        out.push_back({m, std::string(field.key), item, *op});
  }
  return out;
}

std::optional<std::string> openapi_validator::match_path(std::string_view path) const {
  auto paths = member(root_, "paths");
  object p;
  if (!paths || paths->get(p) != simdjson::SUCCESS) return std::nullopt;
  auto segments = split_path(path);
  std::optional<std::string> best;
  int best_literals = -1;
  for (auto field : p) {
    auto tmpl = split_path(field.key);
    if (tmpl.size() != segments.size()) continue;
    int literals = 0;
    bool ok = true;
    for (size_t i = 0; ok && i < tmpl.size(); ++i) {
      if (is_template_segment(tmpl[i]))
        ok = !segments[i].empty();
      else if (tmpl[i] == segments[i])
        ++literals;
      else
        ok = false;
    }
    if (ok && literals > best_literals) {
      best = std::string(field.key);
      best_literals = literals;
    }
  }
  return best;
}

std::vector<std::string> openapi_validator::methods(
    std::string_view path_template) const {
  std::vector<std::string> out;
  for (const auto& op : operations())
    if (op.path_template == path_template) {
      std::string m = op.method;
      for (auto& c : m)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      out.push_back(m);
    }
  return out;
}

std::optional<openapi_validator::operation> openapi_validator::find(
    std::string_view method, std::string_view target) const {
  auto path = target.substr(0, target.find('?'));
  auto tmpl = match_path(path);
  if (!tmpl) return std::nullopt;
  auto m = lower(method);
  for (auto& op : operations())
    if (op.path_template == *tmpl && op.method == m) return op;
  return std::nullopt;
}

bool openapi_validator::requires_auth(const operation& op) const {
  auto security = member(op.op, "security");
  if (!security) security = member(root_, "security");
  array requirements;
  if (!security || security->get(requirements) != simdjson::SUCCESS) return false;
  if (requirements.size() == 0) return false;
  for (auto r : requirements) {
    object o;
    if (r.get(o) == simdjson::SUCCESS && o.size() == 0) return false;  // {}: optional
  }
  return true;
}

std::vector<std::string> openapi_validator::statuses(const operation& op) const {
  std::vector<std::string> out;
  auto responses = member(op.op, "responses");
  object r;
  if (responses && responses->get(r) == simdjson::SUCCESS)
    for (auto field : r) out.emplace_back(field.key);
  return out;
}

std::vector<std::string> openapi_validator::check_request(const operation& op,
                                                          std::string_view target,
                                                          const header_map& headers,
                                                          std::string_view body) const {
  std::vector<std::string> errors;
  auto qmark = target.find('?');
  auto path = target.substr(0, qmark);
  auto query =
      qmark == std::string_view::npos ? std::string_view{} : target.substr(qmark + 1);
  auto hdrs = lowered(headers);

  // Path parameter values by name.
  std::map<std::string, std::string> path_values;
  auto tmpl = split_path(op.path_template);
  auto segments = split_path(path);
  for (size_t i = 0; i < tmpl.size() && i < segments.size(); ++i)
    if (is_template_segment(tmpl[i]))
      path_values[std::string(tmpl[i].substr(1, tmpl[i].size() - 2))] =
          percent_decode(segments[i], false);
  std::map<std::string, std::string> query_values;
  for (size_t start = 0; start < query.size();) {
    auto amp = query.find('&', start);
    auto pair = query.substr(
        start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
    auto eq = pair.find('=');
    auto name = percent_decode(pair.substr(0, eq), true);
    query_values[name] =
        eq == std::string_view::npos ? "" : percent_decode(pair.substr(eq + 1), true);
    if (amp == std::string_view::npos) break;
    start = amp + 1;
  }

  // Parameters of the path item, overridden by the operation's (same name and place).
  std::map<std::pair<std::string, std::string>, element> params;
  for (auto holder : {op.item, op.op}) {
    auto list = member(holder, "parameters");
    array a;
    if (!list || list->get(a) != simdjson::SUCCESS) continue;
    for (auto p : a) {
      auto param = deref(p);
      auto name = string_member(param, "name");
      auto in = string_member(param, "in");
      if (!name || !in) {
        errors.push_back("a parameter of " + op.path_template + " has no name or in");
        continue;
      }
      auto key = std::string(*in) == "header" ? lower(*name) : std::string(*name);
      params.insert_or_assign({std::string(*in), key}, param);
    }
  }
  for (const auto& [key, param] : params) {
    const auto& [in, name] = key;
    std::optional<std::string> value;
    if (in == "path") {
      if (auto it = path_values.find(name); it != path_values.end()) value = it->second;
    } else if (in == "query") {
      if (auto it = query_values.find(name); it != query_values.end()) value = it->second;
    } else if (in == "header") {
      if (auto it = hdrs.find(name); it != hdrs.end()) value = it->second;
    } else {
      continue;  // cookies: not used
    }
    std::string label = in + " parameter '" + name + "'";
    if (!value) {
      if (bool_member(param, "required") || in == "path")
        errors.push_back("missing required " + label);
      continue;
    }
    auto schema = member(param, "schema");
    if (!schema) continue;
    // A parameter value is text: a string schema sees it as a JSON string, any other
    // as the JSON value the text spells (so `limit=abc` is not an integer).
    auto resolved = deref(*schema);
    auto type = string_member(resolved, "type");
    std::string as_json =
        !type || *type == "string" ? json_string_literal(*value) : *value;
    for (auto& e : validate_json(*schema, as_json))
      errors.push_back(label + " = '" + shorten(*value) + "': " + e);
  }

  if (auto request_body = member(op.op, "requestBody")) {
    auto rb = deref(*request_body);
    auto ct = hdrs.count("content-type") ? hdrs["content-type"] : std::string{};
    if (body.empty()) {
      if (bool_member(rb, "required")) errors.push_back("missing required request body");
    } else if (object content; member(rb, "content") &&
                               member(rb, "content")->get(content) == simdjson::SUCCESS) {
      auto actual = parse_media_type(ct);
      std::optional<element> media;
      std::string media_key;
      for (auto field : content)
        if (media_matches(parse_media_type(field.key), actual)) {
          media = field.value;
          media_key = std::string(field.key);
          break;
        }
      if (!media) {
        errors.push_back("request Content-Type '" + ct + "' is not documented");
      } else if (auto schema = member(*media, "schema");
                 schema && is_json_media(parse_media_type(media_key).type)) {
        for (auto& e : validate_json(*schema, body))
          errors.push_back("request body " + e);
      }
    }
  }
  return errors;
}

std::vector<std::string> openapi_validator::check_operation_response(
    const operation& op, int status, const header_map& headers,
    std::string_view body) const {
  auto responses = member(op.op, "responses");
  if (!responses) return {"the operation documents no responses"};
  auto code = std::to_string(status);
  auto range = code.substr(0, 1) + "XX";
  for (const auto& key : {code, range, std::string("default")})
    if (auto r = member(*responses, key)) return check_response(*r, headers, body);
  return {"status " + code + " is not documented for " + lower(op.method) + " " +
          op.path_template};
}

std::vector<std::string> openapi_validator::check_response(element response,
                                                           const header_map& headers,
                                                           std::string_view body) const {
  std::vector<std::string> errors;
  response = deref(response);
  auto hdrs = lowered(headers);

  object documented;
  if (auto h = member(response, "headers");
      h && h->get(documented) == simdjson::SUCCESS) {
    for (auto field : documented) {
      auto h = deref(field.value);
      auto it = hdrs.find(lower(field.key));
      if (it == hdrs.end()) {
        if (bool_member(h, "required"))
          errors.push_back("missing response header " + std::string(field.key));
        continue;
      }
      if (auto schema = member(h, "schema"))
        for (auto& e : validate_json(*schema, json_string_literal(it->second)))
          errors.push_back("response header " + std::string(field.key) + ": " + e);
    }
  }

  auto content = member(response, "content");
  object c;
  if (!content || content->get(c) != simdjson::SUCCESS || c.size() == 0) {
    if (!body.empty()) errors.push_back("a body is sent but none is documented");
    return errors;
  }
  auto ct = hdrs.count("content-type") ? hdrs["content-type"] : std::string{};
  auto actual = parse_media_type(ct);
  std::optional<element> media;
  std::string media_key;
  size_t best_params = 0;
  std::string documented_types;
  for (auto field : c) {
    auto d = parse_media_type(field.key);
    documented_types += (documented_types.empty() ? "" : ", ") + std::string(field.key);
    if (media_matches(d, actual) && (!media || d.params.size() > best_params)) {
      media = field.value;
      media_key = std::string(field.key);
      best_params = d.params.size();
    }
  }
  if (!media) {
    errors.push_back("Content-Type '" + ct +
                     "' is not documented (documented: " + documented_types + ")");
    return errors;
  }
  auto schema = member(*media, "schema");
  if (!schema) return errors;
  if (is_json_media(parse_media_type(media_key).type)) {
    for (auto& e : validate_json(*schema, body)) errors.push_back("body " + e);
  } else {
    auto type = string_member(deref(*schema), "type");
    if (!type || *type != "string")
      errors.push_back("a " + media_key +
                       " body can only be checked against a string "
                       "schema");
  }
  return errors;
}

}  // namespace eventsubd::testing
