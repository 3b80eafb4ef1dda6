// The route table (http/routes) against the OpenAPI document, the static pages and the
// metrics' labels, and how a path is matched.
#include "http/routes.hpp"

#include "http/static_pages.hpp"
#include "tests/common/openapi_validator.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace eventsubd::http {
namespace {

namespace bh = boost::beast::http;
using testing::openapi_validator;

std::string read_document() {
  const std::string path = std::string(EVENTSUBD_SOURCE_DIR) + "/http/openapi.json";
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// "GET /streamers/{username}/status"
std::string operation_name(std::string_view method, std::string_view path) {
  std::string out(method);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out.append(" ").append(path);
}

std::string operation_name(const endpoint& e) {
  return operation_name(bh::to_string(e.method), e.path);
}

/// The documented rows by operation name.
std::map<std::string, const endpoint*> documented_rows() {
  std::map<std::string, const endpoint*> out;
  for (const auto& e : route_table())
    if (e.documented) out[operation_name(e)] = &e;
  return out;
}

TEST(routes_test, every_endpoint_is_documented_and_every_operation_routed) {
  openapi_validator doc{read_document()};
  auto rows = documented_rows();
  std::set<std::string> operations;
  for (const auto& op : doc.operations()) {
    auto name = operation_name(op.method, op.path_template);
    operations.insert(name);
    EXPECT_TRUE(rows.count(name))
        << name << " is in http/openapi.json but has no row in http/routes.cpp";
  }
  for (const auto& [name, row] : rows)
    EXPECT_TRUE(operations.count(name))
        << name << " has a row in http/routes.cpp but is not in http/openapi.json "
        << "(or mark the row undocumented)";
  EXPECT_EQ(operations.size(), rows.size());
}

TEST(routes_test, access_is_as_documented) {
  openapi_validator doc{read_document()};
  auto rows = documented_rows();
  for (const auto& op : doc.operations()) {
    auto name = operation_name(op.method, op.path_template);
    auto it = rows.find(name);
    if (it == rows.end()) continue;  // reported by the test above
    EXPECT_EQ(it->second->who == access::open, !doc.requires_auth(op))
        << name << ": public in one of the table and the document only";
  }
}

TEST(routes_test, only_gets_are_reads_that_public_reads_opens) {
  for (const auto& e : route_table()) {
    if (e.who == access::read) {
      EXPECT_EQ(e.method, bh::verb::get) << e.path;
    }
  }
}

TEST(routes_test, undocumented_rows_are_the_docs_pages_assets) {
  for (const auto& e : route_table()) {
    if (e.label == "/docs" && !e.exists) {
      EXPECT_TRUE(find_static_page(e.path)) << e.path << " has a row but no page";
    }
    if (e.documented) continue;
    EXPECT_EQ(e.path, "/docs/{asset}");
    EXPECT_EQ(e.label, "/docs");
    EXPECT_EQ(e.who, access::open);
    EXPECT_TRUE(e.exists) << "matches only the assets the build has";
  }
}

TEST(routes_test, an_asset_is_routed_exactly_when_the_build_has_it) {
  for (std::string_view asset :
       {"/docs/init.js", "/docs/swagger-ui.css", "/docs/swagger-ui-bundle.js",
        "/docs/favicon-32x32.png", "/docs/nope", "/docs/init.js.map"}) {
    bool has = find_static_page(asset) != nullptr;
    auto get = match_route(bh::verb::get, asset);
    EXPECT_EQ(get.row != nullptr, has) << asset;
    EXPECT_EQ(route_labels()[get.label], has ? "/docs" : "unmatched") << asset;
    EXPECT_EQ(match_route(bh::verb::post, asset).path != nullptr, has) << asset;
  }
}

TEST(routes_test, metric_labels_are_each_rows_label_once_then_unmatched) {
  std::vector<std::string_view> expected;
  for (const auto& e : route_table()) {
    auto label = e.label.empty() ? e.path : e.label;
    if (std::find(expected.begin(), expected.end(), label) == expected.end())
      expected.push_back(label);
  }
  expected.push_back("unmatched");
  auto labels = route_labels();
  EXPECT_EQ(std::vector<std::string_view>(labels.begin(), labels.end()), expected);
  // The labels dashboards already use stay as they are.
  for (std::string_view known :
       {"/", "/health", "/streamers", "/streamers/{username}",
        "/streamers/{username}/status", "/streams/live", "/events", "/webhooks/eventsub",
        "/docs", "/metrics", "unmatched"})
    EXPECT_NE(std::find(labels.begin(), labels.end(), known), labels.end()) << known;
}

std::string_view label_of(const route_match& m) {
  return route_labels()[m.label];
}

TEST(routes_test, matches_literal_paths_and_one_segment_parameters) {
  auto status = match_route(bh::verb::get, "/streamers/a_b%5F1/status");
  ASSERT_TRUE(status.row);
  EXPECT_EQ(status.row->path, "/streamers/{username}/status");
  EXPECT_EQ(status.param, "a_b%5F1");
  EXPECT_EQ(label_of(status), "/streamers/{username}/status");

  auto remove = match_route(bh::verb::delete_, "/streamers/x");
  ASSERT_TRUE(remove.row);
  EXPECT_EQ(remove.row->method, bh::verb::delete_);
  EXPECT_EQ(remove.param, "x");

  EXPECT_EQ(label_of(match_route(bh::verb::get, "/openapi.json")), "/docs");
  EXPECT_EQ(label_of(match_route(bh::verb::get, "/docs")), "/docs");
  EXPECT_EQ(label_of(match_route(bh::verb::get, "/")), "/");
}

TEST(routes_test, unknown_paths_are_unmatched) {
  for (std::string_view path :
       {"", "/nope", "/Health", "/health/", "/streamers/", "/streamers//status",
        "/streamers/a/", "/streamers/a/status/x", "/streamers/a/b", "/docs/nope",
        "/streams/live/", "//"}) {
    auto m = match_route(bh::verb::get, path);
    EXPECT_FALSE(m.row) << path;
    EXPECT_FALSE(m.path) << path;
    EXPECT_EQ(label_of(m), "unmatched") << path;
  }
}

TEST(routes_test, a_known_path_with_another_method_allows_the_paths_methods) {
  auto m = match_route(bh::verb::patch, "/streamers/x");
  EXPECT_FALSE(m.row);
  ASSERT_TRUE(m.path);
  EXPECT_EQ(allowed_methods(*m.path), "POST, DELETE");
  EXPECT_EQ(label_of(m), "/streamers/{username}");
  EXPECT_EQ(allowed_methods(*match_route(bh::verb::get, "/webhooks/eventsub").path),
            "POST");
  EXPECT_EQ(allowed_methods(*match_route(bh::verb::head, "/health").path), "GET");
  EXPECT_EQ(allowed_methods(*match_route(bh::verb::post, "/openapi.json").path), "GET");
  // Any row of the path gives the same answer.
  auto del = match_route(bh::verb::delete_, "/streamers/x");
  ASSERT_TRUE(del.row);
  EXPECT_EQ(allowed_methods(*del.row), "POST, DELETE");
}

}  // namespace
}  // namespace eventsubd::http
