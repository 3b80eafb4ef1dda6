#include "twitch/https_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/err.h>

#include <chrono>
#include <utility>

namespace eventsubd::twitch {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace bh = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

/// One kept-alive connection, plain or TLS.
struct connection {
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;

  bool open() const { return plain || tls; }
  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
  void close() {
    beast::error_code ignored;
    if (open()) lowest().socket().close(ignored);
    plain.reset();
    tls.reset();
    buffer.clear();
  }
};

}  // namespace

struct https_client::impl {
  std::chrono::milliseconds timeout;
  std::function<bool()> cancelled;
  std::shared_ptr<dns_resolver> resolver;
  net::io_context ioc;
  ssl::context ssl_ctx{ssl::context::tls_client};
  std::map<std::string, connection> connections;
  std::string detail;  // why the last step failed, when its error code cannot say

  bool is_cancelled() const { return cancelled && cancelled(); }

  /// Runs the queued asynchronous step until it completes (the stream timeouts bound
  /// it), in slices so a cancellation is seen within one: then the socket is closed,
  /// the aborted handlers drained, and operation_aborted returned.
  beast::error_code run(connection& c) {
    ioc.restart();
    for (;;) {
      ioc.run_for(std::chrono::milliseconds(50));
      if (ioc.stopped()) return {};
      if (is_cancelled()) {
        beast::error_code ignored;
        c.lowest().socket().close(ignored);
        ioc.run();
        return net::error::operation_aborted;
      }
    }
  }

  beast::error_code connect(connection& c, const base_url& base) {
    auto endpoints = resolver->resolve(
        base.host, base.port, std::chrono::steady_clock::now() + timeout, cancelled);
    if (!endpoints) {
      if (is_cancelled()) return net::error::operation_aborted;
      if (endpoints.error().code == errc::upstream_timeout) return beast::error::timeout;
      detail = endpoints.error().detail;
      return net::error::host_not_found;
    }
    if (base.tls) {
      c.tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(ioc, ssl_ctx);
      if (!SSL_set_tlsext_host_name(c.tls->native_handle(), base.host.c_str()))
        return beast::error_code(static_cast<int>(::ERR_get_error()),
                                 net::error::get_ssl_category());
      c.tls->set_verify_callback(ssl::host_name_verification(base.host));
    } else {
      c.plain = std::make_unique<beast::tcp_stream>(ioc);
    }
    beast::error_code ec;
    c.lowest().expires_after(timeout);
    c.lowest().async_connect(*endpoints,
                             [&](beast::error_code e, const tcp::endpoint&) { ec = e; });
    if (auto e = run(c)) return e;
    if (ec || !base.tls) return ec;
    c.lowest().expires_after(timeout);
    c.tls->async_handshake(ssl::stream_base::client,
                           [&](beast::error_code e) { ec = e; });
    if (auto e = run(c)) return e;
    return ec;
  }

  template <class Stream>
  beast::error_code exchange(Stream& stream, connection& c,
                             bh::request<bh::string_body>& req,
                             bh::response_parser<bh::string_body>& parser) {
    beast::error_code ec;
    c.lowest().expires_after(timeout);
    bh::async_write(stream, req, [&](beast::error_code e, std::size_t) { ec = e; });
    if (auto e = run(c)) return e;
    if (ec) return ec;
    c.lowest().expires_after(timeout);
    bh::async_read(stream, c.buffer, parser,
                   [&](beast::error_code e, std::size_t) { ec = e; });
    if (auto e = run(c)) return e;
    return ec;
  }
};

https_client::https_client(std::chrono::milliseconds timeout,
                           std::function<bool()> cancelled,
                           std::shared_ptr<dns_resolver> resolver)
    : impl_(std::make_unique<impl>()) {
  impl_->timeout = timeout;
  impl_->cancelled = std::move(cancelled);
  impl_->resolver = resolver ? std::move(resolver) : dns_resolver::system();
  impl_->ssl_ctx.set_default_verify_paths();
  impl_->ssl_ctx.set_verify_mode(ssl::verify_peer);
}

https_client::~https_client() {
  for (auto& [_, c] : impl_->connections) c.close();
}

http_result https_client::request(
    const base_url& base, const std::string& method, const std::string& target,
    const std::vector<std::pair<std::string, std::string>>& headers,
    const std::string& body, const std::string& content_type) {
  http_result out;
  if (impl_->is_cancelled()) {
    out.error = "cancelled";
    out.cancelled = true;
    return out;
  }
  bh::request<bh::string_body> req{bh::string_to_verb(method), base.path + target, 11};
  req.set(bh::field::host, base.host);
  req.set(bh::field::user_agent, "eventsubd");
  req.set(bh::field::accept, "application/json");
  for (const auto& [k, v] : headers) req.set(k, v);
  if (!content_type.empty()) req.set(bh::field::content_type, content_type);
  req.body() = body;
  req.keep_alive(true);
  req.prepare_payload();

  auto& c = impl_->connections[base.origin()];
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool reused = c.open();
    beast::error_code ec;
    impl_->detail.clear();
    if (!reused) ec = impl_->connect(c, base);
    bh::response_parser<bh::string_body> parser;
    parser.body_limit(std::uint64_t{16} * 1024 * 1024);
    if (!ec) {
      ec = c.tls ? impl_->exchange(*c.tls, c, req, parser)
                 : impl_->exchange(*c.plain, c, req, parser);
    }
    if (ec) {
      c.close();
      const bool cancelled = ec == net::error::operation_aborted && impl_->is_cancelled();
      // A kept-alive connection the server has closed meanwhile: try once on a new one.
      if (reused && ec != beast::error::timeout && !cancelled) continue;
      out.error = cancelled               ? "cancelled"
                  : impl_->detail.empty() ? ec.message()
                                          : impl_->detail;
      out.timed_out = ec == beast::error::timeout;
      out.cancelled = cancelled;
      return out;
    }
    auto& res = parser.get();
    out.status = static_cast<int>(res.result_int());
    for (const auto& field : res) {
      std::string name(field.name_string());
      for (auto& ch : name)
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      out.headers[name] = std::string(field.value());
    }
    out.body = std::move(res.body());
    if (!res.keep_alive()) c.close();
    return out;
  }
  out.error = "connection closed";
  return out;
}

}  // namespace eventsubd::twitch
