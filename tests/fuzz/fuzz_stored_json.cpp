// Values read back from Redis (the old service's JSON or ours): streamer, status, event
// subscription ids and the state machines' memories. What parses is written back and must parse again the same way.
#include "core/json_codec.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace eventsubd;
  std::string_view json(reinterpret_cast<const char*>(data), size);
  if (auto s = parse_streamer(json)) {
    read_subscription_ids(json, *s);
    auto again = parse_streamer(to_stored_json(*s));
    if (!again || again->username != s->username || again->user_id != s->user_id)
      __builtin_trap();
    (void)to_json(*s);
  }
  if (auto st = parse_status(json)) {
    auto again = parse_status(to_json(*st));
    if (!again || again->username != st->username || again->is_live != st->is_live)
      __builtin_trap();
  }
  if (auto e = parse_event(json, 1705319123.5)) {
    auto again = parse_event(to_json(*e), e->score);
    if (!again || again->id != e->id) __builtin_trap();
  }
  if (auto m = parse_stream_memory(json)) {
    // Written times keep microseconds: after one write, a round trip changes nothing.
    auto once = parse_stream_memory(to_json(*m));
    if (!once) __builtin_trap();
    auto twice = parse_stream_memory(to_json(*once));
    if (!twice || !(*twice == *once)) __builtin_trap();
  }
  return 0;
}
