#include "core/log_limiter.hpp"

#include "core/logging.hpp"

namespace eventsubd {

bool log_limiter::allow(const char* logger) {
  int64_t left_out = 0;
  bool allowed = false;
  {
    std::lock_guard<std::mutex> g{mutex_};
    auto now = clock::now();
    if (now - window_start_ >= window_) {
      window_start_ = now;
      in_window_ = 0;
      left_out = suppressed_.exchange(0, std::memory_order_relaxed);
    }
    allowed = in_window_ < burst_;
    if (allowed)
      ++in_window_;
    else
      suppressed_.fetch_add(1, std::memory_order_relaxed);
  }
  if (left_out > 0)
    log_for(logger)->warn("{}: {} more in the last {} s, not logged one by one", what_,
                          left_out, window_.count());
  return allowed;
}

}  // namespace eventsubd
