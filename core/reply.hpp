#pragma once

#include "core/body.hpp"
#include "core/errors.hpp"

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>

// The reply contract between the HTTP layer and the actors: a request crosses into the
// actors as one message carrying a `reply_once`, and comes back as one `query_result`.
namespace eventsubd {

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

/// Set when the requester is gone (its connection closed): work still queued for it can
/// be dropped instead of reaching Twitch.
using abandoned_flag = std::shared_ptr<const std::atomic<bool>>;

/// A reply channel that is answered exactly once. If every copy is destroyed without an
/// answer (for example because the actor holding it died or dropped the message), it
/// answers `unavailable` itself, so an HTTP client never waits for a reply that will not
/// come. Copies share one state; the first `operator()` wins.
class reply_once {
 public:
  using function_type = std::function<void(query_result)>;

  reply_once() = default;
  explicit reply_once(function_type fn, abandoned_flag gone = {})
      : state_(std::make_shared<state>(std::move(fn), std::move(gone))) {}

  void operator()(query_result result) const {
    if (state_) state_->deliver(std::move(result));
  }
  explicit operator bool() const { return state_ != nullptr; }

  /// True once nobody waits for the answer any more (the client went away).
  bool abandoned() const { return state_ && state_->gone && state_->gone->load(); }
  /// The flag `abandoned` reads (null when the requester cannot go away).
  const abandoned_flag& gone() const {
    static const abandoned_flag none;
    return state_ ? state_->gone : none;
  }

 private:
  struct state {
    state(function_type f, abandoned_flag g) : fn(std::move(f)), gone(std::move(g)) {}
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
    abandoned_flag gone;
  };
  std::shared_ptr<state> state_;
};

}  // namespace eventsubd
