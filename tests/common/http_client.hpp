#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace eventsubd::testing {

struct http_reply {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lowercased
  std::string body;
  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string{} : it->second;
  }
};

using header_map = std::map<std::string, std::string>;

/// A blocking HTTP/1.1 client on one loopback connection (keep-alive), with a receive
/// timeout so a test can never hang. Also sends raw bytes for protocol-level tests.
class http_client {
 public:
  explicit http_client(uint16_t port,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~http_client();

  http_reply request(const std::string& method, const std::string& target,
                     const std::string& body = {}, const header_map& headers = {});

  void send_raw(std::string_view bytes);
  /// Reads one response; throws std::runtime_error on EOF, timeout or a parse error.
  http_reply read_reply();
  /// True when the server closed the connection (EOF or reset) within `timeout`.
  bool peer_closed(std::chrono::milliseconds timeout = std::chrono::seconds(5));

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// One request on a fresh connection.
http_reply http_once(uint16_t port, const std::string& method, const std::string& target,
                     const std::string& body = {}, const header_map& headers = {});

/// Headers of a correctly signed EventSub delivery.
header_map eventsub_headers(const std::string& secret, const std::string& body,
                            const std::string& type, const std::string& message_id,
                            const std::string& timestamp);

/// RFC 3339 UTC timestamp `offset` from now, with nanoseconds (as Twitch sends).
std::string twitch_timestamp(std::chrono::seconds offset = std::chrono::seconds(0));

/// A unique message id.
std::string unique_id();

}  // namespace eventsubd::testing

namespace eventsubd::testing {

/// A loopback TCP port that was free a moment ago (for a callback URL that must be known
/// before the server starts).
uint16_t free_port();

}  // namespace eventsubd::testing
