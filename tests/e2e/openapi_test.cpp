// The API description (http/openapi.json) kept honest: the validator it is checked with
// is itself tested first; then the document is linted, and the real server (memory
// storage, the fake Twitch, the API key required) is driven through every documented
// operation and every status we can provoke. Each request is checked against the
// document (parameters, headers, body) and each real answer too: its status must be
// documented for that path and method, its Content-Type one of the documented media
// types, its JSON body valid against the documented schema, its documented headers
// present. Finally every documented operation must have been exercised, and every
// documented status seen, except the few listed with the reason they cannot be.
#include "tests/common/fake_twitch.hpp"
#include "tests/common/fixtures.hpp"
#include "tests/common/openapi_validator.hpp"
#include "tests/e2e/e2e_support.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

namespace eventsubd::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* api_key = "openapi-test-key-0123456789";

/// http/openapi.json in the source tree. (Not found from __FILE__: ccache's base_dir
/// makes that a path relative to the build directory.)
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

// ---------------------------------------------------------------------------------------
// The validator, on a small document of its own: it must fail what is wrong, or every
// check below could pass by accepting everything.

constexpr const char* mini_document = R"({
  "openapi": "3.0.3",
  "info": {"title": "mini", "version": "1"},
  "security": [{"key": []}],
  "paths": {
    "/items/{id}": {
      "parameters": [{"name": "id", "in": "path", "required": true,
                      "schema": {"type": "string", "pattern": "^[a-z]+$"}}],
      "get": {
        "parameters": [
          {"name": "limit", "in": "query",
           "schema": {"type": "integer", "minimum": 1, "maximum": 10}},
          {"name": "X-Token", "in": "header", "required": true, "schema": {"type": "string"}}
        ],
        "responses": {
          "200": {"description": "ok", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Item"}}}},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "5XX": {"description": "any server error", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Strict"}}}}
        }
      }
    },
    "/items": {
      "get": {
        "security": [],
        "responses": {"200": {"description": "text", "content": {
          "text/plain; version=0.0.4": {"schema": {"type": "string"}}}}}
      },
      "post": {
        "requestBody": {"required": true, "content": {"application/json": {
          "schema": {"$ref": "#/components/schemas/Strict"}}}},
        "responses": {"200": {"description": "ok", "content": {"application/json": {
          "schema": {"$ref": "#/components/schemas/Either"}}}}}
      }
    }
  },
  "components": {
    "schemas": {
      "Item": {
        "type": "object",
        "required": ["id", "count", "tag"],
        "properties": {
          "id": {"type": "string"},
          "count": {"type": "integer", "minimum": 0, "maximum": 5},
          "tag": {"type": "string", "nullable": true},
          "kind": {"type": "string", "enum": ["a", "b"]},
          "data": {"type": "object", "nullable": true},
          "list": {"type": "array", "items": {"type": "integer"}, "maxItems": 3},
          "ratio": {"type": "number"},
          "flag": {"type": "boolean"}
        }
      },
      "Strict": {"type": "object", "required": ["detail"],
                 "properties": {"detail": {"type": "string"}},
                 "additionalProperties": false},
      "Typed": {"type": "object", "additionalProperties": {"type": "integer"}},
      "Either": {"oneOf": [{"$ref": "#/components/schemas/Strict"},
                           {"type": "object", "required": ["status"],
                            "properties": {"status": {"type": "string"}}}]},
      "Ambiguous": {"oneOf": [{"type": "string"}, {"type": "string", "minLength": 1}]},
      "Any": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
      "Both": {"allOf": [{"$ref": "#/components/schemas/Item"},
                         {"type": "object", "required": ["source"]}]},
      "Unsupported": {"type": "string", "not": {"enum": ["x"]}},
      "Dangling": {"$ref": "#/components/schemas/Nowhere"}
    },
    "responses": {
      "Unauthorized": {
        "description": "no key",
        "headers": {"WWW-Authenticate": {"required": true,
                                         "schema": {"type": "string", "enum": ["Bearer"]}}},
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Strict"}}}
      }
    }
  }
})";

class openapi_validator_test : public ::testing::Test {
 protected:
  openapi_validator v{mini_document};
  std::vector<std::string> check(const char* schema, const char* json) {
    return v.validate_json(std::string("#/components/schemas/") + schema, json);
  }
  bool valid(const char* schema, const char* json) { return check(schema, json).empty(); }
};

TEST_F(openapi_validator_test, accepts_what_conforms) {
  EXPECT_EQ(check("Item", R"({"id":"a","count":3,"tag":null})"),
            std::vector<std::string>{});
  EXPECT_TRUE(valid(
      "Item", R"({"id":"a","count":0,"tag":"t","kind":"b","data":null,"list":[1,2],)"
              R"("ratio":1,"flag":false,"extra":{"any":"thing"}})"));
  EXPECT_TRUE(
      valid("Item", R"({"id":"a","count":5,"tag":null,"data":{"x":1},"ratio":0.5})"));
  EXPECT_TRUE(valid("Strict", R"({"detail":"Not Found"})"));
  EXPECT_TRUE(valid("Typed", R"({"a":1,"b":2})"));
  EXPECT_TRUE(valid("Either", R"({"detail":"x"})"));
  EXPECT_TRUE(valid("Either", R"({"status":"success"})"));
  EXPECT_TRUE(valid("Any", R"("text")"));
  EXPECT_TRUE(valid("Any", "7"));
  EXPECT_TRUE(valid("Both", R"({"id":"a","count":1,"tag":null,"source":"storage"})"));
}

TEST_F(openapi_validator_test, rejects_what_does_not) {
  struct bad_case {
    const char* schema;
    const char* json;
    const char* why;  // a part of the expected error
  };
  for (const auto& c : std::vector<bad_case>{
           {"Item", R"({"id":"a","count":3})", "missing required key 'tag'"},
           {"Item", R"({"id":"a","count":"3","tag":null})",
            "expected integer, got string"},
           {"Item", R"({"id":"a","count":2.5,"tag":null})",
            "expected integer, got number"},
           {"Item", R"({"id":null,"count":3,"tag":null})", "null is not allowed"},
           {"Item", R"({"id":"a","count":3,"tag":null,"kind":"c"})", "is not one of"},
           {"Item", R"({"id":"a","count":6,"tag":null})", "above the maximum"},
           {"Item", R"({"id":"a","count":-1,"tag":null})", "below the minimum"},
           {"Item", R"({"id":"a","count":1,"tag":null,"list":[1,"2"]})", "$.list[1]"},
           {"Item", R"({"id":"a","count":1,"tag":null,"list":[1,2,3,4]})", "maxItems"},
           {"Item", R"({"id":"a","count":1,"tag":null,"data":[]})", "expected object"},
           {"Item", R"({"id":"a","count":1,"tag":null,"ratio":"1"})", "expected number"},
           {"Item", R"({"id":"a","count":1,"tag":null,"flag":0})", "expected boolean"},
           {"Item", R"([{"id":"a","count":1,"tag":null}])", "expected object, got array"},
           {"Item", "null", "null is not allowed"},
           {"Item", "{", "not valid JSON"},
           {"Strict", R"({"detail":"x","extra":1})", "unexpected key 'extra'"},
           {"Strict", R"({"detail":7})", "expected string"},
           {"Typed", R"({"a":"x"})", "$.a: expected integer"},
           {"Either", R"({})", "matches none of oneOf"},
           {"Ambiguous", R"("x")", "not exactly one"},
           {"Any", "true", "matches none of anyOf"},
           {"Both", R"({"id":"a","count":1,"tag":null})",
            "missing required key 'source'"},
           {"Unsupported", R"("y")", "unsupported schema keyword 'not'"},
           {"Dangling", "{}", "unresolvable $ref"},
       }) {
    auto errors = check(c.schema, c.json);
    ASSERT_FALSE(errors.empty()) << c.schema << " accepted " << c.json;
    EXPECT_NE(joined(errors).find(c.why), std::string::npos)
        << c.schema << " " << c.json << ": expected '" << c.why << "' in\n"
        << joined(errors);
  }
  EXPECT_FALSE(v.validate_json("#/components/schemas/Nowhere", "{}").empty());
}

TEST_F(openapi_validator_test, lint_reports_unsupported_keywords_and_dangling_refs) {
  auto errors = joined(v.lint());
  EXPECT_NE(errors.find("Unsupported: unsupported schema keyword 'not'"),
            std::string::npos)
      << errors;
  EXPECT_NE(errors.find("unresolvable $ref #/components/schemas/Nowhere"),
            std::string::npos)
      << errors;
}

TEST_F(openapi_validator_test, finds_operations_and_their_security) {
  EXPECT_EQ(v.match_path("/items"), "/items");
  EXPECT_EQ(v.match_path("/items/abc"), "/items/{id}");
  EXPECT_FALSE(v.match_path("/items/"));
  EXPECT_FALSE(v.match_path("/items/abc/more"));
  EXPECT_FALSE(v.match_path("/other"));
  auto get_item = v.find("GET", "/items/abc?limit=2");
  ASSERT_TRUE(get_item);
  EXPECT_EQ(get_item->path_template, "/items/{id}");
  EXPECT_TRUE(v.requires_auth(*get_item));
  EXPECT_FALSE(v.find("DELETE", "/items/abc"));
  EXPECT_FALSE(v.requires_auth(*v.find("GET", "/items")));
  EXPECT_TRUE(v.requires_auth(*v.find("POST", "/items")));
  EXPECT_EQ(v.methods("/items"), (std::vector<std::string>{"GET", "POST"}));
  EXPECT_EQ(v.operations().size(), 3u);
}

TEST_F(openapi_validator_test, checks_requests) {
  auto op = *v.find("GET", "/items/abc");
  header_map token{{"x-token", "t"}};
  EXPECT_EQ(v.check_request(op, "/items/abc?limit=3", token, ""),
            std::vector<std::string>{});
  EXPECT_FALSE(v.check_request(op, "/items/ABC", token, "").empty());  // pattern
  EXPECT_FALSE(v.check_request(op, "/items/abc?limit=0", token, "").empty());
  EXPECT_FALSE(v.check_request(op, "/items/abc?limit=abc", token, "").empty());
  EXPECT_FALSE(v.check_request(op, "/items/abc?limit=", token, "").empty());
  EXPECT_FALSE(v.check_request(op, "/items/abc?limit=1.5", token, "").empty());
  EXPECT_FALSE(v.check_request(op, "/items/abc", {}, "").empty());  // header missing
  auto post = *v.find("POST", "/items");
  header_map json{{"Content-Type", "application/json"}};
  EXPECT_TRUE(v.check_request(post, "/items", json, R"({"detail":"x"})").empty());
  EXPECT_FALSE(v.check_request(post, "/items", json, R"({"status":"x"})").empty());
  EXPECT_FALSE(v.check_request(post, "/items", json, "{").empty());
  EXPECT_FALSE(v.check_request(post, "/items", json, "").empty());  // body required
  EXPECT_FALSE(
      v.check_request(post, "/items", {{"Content-Type", "text/xml"}}, "<a/>").empty());
}

TEST_F(openapi_validator_test, checks_responses) {
  auto op = *v.find("GET", "/items/abc");
  header_map json{{"content-type", "application/json"}};
  EXPECT_EQ(
      v.check_operation_response(op, 200, json, R"({"id":"a","count":1,"tag":null})"),
      std::vector<std::string>{});
  // Wrong body, wrong media type, undocumented status.
  EXPECT_FALSE(v.check_operation_response(op, 200, json, R"({"id":"a"})").empty());
  EXPECT_FALSE(v.check_operation_response(op, 200, {{"content-type", "text/plain"}},
                                          R"({"id":"a","count":1,"tag":null})")
                   .empty());
  EXPECT_FALSE(v.check_operation_response(op, 404, json, R"({"detail":"x"})").empty());
  // A $ref'd response with a required header; a status range.
  header_map unauthorized{{"Content-Type", "application/json"},
                          {"WWW-Authenticate", "Bearer"}};
  EXPECT_TRUE(
      v.check_operation_response(op, 401, unauthorized, R"({"detail":"x"})").empty());
  EXPECT_FALSE(v.check_operation_response(op, 401, json, R"({"detail":"x"})").empty());
  EXPECT_FALSE(v.check_operation_response(
                    op, 401,
                    {{"Content-Type", "application/json"}, {"WWW-Authenticate", "Basic"}},
                    R"({"detail":"x"})")
                   .empty());
  EXPECT_TRUE(v.check_operation_response(op, 503, json, R"({"detail":"x"})").empty());
  EXPECT_FALSE(v.check_operation_response(op, 503, json, "{}").empty());
  // Media type parameters of the documented key must be present in the answer's.
  auto text = *v.find("GET", "/items");
  EXPECT_TRUE(v.check_operation_response(
                   text, 200,
                   {{"content-type", "text/plain; version=0.0.4; charset=utf-8"}},
                   "a 1\n")
                  .empty());
  EXPECT_FALSE(
      v.check_operation_response(text, 200, {{"content-type", "text/plain"}}, "a 1\n")
          .empty());
  EXPECT_FALSE(v.check_operation_response(text, 200, {}, "a 1\n").empty());
}

// ---------------------------------------------------------------------------------------
// The document itself.

/// The operations anyone may call, whatever REQUIRE_API_KEY says.
const std::set<std::pair<std::string, std::string>> public_operations{
    {"GET", "/"},
    {"GET", "/health"},
    {"POST", "/webhooks/eventsub"},
    {"GET", "/openapi.json"},
    {"GET", "/docs"}};

/// The media type's schema of a response (following `$ref`s to the response).
std::optional<simdjson::dom::element> json_schema_of(const openapi_validator& doc,
                                                     simdjson::dom::element response) {
  std::string_view ref;
  if (response["$ref"].get(ref) == simdjson::SUCCESS) {
    auto target = doc.resolve(ref);
    if (!target) return std::nullopt;
    response = *target;
  }
  simdjson::dom::element schema;
  if (response["content"]["application/json"]["schema"].get(schema) != simdjson::SUCCESS)
    return std::nullopt;
  return schema;
}

TEST(openapi_document, is_a_well_formed_description) {
  openapi_validator doc{read_document()};
  EXPECT_EQ(doc.lint(), std::vector<std::string>{});
  auto root = doc.root();
  EXPECT_EQ(std::string_view(root["openapi"]), "3.0.3");
  EXPECT_EQ(std::string_view(root["info"]["title"]),
            "Twitch EventSub REST API (eventsubd)");
  EXPECT_EQ(std::string_view(root["info"]["version"]), "0.1.0");
  EXPECT_EQ(doc.text().substr(0, 4), "{\n  ") << "2-space indented";
  EXPECT_EQ(doc.text().back(), '\n');
  EXPECT_EQ(std::string_view(root["components"]["securitySchemes"]["APIKey"]["type"]),
            "http");
  EXPECT_EQ(std::string_view(root["components"]["securitySchemes"]["APIKey"]["scheme"]),
            "bearer");

  std::set<std::string> operation_ids;
  for (const auto& op : doc.operations()) {
    std::string what = upper(op.method) + " " + op.path_template;
    std::string_view id, summary;
    EXPECT_EQ(op.op["operationId"].get(id), simdjson::SUCCESS) << what;
    EXPECT_TRUE(operation_ids.insert(std::string(id)).second) << what << ": " << id;
    EXPECT_EQ(op.op["summary"].get(summary), simdjson::SUCCESS) << what;
    auto statuses = doc.statuses(op);
    EXPECT_NE(std::find(statuses.begin(), statuses.end(), "200"), statuses.end()) << what;

    // Public exactly where the contract says; everything else documents its 401.
    bool open = public_operations.count({upper(op.method), op.path_template}) > 0;
    EXPECT_EQ(doc.requires_auth(op), !open) << what;
    if (!open) {
      simdjson::dom::element unauthorized;
      ASSERT_EQ(op.op["responses"]["401"].get(unauthorized), simdjson::SUCCESS) << what;
      EXPECT_EQ(doc.check_response(unauthorized, {{"Content-Type", "application/json"}},
                                   R"({"detail":"Invalid or missing API key"})")
                    .size(),
                1u)
          << what << ": a 401 without WWW-Authenticate must not pass";
    }

    // Every error answer is {"detail": ...}; /health's 503 may also be its own body.
    for (const auto& status : statuses) {
      if (status < "400") continue;
      auto schema = json_schema_of(doc, op.op["responses"][status].value());
      ASSERT_TRUE(schema) << what << " " << status << " has no JSON schema";
      std::string text = simdjson::minify(*schema);
      if (what == "GET /health" && status == "503") {
        EXPECT_EQ(text, R"({"oneOf":[{"$ref":"#/components/schemas/Health"},)"
                        R"({"$ref":"#/components/schemas/Error"}]})");
        continue;
      }
      EXPECT_EQ(text, R"({"$ref":"#/components/schemas/Error"})")
          << what << " " << status;
    }
  }
  EXPECT_TRUE(
      doc.validate_json("#/components/schemas/Error", R"({"detail":"x"})").empty());
  EXPECT_FALSE(
      doc.validate_json("#/components/schemas/Error", R"({"detail":null})").empty());
  // The off-route answers described in info.description have their response objects.
  EXPECT_TRUE(doc.resolve("#/components/responses/NotFound"));
  EXPECT_TRUE(doc.resolve("#/components/responses/MethodNotAllowed"));
}

// ---------------------------------------------------------------------------------------
// The real server against the document.

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
                  call_options opt = {}) {
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
    EXPECT_TRUE(errors.empty())
        << what << " answered " << r.status << " " << r.header("content-type") << "\n"
        << r.body.substr(0, 500) << "\nagainst the document:\n"
        << joined(errors);
    seen_[{upper(op->method), op->path_template}].insert(std::to_string(r.status));
    return r;
  }

  /// A request no operation describes: an unknown path (404) or a documented path with
  /// another method (405, whose `Allow` must list exactly the documented methods);
  /// checked against the response objects info.description points to.
  http_reply call_off_contract(uint16_t port, const std::string& method,
                               const std::string& target, bool with_key = false) {
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

  /// Statuses seen per (METHOD, path template).
  const std::map<std::pair<std::string, std::string>, std::set<std::string>>& seen()
      const {
    return seen_;
  }

 private:
  const openapi_validator& doc_;
  std::map<std::pair<std::string, std::string>, std::set<std::string>> seen_;
};

/// GET /openapi.json, /docs and /metrics: served by the lead's static and metrics code
/// and tested in depth in docs_page_test.cpp and metrics_test.cpp; here each has its own
/// test below (skipped, naming the route, while the server does not serve it), so the
/// main test does not require them.
const std::set<std::pair<std::string, std::string>> own_test_operations{
    {"GET", "/openapi.json"}, {"GET", "/docs"}, {"GET", "/metrics"}};

/// Documented statuses the main test cannot provoke, and why.
const std::map<std::pair<std::string, std::string>, std::map<std::string, std::string>>
    unprovoked{
        {{"POST", "/streamers/{username}"},
         {{"504", "needs Twitch silent past the 10 s timeout on each of 4 attempts"}}},
        {{"GET", "/streamers/{username}/status"},
         {{"504", "needs Twitch silent past the 30 s lookup timeout"}}},
    };

class openapi_e2e : public ::testing::Test {
 protected:
  openapi_validator doc{read_document()};
  contract_checker contract{doc};
  fake_twitch fake;
  uint16_t port_ = free_port();
  std::unique_ptr<server_process> server;

  void SetUp() override { fake.add_standard_users(); }

  /// The server with everything enabled: memory storage, the fake Twitch, the webhook
  /// secret, and the API key required.
  void start_full() {
    server = std::make_unique<server_process>(std::map<std::string, std::string>{
        {"PORT", std::to_string(port_)},
        {"TWITCH_CLIENT_ID", fake.client_id()},
        {"TWITCH_CLIENT_SECRET", fake.client_secret()},
        {"TWITCH_API_URL", fake.api_url()},
        {"TWITCH_AUTH_URL", fake.auth_url()},
        {"WEBHOOK_SECRET", e2e_secret},
        {"WEBHOOK_URL",
         "http://127.0.0.1:" + std::to_string(port_) + "/webhooks/eventsub"},
        {"REQUIRE_API_KEY", "true"},
        {"API_KEY", api_key}});
    // /health says "starting" (503, documented) until the start-up round is over.
    ASSERT_TRUE(
        eventually([&] { return http_once(port(), "GET", "/health").status == 200; },
                   std::chrono::seconds(30)));
  }

  /// A server with only the API key: for the static routes.
  static server_process plain_server() {
    return server_process{{{"REQUIRE_API_KEY", "true"}, {"API_KEY", api_key}}};
  }

  uint16_t port() const { return server->port(); }

  http_reply webhook(uint16_t port, int expected, const std::string& body,
                     header_map headers, bool conforms = true) {
    return contract.call(port, "POST", "/webhooks/eventsub", expected, body,
                         {std::move(headers), false, conforms});
  }
  static header_map signed_headers(const std::string& body,
                                   const std::string& type = "notification",
                                   const std::string& id = unique_id(),
                                   const std::string& timestamp = twitch_timestamp()) {
    return eventsub_headers(e2e_secret, body, type, id, timestamp);
  }

  bool status_stored(const std::string& login) {
    auto r = http_once(port(), "GET", "/streamers/" + login + "/status", {},
                       {{"Authorization", std::string("Bearer ") + api_key}});
    return r.status == 200 && r.body.find(R"("source":"storage")") != std::string::npos;
  }
};

TEST_F(openapi_e2e, every_operation_answers_as_documented) {
  start_full();
  const auto p = port();

  // --- service
  auto root = contract.call(p, "GET", "/", 200, {}, {{}, false});
  EXPECT_NE(root.body.find("Twitch EventSub REST API"), std::string::npos);
  contract.call(p, "GET", "/health", 200, {}, {{}, false});
  contract.call(p, "GET", "/health", 200);

  // --- streamers
  EXPECT_EQ(contract.call(p, "GET", "/streamers", 200).body, "[]");
  EXPECT_EQ(contract.call(p, "POST", "/streamers/Shroud", 200).body,
            R"({"message":"Added streamer: shroud"})");
  contract.call(p, "POST", "/streamers/ninja", 200);
  contract.call(p, "POST", "/streamers/%53hroud", 200);  // percent-encoded, idempotent
  contract.call(p, "POST", "/streamers/nobodyhere", 404);
  contract.call(p, "POST", "/streamers/-bad", 400, {}, {{}, true, false});
  contract.call(p, "POST", "/streamers/" + std::string(26, 'a'), 400, {},
                {{}, true, false});
  fake.fail_next(1, 400, "/users");
  contract.call(p, "POST", "/streamers/pokimane", 502);
  ASSERT_TRUE(eventually([&] {
    return status_stored("shroud") && status_stored("ninja");
  })) << server->log();
  auto list = contract.call(p, "GET", "/streamers", 200);
  EXPECT_NE(list.body.find(R"("offline_subscription_id")"), std::string::npos);

  // --- statuses: stored (live and offline), from Helix, unknown, invalid, Twitch error
  auto live = contract.call(p, "GET", "/streamers/shroud/status", 200);
  EXPECT_NE(live.body.find(R"("game_name":"VALORANT")"), std::string::npos) << live.body;
  auto offline = contract.call(p, "GET", "/streamers/%6Einja/status", 200);
  EXPECT_NE(offline.body.find(R"("stream_data":null)"), std::string::npos)
      << offline.body;
  auto helix = contract.call(p, "GET", "/streamers/pokimane/status", 200);
  EXPECT_NE(helix.body.find(R"("source":"twitch_api")"), std::string::npos) << helix.body;
  contract.call(p, "GET", "/streamers/nobodyhere/status", 404);
  contract.call(p, "GET", "/streamers/-bad/status", 400, {}, {{}, true, false});
  fake.fail_next(1, 400, "/users");
  contract.call(p, "GET", "/streamers/xqc/status", 502);
  auto lives = contract.call(p, "GET", "/streams/live", 200);
  EXPECT_NE(lives.body.find(R"("count":1)"), std::string::npos) << lives.body;

  // --- the webhook: every acknowledgement, the challenge, every refusal
  auto online = online_body("1002", "ninja", "s-n1", twitch_timestamp());
  auto online_id = unique_id();
  auto online_ts = twitch_timestamp();
  EXPECT_EQ(webhook(p, 200, online,
                    signed_headers(online, "notification", online_id, online_ts))
                .body,
            R"({"status":"success"})");
  EXPECT_EQ(webhook(p, 200, online,
                    signed_headers(online, "notification", online_id, online_ts))
                .body,
            R"({"status":"duplicate"})");
  auto off = offline_body("1002", "ninja");
  EXPECT_EQ(webhook(p, 200, off, signed_headers(off)).body, R"({"status":"success"})");
  // A late online of the stream that just ended (another message id): outdated.
  auto late = online_body("1002", "ninja", "s-n1", "2024-01-01T00:00:00Z");
  EXPECT_EQ(webhook(p, 200, late, signed_headers(late)).body, R"({"status":"outdated"})");
  const std::string follow =
      R"({"subscription":{"id":"sub-follow","type":"channel.follow","version":"2",)"
      R"("status":"enabled","cost":0,"condition":{"broadcaster_user_id":"1002"},)"
      R"("transport":{"method":"webhook","callback":"https://example.com/cb"},)"
      R"("created_at":"2024-01-01T00:00:00Z"},"event":{"user_id":"7","user_login":"fan",)"
      R"("user_name":"Fan","broadcaster_user_id":"1002","broadcaster_user_login":"ninja",)"
      R"("broadcaster_user_name":"Ninja","followed_at":"2024-01-01T00:00:00Z"}})";
  EXPECT_EQ(webhook(p, 200, follow, signed_headers(follow)).body,
            R"({"status":"ignored"})");
  auto challenge = fixture("verification.json");
  auto verified = webhook(p, 200, challenge,
                          signed_headers(challenge, "webhook_callback_verification"));
  EXPECT_EQ(verified.body, "pogchamp-kappa-360noscope-vohiyo");
  EXPECT_EQ(webhook(p, 200, challenge, signed_headers(challenge, "mystery")).body,
            R"({"status":"ignored"})");
  auto revocation = fixture("revocation.json");
  EXPECT_EQ(webhook(p, 200, revocation, signed_headers(revocation, "revocation")).body,
            R"({"status":"success"})");

  auto forged = signed_headers(off);
  forged["Twitch-Eventsub-Message-Signature"] = "sha256=" + std::string(64, '0');
  webhook(p, 403, off, forged);
  auto unsigned_headers = signed_headers(off);
  unsigned_headers.erase("Twitch-Eventsub-Message-Signature");
  webhook(p, 403, off, unsigned_headers, false);
  webhook(p, 403, off,
          signed_headers(off, "notification", unique_id(), twitch_timestamp(-11min)));
  webhook(p, 403, off, {}, false);  // no headers at all, no API key either: 403, not 401
  auto untyped = signed_headers(off);
  untyped.erase("Twitch-Eventsub-Message-Type");
  webhook(p, 400, off, untyped, false);
  for (const auto& body : {std::string("{"), std::string("[]"),
                           std::string("{\"subscription\":{\"type\":\"x\xff\"}}")})
    webhook(p, 400, body, signed_headers(body), false);
  // Documented as allowed by the schema, refused by the rules its description states.
  const std::string no_event = R"({"subscription":{"type":"stream.online"}})";
  webhook(p, 400, no_event, signed_headers(no_event));
  std::string huge(1024 * 1024 + 1, ' ');
  webhook(p, 413, huge, signed_headers(huge), false);

  // --- events
  auto events = contract.call(p, "GET", "/events", 200);
  EXPECT_NE(events.body.find(R"("event_type":"stream.offline")"), std::string::npos)
      << events.body;
  contract.call(p, "GET", "/events?limit=1", 200);
  contract.call(p, "GET", "/events?limit=1000", 200);
  for (const char* bad : {"0", "1001", "abc", "", "1.5", "-1"})
    contract.call(p, "GET", std::string("/events?limit=") + bad, 422, {},
                  {{}, true, false});

  // --- removal
  EXPECT_EQ(contract.call(p, "DELETE", "/streamers/NINJA", 200).body,
            R"({"message":"Removed streamer: ninja"})");
  contract.call(p, "DELETE", "/streamers/ninja", 404);
  contract.call(p, "DELETE", "/streamers/-bad", 400, {}, {{}, true, false});

  // --- the API key: every operation the document secures refuses a missing or wrong
  // key; the public ones never ask for it.
  for (const auto& op : doc.operations()) {
    std::pair<std::string, std::string> key{upper(op.method), op.path_template};
    if (own_test_operations.count(key)) continue;
    std::string target = op.path_template;
    if (auto at = target.find("{username}"); at != std::string::npos)
      target.replace(at, 10, "shroud");
    if (doc.requires_auth(op)) {
      auto r = contract.call(p, key.first, target, 401, {}, {{}, false});
      EXPECT_EQ(r.header("www-authenticate"), "Bearer");
      contract.call(p, key.first, target, 401, {},
                    {{{"Authorization", "Bearer wrong-key"}}, false});
    } else if (key.first == "GET") {
      contract.call(p, key.first, target, 200, {}, {{}, false});
    }
  }

  // --- answers outside the operations: wrong method (405 + Allow), unknown path (404);
  // both before the API key is looked at.
  for (const auto& op : doc.operations()) {
    if (own_test_operations.count({upper(op.method), op.path_template})) continue;
    std::string target = op.path_template;
    if (auto at = target.find("{username}"); at != std::string::npos)
      target.replace(at, 10, "shroud");
    auto documented = doc.methods(op.path_template);
    for (const char* m : {"GET", "POST", "PUT", "DELETE", "PATCH"})
      if (std::find(documented.begin(), documented.end(), m) == documented.end())
        contract.call_off_contract(p, m, target);
  }
  for (const char* unknown :
       {"/nope", "/streamers/", "/streamers/shroud/status/more", "/streams", "/webhooks"})
    contract.call_off_contract(p, "GET", unknown);

  // --- the same operations with what they depend on missing: Redis unreachable (the
  // stored state cannot load), no Twitch credentials, no webhook secret.
  server_process degraded{
      {{"STORAGE_TYPE", "redis"},
       {"REDIS_URL", "redis://127.0.0.1:" + std::to_string(free_port())},
       {"REQUIRE_API_KEY", "true"},
       {"API_KEY", api_key}}};
  const auto d = degraded.port();
  contract.call(d, "GET", "/", 200, {}, {{}, false});
  EXPECT_EQ(contract.call(d, "GET", "/health", 503, {}, {{}, false}).body,
            R"({"status":"unhealthy","storage":"disconnected"})");
  for (const char* target :
       {"/streamers", "/streams/live", "/events", "/streamers/shroud/status"})
    contract.call(d, "GET", target, 503);
  contract.call(d, "POST", "/streamers/shroud", 503);
  contract.call(d, "DELETE", "/streamers/shroud", 503);
  auto disabled = webhook(d, 503, off, signed_headers(off));
  EXPECT_NE(disabled.body.find("WEBHOOK_SECRET"), std::string::npos) << disabled.body;

  // --- coverage: every documented operation exercised, every documented status seen.
  for (const auto& op : doc.operations()) {
    std::pair<std::string, std::string> key{upper(op.method), op.path_template};
    if (own_test_operations.count(key)) continue;
    auto it = contract.seen().find(key);
    if (it == contract.seen().end()) {
      ADD_FAILURE() << key.first << " " << key.second
                    << " is documented but never tested";
      continue;
    }
    auto skipped =
        unprovoked.count(key) ? unprovoked.at(key) : std::map<std::string, std::string>{};
    for (const auto& status : doc.statuses(op)) {
      bool provoked = it->second.count(status) > 0;
      if (skipped.count(status)) {
        EXPECT_FALSE(provoked) << key.first << " " << key.second << " " << status
                               << " is provoked after all: drop it from `unprovoked`";
        continue;
      }
      EXPECT_TRUE(provoked) << key.first << " " << key.second << " documents " << status
                            << ", which the test never saw";
    }
  }
  for (const auto& [key, statuses] : unprovoked) {
    auto op = doc.find(key.first, key.second);
    ASSERT_TRUE(op) << key.second;
    auto documented = doc.statuses(*op);
    for (const auto& [status, why] : statuses)
      EXPECT_NE(std::find(documented.begin(), documented.end(), status), documented.end())
          << key.first << " " << key.second << " " << status << " (" << why
          << ") is no longer documented: drop it from `unprovoked`";
  }
}

TEST_F(openapi_e2e, the_served_document_is_the_file) {
  auto plain = plain_server();
  auto r = http_once(plain.port(), "GET", "/openapi.json");
  contract.call(plain.port(), "GET", "/openapi.json", 200, {}, {{}, false});
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_TRUE(r.body == doc.text())
      << "GET /openapi.json differs from " << document_path() << " (" << r.body.size()
      << " vs " << doc.text().size() << " bytes): rebuild eventsubd";
}

TEST_F(openapi_e2e, the_docs_page_is_as_documented) {
  auto plain = plain_server();
  auto r = contract.call(plain.port(), "GET", "/docs", 200, {}, {{}, false});
  EXPECT_NE(r.body.find("swagger-ui"), std::string::npos);
}

TEST_F(openapi_e2e, the_metrics_are_as_documented) {
  auto plain = plain_server();
  auto r = contract.call(plain.port(), "GET", "/metrics", 200);
  EXPECT_NE(r.body.find("# TYPE "), std::string::npos);
  EXPECT_EQ(contract.call(plain.port(), "GET", "/metrics", 401, {}, {{}, false})
                .header("www-authenticate"),
            "Bearer");
  contract.call(plain.port(), "GET", "/metrics", 401, {},
                {{{"Authorization", "Bearer wrong-key"}}, false});
}

}  // namespace
}  // namespace eventsubd::testing
