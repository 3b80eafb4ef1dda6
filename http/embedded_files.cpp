#include "http/embedded_files.hpp"

// `.incbin` puts each file's bytes into .rodata at build time (paths come from
// http/CMakeLists.txt, which also makes this file rebuild when they change). Cheaper to
// compile than a generated megabyte-sized C++ array, and pages are only loaded when read.
#define EVENTSUBD_EMBED(name, path)                                  \
  __asm__(                                                           \
      ".section .rodata\n"                                           \
      ".balign 16\n"                                                 \
      ".global eventsubd_embedded_" #name                            \
      "_begin\n"                                                     \
      "eventsubd_embedded_" #name                                    \
      "_begin:\n"                                                    \
      ".incbin \"" path                                              \
      "\"\n"                                                         \
      ".global eventsubd_embedded_" #name                            \
      "_end\n"                                                       \
      "eventsubd_embedded_" #name                                    \
      "_end:\n"                                                      \
      ".previous\n");                                                \
  extern "C" const char eventsubd_embedded_##name##_begin[];         \
  extern "C" const char eventsubd_embedded_##name##_end[];           \
  std::string_view eventsubd::http::embedded_##name() {              \
    return {eventsubd_embedded_##name##_begin,                       \
            static_cast<size_t>(eventsubd_embedded_##name##_end -    \
                                eventsubd_embedded_##name##_begin)}; \
  }

EVENTSUBD_EMBED(openapi_json, EVENTSUBD_OPENAPI_FILE)

#ifdef EVENTSUBD_SWAGGER_DIR
EVENTSUBD_EMBED(swagger_ui_bundle_js, EVENTSUBD_SWAGGER_DIR "/swagger-ui-bundle.js")
EVENTSUBD_EMBED(swagger_ui_css, EVENTSUBD_SWAGGER_DIR "/swagger-ui.css")
EVENTSUBD_EMBED(swagger_favicon_png, EVENTSUBD_SWAGGER_DIR "/favicon-32x32.png")
bool eventsubd::http::swagger_ui_embedded() {
  return true;
}
#else
// Built without npm: /docs explains how to get the UI (http/static_pages.cpp).
std::string_view eventsubd::http::embedded_swagger_ui_bundle_js() {
  return {};
}
std::string_view eventsubd::http::embedded_swagger_ui_css() {
  return {};
}
std::string_view eventsubd::http::embedded_swagger_favicon_png() {
  return {};
}
bool eventsubd::http::swagger_ui_embedded() {
  return false;
}
#endif
