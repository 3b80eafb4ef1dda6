// Helix response bodies (what Twitch, or anything pretending to be it, sends back):
// token, Get Users, Get Streams, Get EventSub Subscriptions pages and error bodies.
#include "twitch/helix_parse.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  using namespace eventsubd::twitch;
  (void)parse_token(body);
  (void)parse_users(body);
  (void)parse_streams(body);
  (void)parse_subscriptions(body);
  (void)parse_error_message(body);
  return 0;
}
