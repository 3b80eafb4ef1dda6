// openapi_validator's checks of real requests and responses against their operations.
#include "tests/common/openapi_helpers.hpp"
#include "tests/common/openapi_validator.hpp"

#include <algorithm>
#include <cctype>
#include <string>

namespace eventsubd::testing {

using namespace openapi_detail;

namespace {

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

}  // namespace

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
