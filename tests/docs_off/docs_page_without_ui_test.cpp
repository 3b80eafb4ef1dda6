// Built with http/static_pages.cpp and http/embedded_files.cpp compiled as a build
// without npm compiles them (no EVENTSUBD_SWAGGER_DIR), whatever this build has.
#include "http/embedded_files.hpp"
#include "http/static_pages.hpp"

#include <gtest/gtest.h>

namespace eventsubd::http {
namespace {

std::string text_of(const static_page& page) {
  return *page.body;
}

TEST(DocsWithoutUi, DocsPageLinksTheApiDescriptionAndSaysHowToGetTheUi) {
  ASSERT_FALSE(swagger_ui_embedded());
  const auto* docs = find_static_page("/docs");
  ASSERT_NE(docs, nullptr);
  EXPECT_EQ(docs->kind, body_kind::html);
  const auto html = text_of(*docs);
  EXPECT_NE(html.find("href=\"openapi.json\""), std::string::npos) << html;
  EXPECT_NE(html.find("apt-get install npm"), std::string::npos) << html;
  EXPECT_NE(html.find("-DEVENTSUBD_DOCS_UI=ON"), std::string::npos) << html;
  EXPECT_EQ(html.find("swagger-ui-bundle.js"), std::string::npos) << html;
}

TEST(DocsWithoutUi, TheApiDescriptionIsStillServedAndUiAssetsAreNot) {
  const auto* openapi = find_static_page("/openapi.json");
  ASSERT_NE(openapi, nullptr);
  EXPECT_NE(text_of(*openapi).find("\"openapi\""), std::string::npos);
  for (const char* asset : {"/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css",
                            "/docs/favicon-32x32.png", "/docs/init.js"})
    EXPECT_EQ(find_static_page(asset), nullptr) << asset;
}

}  // namespace
}  // namespace eventsubd::http
