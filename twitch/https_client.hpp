#pragma once

#include "twitch/base_url.hpp"
#include "twitch/dns_resolver.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace eventsubd::twitch {

/// The outcome of one HTTP exchange. `status` 0 means no answer (see `error`).
struct http_result {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names lowercased
  std::string error;                           // transport error when status == 0
  bool timed_out = false;
  bool cancelled = false;  // given up because `cancelled()` turned true ("cancelled")

  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string{} : it->second;
  }
};

/// A small blocking HTTP/1.1 client for Twitch: HTTPS with certificate and host name
/// verification against the system CA store (and SNI), plain HTTP only when a base URL
/// says so, one kept-alive connection per origin, and a timeout on every step, name
/// resolution included (see dns_resolver). Blocking: use it only from a thread of its
/// own (a detached actor, a worker).
///
/// Cancellable: every step runs in slices of 50 ms and checks `cancelled` in between;
/// when it turns true the connection is closed and the request returns at once.
class https_client {
 public:
  /// `cancelled` may be empty; `resolver` null: dns_resolver::system().
  explicit https_client(std::chrono::milliseconds timeout = std::chrono::seconds(10),
                        std::function<bool()> cancelled = {},
                        std::shared_ptr<dns_resolver> resolver = nullptr);
  ~https_client();
  https_client(const https_client&) = delete;
  https_client& operator=(const https_client&) = delete;

  /// Sends `method` to `base.path + target` (target includes any query string).
  http_result request(const base_url& base, const std::string& method,
                      const std::string& target,
                      const std::vector<std::pair<std::string, std::string>>& headers,
                      const std::string& body = {}, const std::string& content_type = {});

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace eventsubd::twitch
