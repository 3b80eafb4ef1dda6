#include "tests/e2e/openapi_e2e_support.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace eventsubd::testing {

std::filesystem::path document_path() {
  return std::filesystem::path(EVENTSUBD_SOURCE_DIR) / "http" / "openapi.json";
}

std::string read_document() {
  std::ifstream in(document_path(), std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + document_path().string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += "  " + l + "\n";
  return out;
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

http_reply contract_checker::call(uint16_t port, const std::string& method,
                                  const std::string& target, int expected_status,
                                  const std::string& body, call_options opt) {
  std::string what = method + " " + target.substr(0, 100);
  auto op = doc_.find(method, target);
  if (!op) {
    ADD_FAILURE() << what << " is not a documented operation";
    return {};
  }
  if (opt.with_key) opt.headers["Authorization"] = std::string("Bearer ") + api_key;
  auto request_errors = doc_.check_request(*op, target, opt.headers, body);
  if (opt.conforms)
    EXPECT_TRUE(request_errors.empty())
        << what << ": the request does not follow the document:\n"
        << joined(request_errors);
  else
    EXPECT_FALSE(request_errors.empty())
        << what << ": the document allows this request, but it is refused";
  auto r = http_once(port, method, target, body, opt.headers);
  EXPECT_EQ(r.status, expected_status) << what << "\n" << r.body.substr(0, 500);
  auto errors = doc_.check_operation_response(*op, r.status, r.headers, r.body);
  EXPECT_TRUE(errors.empty()) << what << " answered " << r.status << " "
                              << r.header("content-type") << "\n"
                              << r.body.substr(0, 500) << "\nagainst the document:\n"
                              << joined(errors);
  seen_[{upper(op->method), op->path_template}].insert(std::to_string(r.status));
  return r;
}

http_reply contract_checker::call_off_contract(uint16_t port, const std::string& method,
                                               const std::string& target, bool with_key) {
  std::string what = method + " " + target;
  EXPECT_FALSE(doc_.find(method, target)) << what << " is documented";
  auto tmpl = doc_.match_path(target.substr(0, target.find('?')));
  header_map headers;
  if (with_key) headers["Authorization"] = std::string("Bearer ") + api_key;
  auto r = http_once(port, method, target, {}, headers);
  int expected = tmpl ? 405 : 404;
  EXPECT_EQ(r.status, expected) << what << "\n" << r.body;
  auto response = doc_.resolve(tmpl ? "#/components/responses/MethodNotAllowed"
                                    : "#/components/responses/NotFound");
  if (!response) {
    ADD_FAILURE() << "no components response for " << expected;
    return r;
  }
  auto errors = doc_.check_response(*response, r.headers, r.body);
  EXPECT_TRUE(errors.empty()) << what << "\n" << r.body << "\n" << joined(errors);
  if (tmpl) {
    std::set<std::string> allowed, documented;
    std::istringstream in(r.header("allow"));
    for (std::string m; std::getline(in, m, ',');)
      allowed.insert(m.substr(m.find_first_not_of(' ')));
    for (const auto& m : doc_.methods(*tmpl)) documented.insert(m);
    EXPECT_EQ(allowed, documented) << what << ": Allow: " << r.header("allow");
  }
  return r;
}

}  // namespace eventsubd::testing
