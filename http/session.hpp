#pragma once

#include "http/limits.hpp"
#include "http/responses.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

namespace eventsubd::http {

class server;

/// Each connection's strand, spelled out rather than type-erased: `any_io_executor` cost
/// several per cent of a status read (copying and querying the erased executor on every
/// operation).
using strand_executor = boost::asio::strand<boost::asio::io_context::executor_type>;
using stream_socket =
    boost::asio::basic_stream_socket<boost::asio::ip::tcp, strand_executor>;

/// One HTTP/1.1 connection on its own strand: read a request (header first, for
/// `Expect: 100-continue` and early limit checks), hand it to the router, write the
/// reply, repeat while keep-alive. Pipelined requests are answered in order, one at a
/// time. Errors get a JSON answer and a closed connection; nothing here blocks.
class session : public std::enable_shared_from_this<session> {
 public:
  session(stream_socket&& socket, std::shared_ptr<server> owner);
  ~session();

  void start();

  /// Shutdown: an idle connection closes now; a busy one after its current response.
  void stop();

 private:
  enum class phase { idle, reading, processing, writing, closing };
  static constexpr std::size_t read_reserve = 2048;  // see read_request

  void read_request();
  void on_header(boost::beast::error_code ec);
  void read_body();
  void on_body(boost::beast::error_code ec);
  void on_read_error(boost::beast::error_code ec);
  void watch_for_hangup();
  bool peer_hung_up();     // the client closed its side (peeked, nothing consumed)
  void abandon_request();  // mark the request in flight abandoned and close
  void send(response res);
  void on_write(boost::beast::error_code ec);
  void close_gracefully();
  void drain();
  void close_socket();

  // Deadlines. Setting one is a store; the one timer is re-armed only when it fires
  // early or a nearer deadline comes. (Arming a timer per read and per write, as
  // beast::basic_stream does, cost a timer-queue update and often a timerfd syscall per
  // operation.) When a deadline passes the socket is closed, so the pending operation
  // fails and the connection ends as it would on any I/O error.
  using clock = std::chrono::steady_clock;
  void expires_after(clock::duration d);
  void expires_never() { deadline_ = clock::time_point::max(); }
  void arm_timer();
  void on_timer(boost::beast::error_code ec, std::uint64_t generation);

  stream_socket socket_;
  boost::asio::basic_waitable_timer<clock, boost::asio::wait_traits<clock>,
                                    strand_executor>
      timer_;
  clock::time_point deadline_ = clock::time_point::max();
  clock::time_point armed_for_ = clock::time_point::max();  // the pending wait's expiry
  bool timer_pending_ = false;
  std::uint64_t timer_generation_ = 0;  // a superseded wait's handler does nothing
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>>
      parser_;
  std::optional<response> response_;
  std::shared_ptr<server> owner_;
  const server_limits& limits_;
  phase phase_ = phase::idle;
  std::uint64_t served_ = 0;  // requests read on this connection
  bool close_after_write_ = false;
  /// The request being processed; set when its client hangs up before the answer.
  std::shared_ptr<std::atomic<bool>> gone_;
  bool stopping_ = false;
};

}  // namespace eventsubd::http
