#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace eventsubd {

/// Keeps a flood of one kind of warning out of the log: the first `burst` per window
/// are logged, the rest only counted; the next allowed line (or `flush`) reports how
/// many were left out. Thread-safe (the HTTP threads share one).
class log_limiter {
 public:
  explicit log_limiter(std::string what, int burst = 5,
                       std::chrono::seconds window = std::chrono::seconds(60))
      : what_(std::move(what)), burst_(burst), window_(window) {}

  /// True when this occurrence may be logged. Before it, a summary of the occurrences
  /// left out in the last window is logged (at warning level, by `logger`).
  bool allow(const char* logger);

  /// Occurrences left out so far in the current window.
  int64_t suppressed() const { return suppressed_.load(std::memory_order_relaxed); }

 private:
  using clock = std::chrono::steady_clock;
  std::string what_;
  int burst_;
  std::chrono::seconds window_;
  std::mutex mutex_;
  clock::time_point window_start_{};
  int in_window_ = 0;
  std::atomic<int64_t> suppressed_{0};
};

}  // namespace eventsubd
