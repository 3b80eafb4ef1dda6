#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace eventsubd {

/// What went wrong, independent of the transport. `http/` maps each to a status code
/// (one table, http/status_map.cpp); actors and storage only ever speak in these.
enum class errc {
  ok = 0,
  bad_request,        // malformed input (400)
  unauthorized,       // missing/wrong API key (401)
  forbidden,          // bad webhook signature or timestamp (403)
  not_found,          // no such streamer / route (404)
  conflict,           // state conflict (409)
  payload_too_large,  // body over the limit (413)
  unprocessable,      // well-formed but invalid parameter (422)
  too_many_requests,  // a client's rate limit is spent (429)
  unavailable,        // a dependency or feature is not available (503)
  upstream_error,     // Twitch answered with an error (502)
  upstream_timeout,   // Twitch did not answer in time (504)
  internal,           // our bug (500)
};

/// Short stable name of an error code, for logs and metrics.
std::string_view to_string(errc code);

/// Shared, immutable response body. Cached bodies are handed out without copying.
using body_ptr = std::shared_ptr<const std::string>;

inline body_ptr make_body(std::string text) {
  return std::make_shared<const std::string>(std::move(text));
}

/// How a body is to be labelled on the wire (its Content-Type).
enum class body_kind { json, text, html, css, javascript, png, prometheus };

/// The answer to one request crossing from the actors to the HTTP layer: either a body
/// (with its kind) or an error code with a human-readable detail.
struct query_result {
  errc code = errc::ok;
  std::string detail;
  body_ptr body;
  body_kind kind = body_kind::json;
  /// > 0 on a 429 or 503 worth retrying: sent as `Retry-After` (seconds).
  std::chrono::seconds retry_after{0};

  static query_result success(body_ptr b, body_kind k = body_kind::json) {
    return {errc::ok, {}, std::move(b), k, {}};
  }
  static query_result failure(errc c, std::string why,
                              std::chrono::seconds retry_after = {}) {
    return {c, std::move(why), {}, body_kind::json, retry_after};
  }
  bool ok() const { return code == errc::ok; }
};

/// A reply channel that is answered exactly once. If every copy is destroyed without an
/// answer (for example because the actor holding it died or dropped the message), it
/// answers `unavailable` itself, so an HTTP client never waits for a reply that will not
/// come. Copies share one state; the first `operator()` wins.
class reply_once {
 public:
  using function_type = std::function<void(query_result)>;

  reply_once() = default;
  explicit reply_once(function_type fn)
      : state_(std::make_shared<state>(std::move(fn))) {}

  void operator()(query_result result) const {
    if (state_) state_->deliver(std::move(result));
  }
  explicit operator bool() const { return state_ != nullptr; }

 private:
  struct state {
    explicit state(function_type f) : fn(std::move(f)) {}
    ~state() {
      if (!done.exchange(true) && fn)
        fn(query_result::failure(errc::unavailable,
                                 "Service is shutting down or overloaded"));
    }
    void deliver(query_result r) {
      if (done.exchange(true) || !fn) return;
      fn(std::move(r));
    }
    std::atomic<bool> done{false};
    function_type fn;
  };
  std::shared_ptr<state> state_;
};

}  // namespace eventsubd
