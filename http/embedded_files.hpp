#pragma once

#include <string_view>

namespace eventsubd::http {

// Files compiled into the binary (see embedded_files.cpp), so a deployment is the one
// executable: the OpenAPI document and the Swagger UI assets from npm.
std::string_view embedded_openapi_json();

/// Whether the Swagger UI assets are in this binary: a build without npm
/// (EVENTSUBD_DOCS_UI=OFF) has none, and the three functions below return "".
bool swagger_ui_embedded();
std::string_view embedded_swagger_ui_bundle_js();
std::string_view embedded_swagger_ui_css();
std::string_view embedded_swagger_favicon_png();

}  // namespace eventsubd::http
