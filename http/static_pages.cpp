#include "http/static_pages.hpp"

#include "http/embedded_files.hpp"

#include <array>
#include <utility>

namespace eventsubd::http {
namespace {

// Relative links, so the page also works behind a reverse proxy that adds a path prefix
// (`/api/docs` loads `/api/docs/...` and `/api/openapi.json`).
constexpr std::string_view docs_html = R"(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Twitch EventSub REST API (eventsubd) - docs</title>
<link rel="stylesheet" href="docs/swagger-ui.css">
<link rel="icon" type="image/png" href="docs/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="docs/swagger-ui-bundle.js"></script>
<script src="docs/init.js"></script>
</body>
</html>
)";

constexpr std::string_view init_js = R"(window.ui = SwaggerUIBundle({
  url: "openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: true,
});
)";

struct entry {
  std::string_view path;
  static_page page;
};

std::array<entry, 6> make_pages() {
  auto body = [](std::string_view text) { return make_body(std::string(text)); };
  return {{
      {"/openapi.json", {body(embedded_openapi_json()), body_kind::json}},
      {"/docs", {body(docs_html), body_kind::html}},
      {"/docs/init.js", {body(init_js), body_kind::javascript}},
      {"/docs/swagger-ui.css", {body(embedded_swagger_ui_css()), body_kind::css}},
      {"/docs/swagger-ui-bundle.js",
       {body(embedded_swagger_ui_bundle_js()), body_kind::javascript}},
      {"/docs/favicon-32x32.png", {body(embedded_swagger_favicon_png()), body_kind::png}},
  }};
}

}  // namespace

const static_page* find_static_page(std::string_view path) {
  static const auto pages = make_pages();  // built on first use, then shared read-only
  for (const auto& e : pages)
    if (e.path == path) return &e.page;
  return nullptr;
}

}  // namespace eventsubd::http
