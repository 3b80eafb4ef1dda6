#include "extensions/kit/kit.hpp"

namespace eventsubd::ext {
namespace {

listener_actor::behavior_type hello(listener_actor::pointer, context ctx,
                                    std::string greeting, counter greeted) {
  return {
      [=](const stream_change& change) {
        if (change.kind != change_kind::online) return;
        ctx.log()->info("{}, {}!", greeting, change.display_name);
        greeted.add();
      },
  };
}

result<void> start(const context& ctx) {
  auto greeting = ctx.settings().text("GREETING", "Hello");
  if (greeting.size() > 100)
    return fail(errc::bad_request, ctx.settings().variable("GREETING") + " is too long");
  auto greeted = ctx.metrics().counter("greeted_total", "Go-lives greeted.");
  ctx.spawn_listener(hello, ctx, greeting, greeted);
  return {};
}

}  // namespace
}  // namespace eventsubd::ext

EVENTSUBD_EXTENSION(hello, "greets every go-live in the log", eventsubd::ext::start)
