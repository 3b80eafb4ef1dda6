// The API description (http/openapi.json) itself: linted, its metadata, an operationId
// and summary for every operation, security exactly where the contract says, and
// {"detail": ...} for every error answer.
#include "tests/common/openapi_validator.hpp"
#include "tests/e2e/openapi_e2e_support.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace eventsubd::testing {
namespace {

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

}  // namespace
}  // namespace eventsubd::testing
