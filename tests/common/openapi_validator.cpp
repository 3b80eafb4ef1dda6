#include "tests/common/openapi_validator.hpp"

#include "tests/common/openapi_helpers.hpp"

#include <algorithm>
#include <stdexcept>

namespace eventsubd::testing {

using namespace openapi_detail;

namespace {

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

}  // namespace eventsubd::testing
