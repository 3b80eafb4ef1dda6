#pragma once

#include "core/config.hpp"

namespace eventsubd {

/// The composition root: builds the actor graph and the HTTP server from a validated
/// configuration, serves until SIGINT/SIGTERM, then shuts everything down in order.
/// Returns the process exit code.
int run_application(const config& cfg);

}  // namespace eventsubd
