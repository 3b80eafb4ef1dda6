#pragma once

#include "http/auth.hpp"
#include "http/responses.hpp"
#include "http/routes.hpp"
#include "http/service.hpp"

#include <functional>

namespace eventsubd::http {

using respond_fn = std::function<void(response)>;

/// What the API key does not guard even when it is required.
struct access_rules {
  bool metrics_public = false;  // METRICS_PUBLIC: `/metrics` (access::metrics_key)
  bool public_reads = false;    // PUBLIC_READS: every access::read route
};
/// Runs a task on the connection's own thread (its strand): at once when called there.
using connection_hop = std::function<void(std::function<void()>)>;

/// Maps a request to its endpoint's handler (http/routes): routing (404/405 with
/// `Allow`), the API key (401), then the handler, which validates the path and query
/// (400/422) and makes one `service` call. Knows nothing of actors or storage.
class router {
 public:
  router(service& svc, api_key_guard guard, access_rules rules = {})
      : service_(svc), guard_(std::move(guard)), rules_(rules) {}

  /// Answers through `respond` exactly once. With `hop`, the answer is built and given
  /// to `respond` on the connection's thread (a service may reply from an actor
  /// thread, which then only hands the result over); without, on the replying thread.
  /// `gone` is set by the connection when its client goes away before the answer, once
  /// `watch_client` has been called (by a handler whose answer may wait on Twitch).
  void route(request&& req, respond_fn respond, connection_hop hop = {},
             abandoned_flag gone = {}, const std::function<void()>& watch_client = {});

 private:
  bool allows(const endpoint& row, const request& req) const;

  service& service_;
  api_key_guard guard_;
  access_rules rules_;
};

}  // namespace eventsubd::http
