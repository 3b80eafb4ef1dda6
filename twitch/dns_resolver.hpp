#pragma once

#include "core/result.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace eventsubd::twitch {

using tcp_endpoints = std::vector<boost::asio::ip::tcp::endpoint>;

/// Name resolution with a deadline. The system resolver (getaddrinfo) cannot be
/// cancelled, and Asio's async_resolve only runs it on a private thread that its
/// cancel() does not stop, so a stuck resolver used to hold a Twitch client for as long
/// as it liked. Here each lookup runs on a helper thread of its own whose answer lives
/// in shared state: callers wait for it until their deadline and then return without
/// it (the thread finishes later and drops its answer). While a lookup of a host is
/// still running, callers for that host wait for it instead of starting another, so
/// stuck threads cannot pile up. IP literals are never looked up. Thread-safe.
class dns_resolver {
 public:
  /// A blocking lookup of host:port (runs on the helper thread).
  using lookup_fn =
      std::function<result<tcp_endpoints>(const std::string& host, uint16_t port)>;

  /// `lookup` empty: the system resolver.
  explicit dns_resolver(lookup_fn lookup = {});

  /// The process-wide one that https_clients use unless given another.
  static std::shared_ptr<dns_resolver> system();

  /// The endpoints of host:port; errc::upstream_timeout when `deadline` passed first,
  /// errc::unavailable when the lookup failed or `cancelled` (may be empty; polled
  /// every 50 ms) turned true (detail "cancelled").
  result<tcp_endpoints> resolve(const std::string& host, uint16_t port,
                                std::chrono::steady_clock::time_point deadline,
                                const std::function<bool()>& cancelled = {}) const;

  /// Lookups still running, stuck ones included.
  size_t running() const;

 private:
  struct state;
  std::shared_ptr<state> state_;
};

}  // namespace eventsubd::twitch
