#include "http/server.hpp"

#include "core/logging.hpp"
#include "core/metrics.hpp"
#include "http/session.hpp"

#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>

namespace eventsubd::http {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

server::server(net::io_context& ioc, router& r, server_limits limits)
    : ioc_(ioc),
      acceptor_(net::make_strand(ioc)),
      accept_retry_timer_(acceptor_.get_executor()),
      shutdown_timer_(ioc),
      router_(r),
      limits_(limits) {}

std::string server::listen(const std::string& host, uint16_t port) {
  beast::error_code ec;
  auto address = net::ip::make_address(host, ec);
  if (ec) return "HOST '" + host + "' is not an IP address: " + ec.message();
  tcp::endpoint endpoint{address, port};
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    return "cannot listen on " + host + ":" + std::to_string(port) +
           " (HOST/PORT): " + ec.message();
  port_ = acceptor_.local_endpoint().port();
  accept();
  return {};
}

void server::accept() {
  acceptor_.async_accept(
      net::make_strand(ioc_),
      [self = shared_from_this()](beast::error_code ec, stream_socket socket) {
        self->on_accept(ec, std::move(socket));
      });
}

void server::on_accept(beast::error_code ec, stream_socket socket) {
  if (stopping_) return;
  if (ec) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    retry_accept_later(ec);
    return;
  }
  if (connection_count() >= static_cast<size_t>(limits_.max_connections)) {
    // Over the cap: a short 503 on the fresh socket (its send buffer is empty, so a
    // non-blocking write completes at once), then close.
    static const std::string refusal =
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
        "Connection: close\r\nContent-Length: 44\r\n\r\n"
        "{\"detail\":\"Too many connections; try again\"}";
    metrics::http_connection_refused();
    beast::error_code ignored;
    socket.non_blocking(true, ignored);
    socket.write_some(net::buffer(refusal), ignored);
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  } else {
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    std::make_shared<session>(std::move(socket), shared_from_this())->start();
  }
  accept();
}

void server::retry_accept_later(beast::error_code ec) {
  constexpr auto pause = std::chrono::milliseconds(50);
  constexpr auto log_every = std::chrono::seconds(10);
  auto now = std::chrono::steady_clock::now();
  ++accept_failures_unlogged_;
  metrics::http_accept_failed();
  if (now - accept_failure_logged_ >= log_every) {
    log_for("http")->warn(
        "accept failed ({} time(s) since the last report): {}; retrying every {} ms "
        "(raise the file descriptor limit or lower MAX_CONNECTIONS)",
        accept_failures_unlogged_, ec.message(), pause.count());
    accept_failures_unlogged_ = 0;
    accept_failure_logged_ = now;
  }
  accept_retry_timer_.expires_after(pause);
  accept_retry_timer_.async_wait([self = shared_from_this()](beast::error_code e) {
    if (!e && !self->stopping_) self->accept();
  });
}

void server::shutdown(std::chrono::milliseconds grace, std::function<void()> done) {
  net::post(acceptor_.get_executor(),
            [self = shared_from_this(), grace, done = std::move(done)] {
              if (self->stopping_.exchange(true)) return;
              beast::error_code ignored;
              self->acceptor_.close(ignored);
              self->accept_retry_timer_.cancel();
              std::vector<std::shared_ptr<session>> open;
              {
                std::lock_guard<std::mutex> guard{self->mutex_};
                for (auto& [_, weak] : self->sessions_)
                  if (auto s = weak.lock()) open.push_back(std::move(s));
              }
              for (auto& s : open) s->stop();
              self->wait_for_sessions(std::chrono::steady_clock::now() + grace, done);
            });
}

void server::wait_for_sessions(std::chrono::steady_clock::time_point deadline,
                               const std::function<void()>& done) {
  if (connection_count() == 0 || std::chrono::steady_clock::now() >= deadline) {
    if (auto left = connection_count())
      log_for("http")->warn(
          "shutdown: {} connection(s) still open after the grace period", left);
    return done();
  }
  shutdown_timer_.expires_after(std::chrono::milliseconds(20));
  shutdown_timer_.async_wait(
      [self = shared_from_this(), deadline, done](beast::error_code) {
        self->wait_for_sessions(deadline, done);
      });
}

size_t server::connection_count() const {
  std::lock_guard<std::mutex> guard{mutex_};
  return sessions_.size();
}

void server::register_session(session* s, std::weak_ptr<session> w) {
  std::lock_guard<std::mutex> guard{mutex_};
  sessions_.emplace(s, std::move(w));
  metrics::http_connections_open(static_cast<int64_t>(sessions_.size()));
}

void server::unregister_session(session* s) {
  std::lock_guard<std::mutex> guard{mutex_};
  sessions_.erase(s);
  metrics::http_connections_open(static_cast<int64_t>(sessions_.size()));
}

}  // namespace eventsubd::http
