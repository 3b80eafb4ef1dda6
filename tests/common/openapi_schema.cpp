// openapi_validator's JSON Schema part: validating instances, and linting the schemas
// of the document.
#include "tests/common/openapi_helpers.hpp"
#include "tests/common/openapi_validator.hpp"

#include <regex>
#include <set>

namespace eventsubd::testing {

using namespace openapi_detail;

namespace {

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

}  // namespace

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

}  // namespace eventsubd::testing
