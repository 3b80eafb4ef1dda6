#include "http/session.hpp"

#include "core/logging.hpp"
#include "core/text.hpp"
#include "http/server.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <cerrno>
#include <sys/socket.h>

namespace eventsubd::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bh = boost::beast::http;

session::session(stream_socket&& socket, std::shared_ptr<server> owner)
    : socket_(std::move(socket)),
      timer_(socket_.get_executor()),
      owner_(std::move(owner)),
      limits_(owner_->limits()) {}

session::~session() {
  owner_->unregister_session(this);
}

void session::start() {
  owner_->register_session(this, weak_from_this());
  net::dispatch(socket_.get_executor(),
                [self = shared_from_this()] { self->read_request(); });
}

void session::stop() {
  net::post(socket_.get_executor(), [self = shared_from_this()] {
    self->stopping_ = true;
    bool idle = self->phase_ == phase::reading && self->buffer_.size() == 0 &&
                (!self->parser_ || !self->parser_->got_some());
    if (idle) {
      beast::error_code ec;
      self->socket_.shutdown(net::ip::tcp::socket::shutdown_both, ec);
      self->close_socket();
    }
  });
}

void session::read_request() {
  if (stopping_) return close_gracefully();
  parser_.emplace();
  parser_->body_limit(limits_.body_limit);
  parser_->header_limit(static_cast<std::uint32_t>(limits_.header_limit));
  phase_ = phase::reading;
  expires_after(limits_.header_timeout);
  // Beast reads at most the buffer's free capacity (512 bytes at first), so a ~1 KB
  // webhook took two reads. A connection that has sent a request gets room for a typical
  // one in a single read; a connection that never sent anything keeps an empty buffer.
  if (served_ > 0) buffer_.reserve(buffer_.size() + read_reserve);
  bh::async_read_header(socket_, buffer_, *parser_,
                        [self = shared_from_this()](beast::error_code ec, std::size_t) {
                          self->on_header(ec);
                        });
}

void session::on_header(beast::error_code ec) {
  if (ec) return on_read_error(ec);
  const auto& req = parser_->get();
  auto expect = req.find(bh::field::expect);
  if (expect != req.end() && !parser_->is_done()) {
    if (!iequals(expect->value(), "100-continue"))
      return send(error_response(errc::bad_request, "Unsupported Expect header",
                                 req.version(), false));
    static const std::string continue_line = "HTTP/1.1 100 Continue\r\n\r\n";
    expires_after(limits_.write_timeout);
    return net::async_write(
        socket_, net::buffer(continue_line),
        [self = shared_from_this()](beast::error_code ec, std::size_t) {
          if (ec) return self->close_gracefully();
          self->read_body();
        });
  }
  read_body();
}

void session::read_body() {
  if (parser_->is_done()) return on_body({});
  expires_after(limits_.body_timeout);
  bh::async_read(socket_, buffer_, *parser_,
                 [self = shared_from_this()](beast::error_code ec, std::size_t) {
                   self->on_body(ec);
                 });
}

void session::on_body(beast::error_code ec) {
  if (ec) return on_read_error(ec);
  ++served_;
  phase_ = phase::processing;
  expires_never();
  // A reply made on this strand (a published status, an error) is sent at once; one made
  // on an actor thread is posted to the strand and the response built there.
  auto self = shared_from_this();
  gone_ = std::make_shared<std::atomic<bool>>(false);
  owner_->routes().route(
      parser_->release(), [self](response res) { self->send(std::move(res)); },
      [self](std::function<void()> task) {
        net::dispatch(self->socket_.get_executor(), std::move(task));
      },
      gone_, [self] { self->watch_for_hangup(); });
}

void session::watch_for_hangup() {
  // While a request is processed nothing reads the socket: wait until it becomes
  // readable. End of stream (or an error) means the client is gone: mark the request
  // abandoned, so work queued for it is dropped, and close at once. Bytes mean a
  // pipelined request, read after the answer; the watch ends there.
  socket_.async_wait(net::socket_base::wait_read,
                     [self = shared_from_this(), gone = gone_](beast::error_code ec) {
                       if (ec || self->phase_ != phase::processing || gone != self->gone_)
                         return;
                       if (self->peer_hung_up()) self->abandon_request();
                     });
  // The reactor is edge-triggered: a hang-up that arrived together with the request
  // (send, then close at once) was consumed by the read and never wakes the wait above.
  // Look once now that the wait is queued, so a later hang-up still wakes it.
  if (peer_hung_up()) abandon_request();
}

bool session::peer_hung_up() {
  char byte = 0;
  auto n = ::recv(socket_.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

void session::abandon_request() {
  gone_->store(true);
  log_for("http")->debug("client went away before its answer; closing");
  close_socket();
}

void session::on_read_error(beast::error_code ec) {
  unsigned version = parser_ && parser_->is_header_done() ? parser_->get().version() : 11;
  if (ec != bh::error::end_of_stream && ec != net::error::operation_aborted) {
    beast::error_code ignored;
    auto peer = socket_.remote_endpoint(ignored);
    log_for("http")->debug("connection {}:{}: {}", peer.address().to_string(),
                           peer.port(), ec.message());
  }
  if (ec == bh::error::body_limit)
    return send(error_response(errc::payload_too_large, "Request body exceeds 1 MiB",
                               version, false));
  if (ec == bh::error::header_limit)
    return send(error_response(errc::headers_too_large, "Request headers too large",
                               version, false));
  if (ec == bh::error::end_of_stream || ec == net::error::operation_aborted ||
      ec == net::error::connection_reset || ec == net::error::eof ||
      ec == net::error::bad_descriptor) {
    close_socket();
    return;
  }
  if (ec.category() == bh::make_error_code(bh::error::bad_method).category())
    return send(
        error_response(errc::bad_request, "Malformed HTTP request", version, false));
  close_socket();
}

void session::send(response res) {
  if (gone_ && gone_->load()) return;  // its client hung up: the socket is closed
  gone_.reset();
  if (stopping_ || owner_->stopping()) res.keep_alive(false);
  close_after_write_ = !res.keep_alive();
  response_.emplace(std::move(res));
  phase_ = phase::writing;
  expires_after(limits_.write_timeout);
  bh::async_write(socket_, *response_,
                  [self = shared_from_this()](beast::error_code ec, std::size_t) {
                    self->on_write(ec);
                  });
}

void session::on_write(beast::error_code ec) {
  response_.reset();
  if (ec) {
    close_socket();
    return;
  }
  if (close_after_write_) return close_gracefully();
  read_request();
}

void session::close_gracefully() {
  // Half-close, then read what the peer still sends until it closes, so unread request
  // bytes do not turn our close into a reset that could destroy the answer in flight.
  phase_ = phase::closing;
  beast::error_code ec;
  socket_.shutdown(net::ip::tcp::socket::shutdown_send, ec);
  if (ec) {
    close_socket();
    return;
  }
  expires_after(limits_.drain_timeout);
  drain();
}

void session::drain() {
  // The read buffer is free once the answer is written: what the peer still sends goes
  // there and is thrown away (no buffer of its own, which every idle connection would
  // carry).
  constexpr std::size_t drain_chunk = 4096;
  buffer_.clear();
  socket_.async_read_some(buffer_.prepare(drain_chunk),
                          [self = shared_from_this()](beast::error_code ec, std::size_t) {
                            if (!ec) return self->drain();
                            self->close_socket();
                          });
}

void session::close_socket() {
  beast::error_code ignored;
  socket_.close(ignored);
  timer_.cancel();
}

void session::expires_after(clock::duration d) {
  deadline_ = clock::now() + d;
  arm_timer();
}

void session::arm_timer() {
  if (deadline_ == clock::time_point::max() || !socket_.is_open()) return;
  if (timer_pending_ && armed_for_ <= deadline_) return;  // it fires first, re-arms then
  armed_for_ = deadline_;
  timer_pending_ = true;
  timer_.expires_at(deadline_);  // cancels a pending wait, which then does nothing
  timer_.async_wait([self = shared_from_this(), generation = ++timer_generation_](
                        beast::error_code ec) { self->on_timer(ec, generation); });
}

void session::on_timer(beast::error_code, std::uint64_t generation) {
  if (generation != timer_generation_) return;  // superseded by a nearer deadline
  timer_pending_ = false;
  if (!socket_.is_open() || deadline_ == clock::time_point::max()) return;
  if (clock::now() < deadline_) return arm_timer();  // the deadline moved on meanwhile
  log_for("http")->debug("connection timed out ({})",
                         phase_ == phase::reading ? "reading a request" : "writing");
  close_socket();
}

}  // namespace eventsubd::http
