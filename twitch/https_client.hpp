#pragma once

#include "twitch/base_url.hpp"

#include <chrono>
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

  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string{} : it->second;
  }
};

/// A small blocking HTTP/1.1 client for Twitch: HTTPS with certificate and host name
/// verification against the system CA store (and SNI), plain HTTP only when a base URL
/// says so, one kept-alive connection per origin, and a timeout on every step. Blocking:
/// use it only from a detached actor's own thread.
class https_client {
 public:
  explicit https_client(std::chrono::milliseconds timeout = std::chrono::seconds(10));
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
