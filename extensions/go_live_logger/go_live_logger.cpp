// Logs every go-live and stream end, e.g. `Stream online: Shroud (shroud)`.
#include "extensions/kit/kit.hpp"

namespace eventsubd::ext {
namespace {

listener_actor::behavior_type go_live_logger(listener_actor::pointer,
                                             std::shared_ptr<spdlog::logger> log) {
  return {
      [log](const stream_change& change) {
        const auto& name =
            change.display_name.empty() ? change.login : change.display_name;
        switch (change.kind) {
          // Each case in braces: clang 14 destroys a consteval format string's
          // temporaries at the end of the enclosing scope, here the switch, so a jump
          // to a later case destroyed what was never constructed (ASan).
          case change_kind::online: {
            log->info("Stream online: {} ({})", name, change.login);
            break;
          }
          case change_kind::offline: {
            log->info("Stream offline: {} ({})", name, change.login);
            break;
          }
          case change_kind::metadata:
            break;  // only go-live and stream end are worth a line
        }
      },
  };
}

result<void> start(const context& ctx) {
  ctx.spawn_listener(go_live_logger, ctx.log());
  return {};
}

}  // namespace
}  // namespace eventsubd::ext

EVENTSUBD_EXTENSION(go_live_logger,
                    "logs every go-live and stream end: 'Stream online: Shroud (shroud)'",
                    eventsubd::ext::start)
