// The OpenAPI validator (tests/common/openapi_validator), on a small document of its
// own: it must fail what is wrong, or every check the OpenAPI tests make could pass by
// accepting everything.
#include "tests/common/openapi_validator.hpp"

#include "tests/e2e/openapi_e2e_support.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace eventsubd::testing {
namespace {

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

}  // namespace
}  // namespace eventsubd::testing
