#include "storage/bodies.hpp"

namespace eventsubd::storage {

body_ptr health_body(bool connected) {
  static const auto healthy = make_body(R"({"status":"healthy","storage":"connected"})");
  static const auto unhealthy =
      make_body(R"({"status":"unhealthy","storage":"disconnected"})");
  return connected ? healthy : unhealthy;
}

body_ptr starting_health_body(bool connected) {
  static const auto up = make_body(R"({"status":"starting","storage":"connected"})");
  static const auto down = make_body(R"({"status":"starting","storage":"disconnected"})");
  return connected ? up : down;
}

}  // namespace eventsubd::storage
