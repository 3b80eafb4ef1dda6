#pragma once

#include "core/config.hpp"

#include <vector>

namespace eventsubd {

namespace ext {
struct extension_info;
}

/// The composition root: builds the actor graph and the HTTP server from a validated
/// configuration, serves until SIGINT/SIGTERM, then shuts everything down in order.
/// `available`: the extensions built in (EXTENSIONS picks among them; names already
/// checked). Returns the process exit code.
int run_application(const config& cfg, const std::vector<ext::extension_info>& available);

}  // namespace eventsubd
