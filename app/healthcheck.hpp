#pragma once

#include "core/config.hpp"

#include <chrono>
#include <string>

namespace eventsubd {

/// What a probe of `/health` found: healthy only on a 200; `line` says why either way.
struct health_probe {
  bool healthy = false;
  std::string line;
};

/// The address to probe for a listen address: a wildcard (0.0.0.0, ::) means "every
/// interface of this machine", so its loopback counterpart; anything else as it is.
std::string probe_host(const std::string& listen_host);

/// GET http://HOST:PORT/health of the server `cfg` describes, everything (resolving,
/// connecting, sending, reading) within `timeout`. With PORT=0 the bound port is read
/// from PORT_FILE.
health_probe probe_health(const config& cfg,
                          std::chrono::milliseconds timeout = std::chrono::seconds(3));

/// `eventsubd --healthcheck`: probes, prints the one-line verdict, and returns the exit
/// code, 0 when healthy and 1 otherwise (Docker's HEALTHCHECK reserves 2).
int run_healthcheck(const config& cfg);

}  // namespace eventsubd
