#pragma once
// What the OpenAPI tests share: the document (http/openapi.json), and contract_checker,
// which sends requests and checks them and their answers against it.

#include "tests/common/http_client.hpp"
#include "tests/common/openapi_validator.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace eventsubd::testing {

inline constexpr const char* api_key = "openapi-test-key-0123456789";

/// http/openapi.json in the source tree. (Not found from __FILE__: ccache's base_dir
/// makes that a path relative to the build directory.)
std::filesystem::path document_path();
std::string read_document();

/// One line each, indented, for a failure message.
std::string joined(const std::vector<std::string>& lines);
std::string upper(std::string s);

/// How contract_checker::call sends a request.
struct call_options {
  header_map headers;
  bool with_key = true;  // send `Authorization: Bearer <api_key>`
  bool conforms = true;  // whether the request itself follows the document
};

/// Sends requests, checks them and their answers against the document, and records
/// which operation answered which status.
class contract_checker {
 public:
  explicit contract_checker(const openapi_validator& doc) : doc_(doc) {}

  http_reply call(uint16_t port, const std::string& method, const std::string& target,
                  int expected_status, const std::string& body = {},
                  call_options opt = {});

  /// A request no operation describes: an unknown path (404) or a documented path with
  /// another method (405, whose `Allow` must list exactly the documented methods);
  /// checked against the response objects info.description points to.
  http_reply call_off_contract(uint16_t port, const std::string& method,
                               const std::string& target, bool with_key = false);

  /// Statuses seen per (METHOD, path template).
  const std::map<std::pair<std::string, std::string>, std::set<std::string>>& seen()
      const {
    return seen_;
  }

 private:
  const openapi_validator& doc_;
  std::map<std::pair<std::string, std::string>, std::set<std::string>> seen_;
};

}  // namespace eventsubd::testing
