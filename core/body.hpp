#pragma once

#include <memory>
#include <string>
#include <utility>

namespace eventsubd {

/// Shared, immutable response body. Cached bodies are handed out without copying.
using body_ptr = std::shared_ptr<const std::string>;

inline body_ptr make_body(std::string text) {
  return std::make_shared<const std::string>(std::move(text));
}

/// How a body is to be labelled on the wire (its Content-Type).
enum class body_kind { json, text, html, css, javascript, png, prometheus };

}  // namespace eventsubd
