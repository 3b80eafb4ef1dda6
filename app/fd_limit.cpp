#include "app/fd_limit.hpp"

#include "core/logging.hpp"

#include <cerrno>
#include <sys/resource.h>
#include <system_error>

namespace eventsubd {

void raise_fd_limit(int max_connections) {
  auto log = log_for("app");
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    log->warn("cannot read the file descriptor limit: {}",
              std::generic_category().message(errno));
    return;
  }
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
      limit = raised;
    else
      log->warn("cannot raise the file descriptor limit to {}: {}", limit.rlim_max,
                std::generic_category().message(errno));
  }
  // Descriptors beyond the connections: listener, Redis, Twitch clients, log, epoll.
  constexpr rlim_t reserve = 64;
  const auto needed = static_cast<rlim_t>(max_connections) + reserve;
  if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= needed)
    log->info("file descriptor limit {} (MAX_CONNECTIONS={})",
              limit.rlim_cur == RLIM_INFINITY ? std::string("unlimited")
                                              : std::to_string(limit.rlim_cur),
              max_connections);
  else
    log->warn(
        "file descriptor limit {} is below MAX_CONNECTIONS={} + {}: connections beyond "
        "it wait in the kernel's queue; raise the limit (ulimit -n, LimitNOFILE=) or "
        "lower MAX_CONNECTIONS",
        limit.rlim_cur, max_connections, reserve);
}

}  // namespace eventsubd
