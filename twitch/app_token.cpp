#include "twitch/app_token.hpp"

#include <chrono>

namespace eventsubd::twitch {

std::string app_token::current() const {
  std::lock_guard lk(m_);
  return token_;
}

int64_t app_token::fetched() const {
  std::lock_guard lk(m_);
  return fetched_;
}

result<std::string> app_token::obtain(const fetch_fn& fetch, const cancel_fn& cancelled) {
  return acquire(std::nullopt, fetch, cancelled);
}

result<std::string> app_token::replace(const std::string& rejected, const fetch_fn& fetch,
                                       const cancel_fn& cancelled) {
  return acquire(rejected, fetch, cancelled);
}

result<std::string> app_token::acquire(const std::optional<std::string>& rejected,
                                       const fetch_fn& fetch,
                                       const cancel_fn& cancelled) {
  std::unique_lock lk(m_);
  const auto generation = generation_;
  while (fetching_) {
    if (cancelled) {
      lk.unlock();  // a caller's check must never run under our lock
      bool stop = cancelled();
      lk.lock();
      if (stop) return fail(errc::unavailable, "cancelled");
    }
    done_.wait_for(lk, std::chrono::milliseconds(50));
  }
  // Another thread's fetch finished while we waited: its outcome is ours too.
  if (generation_ != generation && last_error_) return *last_error_;
  if (!token_.empty() && (!rejected || token_ != *rejected)) return token_;

  fetching_ = true;
  lk.unlock();
  std::optional<result<std::string>> got;
  try {
    got.emplace(fetch());
  } catch (...) {
    lk.lock();
    fetching_ = false;
    ++generation_;
    last_error_ = fail(errc::internal, "fetching the app token failed");
    done_.notify_all();
    throw;
  }
  lk.lock();
  fetching_ = false;
  ++generation_;
  if (got->ok()) {
    token_ = **got;
    last_error_.reset();
    ++fetched_;
  } else {
    last_error_ = got->error();
    if (rejected && token_ == *rejected) token_.clear();
  }
  done_.notify_all();
  return std::move(*got);
}

}  // namespace eventsubd::twitch
