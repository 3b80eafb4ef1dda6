// RFC 3339 timestamps (Twitch's headers and events, the old service's naive ones): never
// a crash, and whatever parses formats to text that parses back to the same instant, to
// the microsecond we write.
#include "core/time.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = eventsubd::parse_rfc3339(text);
  if (!parsed) return 0;
  auto formatted = eventsubd::format_rfc3339(*parsed);
  auto again = eventsubd::parse_rfc3339(formatted);
  if (!again || *again != std::chrono::floor<std::chrono::microseconds>(*parsed))
    __builtin_trap();
  (void)eventsubd::unix_seconds(*parsed);
  return 0;
}
