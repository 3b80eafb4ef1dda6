#include "actors/go_live_logger.hpp"

#include "core/logging.hpp"

#include <caf/all.hpp>

namespace eventsubd {

stream_listener_actor::behavior_type go_live_logger_fn(stream_listener_actor::pointer) {
  auto log = log_for("actors");
  return {
      [=](const stream_change& change) {
        const auto& name =
            change.display_name.empty() ? change.login : change.display_name;
        switch (change.kind) {
          // Each case in braces: see the note in twitch/webhook_gate.cpp (clang 14).
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

}  // namespace eventsubd
