#pragma once

#include <string>

namespace eventsubd {

/// Raises the soft limit on open file descriptors to the hard limit (the default soft
/// limit of 1024 is far below MAX_CONNECTIONS' default of 10,000), and reports the
/// result: an info line, or a warning when the limit still cannot hold `max_connections`
/// plus what the server needs for itself (Redis, Twitch, logs).
void raise_fd_limit(int max_connections);

}  // namespace eventsubd
