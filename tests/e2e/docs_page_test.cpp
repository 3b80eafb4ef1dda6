// End to end: the API description at /openapi.json and the Swagger UI page at /docs,
// served by the binary itself (no CDN), loaded in a real headless Chromium.
#include "tests/e2e/e2e_support.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <memory>

namespace eventsubd::testing {
namespace {

/// Chromium's path, or empty when it is not installed.
std::string chromium_path() {
  for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser"})
    if (std::filesystem::exists(p)) return p;
  return {};
}

/// The DOM of `url` after its scripts ran, as headless Chromium renders it.
std::string rendered_dom(const std::string& chromium, const std::string& url) {
  auto command = "timeout 60 " + chromium +
                 " --headless --no-sandbox --disable-gpu --disable-background-networking"
                 " --virtual-time-budget=15000 --dump-dom '" +
                 url + "' 2>/dev/null";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return {};
  std::string out;
  std::array<char, 65536> buf;
  while (size_t n = fread(buf.data(), 1, buf.size(), pipe.get()))
    out.append(buf.data(), n);
  return out;
}

class docs_e2e : public ::testing::Test {
 protected:
  server_process server{{{"REQUIRE_API_KEY", "true"}, {"API_KEY", "docs-test-key"}}};
};

TEST_F(docs_e2e, the_description_and_the_page_are_public_and_self_contained) {
  auto spec = http_once(server.port(), "GET", "/openapi.json");
  ASSERT_EQ(spec.status, 200);  // open without the API key, like /health
  EXPECT_EQ(spec.header("content-type"), "application/json");
  json_doc doc(spec.body);
  EXPECT_EQ(std::string_view(doc.root["openapi"]).substr(0, 2), "3.");

  auto page = http_once(server.port(), "GET", "/docs");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(page.body.find("http"), std::string::npos) << "no CDN or absolute links";
  for (const char* asset : {"/docs/swagger-ui.css", "/docs/swagger-ui-bundle.js",
                            "/docs/init.js", "/docs/favicon-32x32.png"}) {
    auto r = http_once(server.port(), "GET", asset);
    EXPECT_EQ(r.status, 200) << asset;
    EXPECT_GT(r.body.size(), 100u) << asset;
  }
  EXPECT_GT(http_once(server.port(), "GET", "/docs/swagger-ui-bundle.js").body.size(),
            500000u);  // the real bundle, not a stand-in
  EXPECT_EQ(http_once(server.port(), "GET", "/docs/other.js").status, 404);
  EXPECT_EQ(http_once(server.port(), "POST", "/docs").status, 405);
  EXPECT_EQ(http_once(server.port(), "GET", "/streamers").status,
            401);  // the rest is not
}

TEST_F(docs_e2e, headless_chromium_lists_every_documented_endpoint) {
  auto chromium = chromium_path();
  if (chromium.empty())
    GTEST_SKIP()
        << "chromium is not installed (scripts/setup-debian.sh --tests installs it)";
  json_doc doc(http_once(server.port(), "GET", "/openapi.json").body);
  simdjson::dom::object paths;
  ASSERT_EQ(doc.root["paths"].get(paths), simdjson::SUCCESS);
  ASSERT_GE(paths.size(), 8u) << "the contract has at least 8 endpoint paths";

  auto dom = rendered_dom(chromium,
                          "http://127.0.0.1:" + std::to_string(server.port()) + "/docs");
  ASSERT_NE(dom.find("swagger-ui"), std::string::npos) << dom.substr(0, 2000);
  EXPECT_NE(dom.find(std::string(std::string_view(doc.root["info"]["title"]))),
            std::string::npos);
  for (auto [path, item] : paths) {
    // Swagger UI renders each operation's path into a data-path attribute.
    auto attribute = "data-path=\"" + std::string(path) + "\"";
    EXPECT_NE(dom.find(attribute), std::string::npos) << path << " is not listed";
  }
}

}  // namespace
}  // namespace eventsubd::testing
