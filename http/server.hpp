#pragma once

#include "http/limits.hpp"
#include "http/router.hpp"
#include "http/session.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace eventsubd::http {

class session;

/// The listener and the registry of open connections. Accepts on its own strand,
/// refuses connections beyond `max_connections` with a 503, and shuts down gracefully.
class server : public std::enable_shared_from_this<server> {
 public:
  server(boost::asio::io_context& ioc, router& r, server_limits limits);

  /// Binds and starts accepting. Returns an error message (naming HOST/PORT) or empty.
  std::string listen(const std::string& host, uint16_t port);

  /// The bound port (useful with port 0).
  uint16_t port() const { return port_; }

  /// Stops accepting and closes idle connections; busy ones close after their response.
  /// Calls `done` (on an I/O thread) once every connection is closed or `grace` passed.
  void shutdown(std::chrono::milliseconds grace, std::function<void()> done);

  size_t connection_count() const;
  bool stopping() const { return stopping_.load(); }
  router& routes() { return router_; }
  const server_limits& limits() const { return limits_; }

  // Called by sessions.
  void register_session(session* s, std::weak_ptr<session> w);
  void unregister_session(session* s);

 private:
  void accept();
  void on_accept(boost::beast::error_code ec, stream_socket socket);
  void retry_accept_later(boost::beast::error_code ec);
  void wait_for_sessions(std::chrono::steady_clock::time_point deadline,
                         const std::function<void()>& done);

  boost::asio::io_context& ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  // Accept failures (EMFILE, ENFILE, ENOBUFS) repeat until a descriptor frees up: wait a
  // little before the next try instead of spinning, and log them at most every 10 s.
  boost::asio::steady_timer accept_retry_timer_;
  uint64_t accept_failures_unlogged_ = 0;
  std::chrono::steady_clock::time_point accept_failure_logged_{};
  boost::asio::steady_timer shutdown_timer_;
  router& router_;
  server_limits limits_;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::unordered_map<session*, std::weak_ptr<session>> sessions_;
};

}  // namespace eventsubd::http
