#pragma once

#include "core/result.hpp"

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

namespace eventsubd::twitch {

/// The one app access token of the process, shared by every helix_client (every worker
/// thread). Thread-safe, and single-flight: while one thread fetches, the others wait
/// for that fetch and take its outcome, so N workers never fetch N tokens.
class app_token {
 public:
  /// Fetches a token (`POST /oauth2/token`), on the calling thread.
  using fetch_fn = std::function<result<std::string>()>;
  using cancel_fn = std::function<bool()>;

  /// The token now; empty when there is none.
  std::string current() const;

  /// The current token; fetches one only if there is none.
  result<std::string> obtain(const fetch_fn& fetch, const cancel_fn& cancelled = {});

  /// Helix rejected `rejected` (401): fetches a new one only if `rejected` is still the
  /// current token, else returns the current one (another thread replaced it already).
  /// When that fetch fails, the rejected token is dropped all the same.
  result<std::string> replace(const std::string& rejected, const fetch_fn& fetch,
                              const cancel_fn& cancelled = {});

  /// Tokens fetched successfully so far (for tests and logs).
  int64_t fetched() const;

 private:
  result<std::string> acquire(const std::optional<std::string>& rejected,
                              const fetch_fn& fetch, const cancel_fn& cancelled);

  mutable std::mutex m_;
  std::condition_variable done_;
  std::string token_;
  bool fetching_ = false;
  uint64_t generation_ = 0;               // fetches finished
  std::optional<error_info> last_error_;  // of the last fetch, if it failed
  int64_t fetched_ = 0;
};

}  // namespace eventsubd::twitch
