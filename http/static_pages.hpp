#pragma once

#include "core/body.hpp"

#include <string_view>

namespace eventsubd::http {

/// A fixed document with its Content-Type.
struct static_page {
  body_ptr body;
  body_kind kind;
};

/// The fixed documents: `/openapi.json`, the `/docs` page (Swagger UI) and its assets
/// under `/docs/`; null for any other path.
const static_page* find_static_page(std::string_view path);

}  // namespace eventsubd::http
