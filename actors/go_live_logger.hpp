#pragma once

#include "actors/interfaces.hpp"

namespace eventsubd {

/// Example extension: logs every go-live and stream end, e.g.
/// `Stream online: Shroud (shroud)`. Copy this pair of files to write your own listener.
stream_listener_actor::behavior_type go_live_logger_fn(
    stream_listener_actor::pointer self);

}  // namespace eventsubd
