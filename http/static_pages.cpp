#include "http/static_pages.hpp"

#include "http/embedded_files.hpp"

#include <utility>
#include <vector>

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

// The /docs page of a build without npm (EVENTSUBD_DOCS_UI=OFF): the API description is
// still there, and the page says how to get the interactive UI.
constexpr std::string_view docs_without_ui_html = R"(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Twitch EventSub REST API (eventsubd) - docs</title>
</head>
<body>
<h1>eventsubd API docs</h1>
<p>This eventsubd was built without the interactive docs (Swagger UI), because npm was
not installed when it was built. The API description is <a href="openapi.json">openapi.json</a>
(OpenAPI 3.0.3; any OpenAPI viewer reads it).</p>
<p>To serve the interactive docs here, install npm (<code>apt-get install npm</code>) and
rebuild: <code>cmake -S . -B build -DEVENTSUBD_DOCS_UI=ON &amp;&amp; cmake --build build</code>.</p>
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

std::vector<entry> make_pages() {
  auto body = [](std::string_view text) { return make_body(std::string(text)); };
  if (!swagger_ui_embedded())
    return {
        {"/openapi.json", {body(embedded_openapi_json()), body_kind::json}},
        {"/docs", {body(docs_without_ui_html), body_kind::html}},
    };
  return {
      {"/openapi.json", {body(embedded_openapi_json()), body_kind::json}},
      {"/docs", {body(docs_html), body_kind::html}},
      {"/docs/init.js", {body(init_js), body_kind::javascript}},
      {"/docs/swagger-ui.css", {body(embedded_swagger_ui_css()), body_kind::css}},
      {"/docs/swagger-ui-bundle.js",
       {body(embedded_swagger_ui_bundle_js()), body_kind::javascript}},
      {"/docs/favicon-32x32.png", {body(embedded_swagger_favicon_png()), body_kind::png}},
  };
}

}  // namespace

const static_page* find_static_page(std::string_view path) {
  static const auto pages = make_pages();  // built on first use, then shared read-only
  for (const auto& e : pages)
    if (e.path == path) return &e.page;
  return nullptr;
}

}  // namespace eventsubd::http
