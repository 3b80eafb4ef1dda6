#include "tests/common/http_client.hpp"

#include "core/time.hpp"
#include "twitch/signature.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <random>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/time.h>

namespace eventsubd::testing {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bh = boost::beast::http;

struct http_client::impl {
  net::io_context ioc;
  net::ip::tcp::socket socket{ioc};
  beast::flat_buffer buffer;
};

http_client::http_client(uint16_t port, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<impl>()) {
  impl_->socket.connect({net::ip::make_address("127.0.0.1"), port});
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  setsockopt(impl_->socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(impl_->socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

http_client::~http_client() = default;

http_reply http_client::request(const std::string& method, const std::string& target,
                                const std::string& body, const header_map& headers) {
  bh::request<bh::string_body> req{bh::string_to_verb(method), target, 11};
  req.set(bh::field::host, "127.0.0.1");
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  if (!body.empty() || method == "POST" || method == "PUT") req.prepare_payload();
  bh::write(impl_->socket, req);
  return read_reply();
}

void http_client::send_raw(std::string_view bytes) {
  net::write(impl_->socket, net::buffer(bytes.data(), bytes.size()));
}

http_reply http_client::read_reply() {
  bh::response_parser<bh::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  beast::error_code ec;
  bh::read(impl_->socket, impl_->buffer, parser, ec);
  if (ec) throw std::runtime_error("reading the response failed: " + ec.message());
  auto& res = parser.get();
  http_reply out;
  out.status = static_cast<int>(res.result_int());
  for (const auto& field : res) {
    std::string name(field.name_string());
    for (auto& c : name)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[name] = std::string(field.value());
  }
  out.body = std::move(res.body());
  return out;
}

bool http_client::peer_closed(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char scratch[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    if (impl_->buffer.size() > 0) impl_->buffer.consume(impl_->buffer.size());
    beast::error_code ec;
    impl_->socket.read_some(net::buffer(scratch), ec);
    if (ec == net::error::eof || ec == net::error::connection_reset) return true;
    if (ec && ec != net::error::would_block && ec != net::error::try_again) return false;
  }
  return false;
}

http_reply http_once(uint16_t port, const std::string& method, const std::string& target,
                     const std::string& body, const header_map& headers) {
  http_client client(port);
  return client.request(method, target, body, headers);
}

header_map eventsub_headers(const std::string& secret, const std::string& body,
                            const std::string& type, const std::string& message_id,
                            const std::string& timestamp) {
  twitch::signature_verifier signer(secret);
  return {{"Twitch-Eventsub-Message-Id", message_id},
          {"Twitch-Eventsub-Message-Timestamp", timestamp},
          {"Twitch-Eventsub-Message-Signature", signer.sign(message_id, timestamp, body)},
          {"Twitch-Eventsub-Message-Type", type},
          {"Twitch-Eventsub-Message-Retry", "0"},
          {"Twitch-Eventsub-Subscription-Type", "stream.online"},
          {"Twitch-Eventsub-Subscription-Version", "1"},
          {"Content-Type", "application/json"}};
}

std::string twitch_timestamp(std::chrono::seconds offset) {
  auto t = now() + offset;
  auto text = format_rfc3339(t);  // microseconds, +00:00
  // Twitch's form: nanoseconds and Z.
  return text.substr(0, 26) + "789Z";
}

std::string unique_id() {
  static std::atomic<uint64_t> counter{0};
  static const uint64_t salt = std::random_device{}();
  return "msg-" + std::to_string(salt) + "-" + std::to_string(++counter);
}

}  // namespace eventsubd::testing

namespace eventsubd::testing {

uint16_t free_port() {
  net::io_context ioc;
  net::ip::tcp::acceptor acceptor{ioc, {net::ip::make_address("127.0.0.1"), 0}};
  return acceptor.local_endpoint().port();
}

}  // namespace eventsubd::testing
