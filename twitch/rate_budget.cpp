#include "twitch/rate_budget.hpp"

#include "core/logging.hpp"

#include <algorithm>
#include <cmath>

namespace eventsubd::twitch {
namespace {

using clock_type = std::chrono::system_clock;
constexpr auto poll_interval = std::chrono::milliseconds(50);

clock_type::time_point at(int64_t unix_s) {
  return clock_type::time_point(std::chrono::seconds(unix_s));
}

}  // namespace

std::string_view to_string(work_class c) {
  switch (c) {
    case work_class::interactive:
      return "interactive";
    case work_class::lookup:
      return "lookup";
    case work_class::bulk:
      return "bulk";
  }
  return "unknown";
}

rate_budget::rate_budget(rate_budget_config cfg)
    : cfg_(std::move(cfg)), limit_(std::max<int64_t>(1, cfg_.default_limit)) {}

clock_type::time_point rate_budget::now() const {
  return cfg_.clock ? cfg_.clock() : clock_type::now();
}

int64_t rate_budget::reserve(work_class cls) const {
  auto share = [this](double fraction, int64_t at_least) {
    return std::max<int64_t>(at_least,
                             std::llround(static_cast<double>(limit_) * fraction));
  };
  switch (cls) {
    case work_class::interactive:
      return 0;
    case work_class::lookup:
      return share(cfg_.lookup_share, cfg_.lookup_min);
    case work_class::bulk:
      return share(cfg_.bulk_share, cfg_.bulk_min);
  }
  return 0;
}

void rate_budget::refill_if_reset(clock_type::time_point t) {
  // Past the reset the bucket is full again; how full exactly the next answer tells, so
  // until then the estimate is "unknown" and nobody waits.
  // (A reset of 0, unknown, counts as past.)
  if (remaining_ >= 0 && t >= at(reset_) + cfg_.reset_margin) {
    remaining_ = -1;
    reset_ = 0;
    blocked_until_ = 0;
  }
}

void rate_budget::observe(int64_t limit, int64_t remaining, int64_t reset_unix_s) {
  {
    std::lock_guard lk(m_);
    if (limit > 0) limit_ = limit;
    refill_if_reset(now());
    // After a 429 the bucket is empty until its reset, whatever answers that were
    // already under way say.
    if (blocked_until_ == 0) {
      remaining_ = std::max<int64_t>(0, remaining);
      reset_ = reset_unix_s;
    }
  }
  changed_.notify_all();
}

void rate_budget::note_429(int64_t reset_unix_s) {
  {
    std::lock_guard lk(m_);
    auto t = now();
    if (reset_unix_s <= 0)
      reset_unix_s =
          std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count() +
          1;
    ++rate_limited_;
    remaining_ = 0;
    reset_ = std::max(reset_unix_s, blocked_until_);
    blocked_until_ = reset_;
  }
  changed_.notify_all();
}

bool rate_budget::wait_turn(work_class cls, const std::function<bool()>& cancelled) {
  std::unique_lock lk(m_);
  const auto give_up = now() + cfg_.max_wait;
  bool waited = false;
  for (;;) {
    auto t = now();
    refill_if_reset(t);
    // Unknown or above the reserve: go, and spend a point.
    if (remaining_ < 0 || remaining_ > reserve(cls)) {
      if (remaining_ > 0) --remaining_;
      return true;
    }
    if (t >= give_up) {
      // Waited as long as allowed, so the reset is far off (a skewed clock, a bogus
      // header): forget it rather than make every later call wait as long; the next
      // answer tells the truth.
      remaining_ = -1;
      reset_ = 0;
      blocked_until_ = 0;
      return true;
    }
    auto until = std::min(at(reset_) + cfg_.reset_margin, give_up);
    if (!waited) {
      waited = true;
      ++waits_[static_cast<size_t>(cls)];
      if (logged_reset_ != reset_) {  // once per reset, not per call
        logged_reset_ = reset_;
        log_for("twitch")->info(
            "twitch: rate limit nearly spent ({} of {} points left); {} work waits up "
            "to {} ms for the reset",
            remaining_, limit_, to_string(cls),
            std::chrono::duration_cast<std::chrono::milliseconds>(until - t).count());
      }
    }
    if (cancelled) {
      lk.unlock();  // a caller's check must never run under our lock
      bool stop = cancelled();
      lk.lock();
      if (stop) return false;
    }
    changed_.wait_for(lk, std::min<clock_type::duration>(poll_interval, until - t));
  }
}

std::chrono::seconds rate_budget::until_reset() const {
  std::lock_guard lk(m_);
  if (reset_ <= 0) return std::chrono::seconds(0);
  auto left = at(reset_) + cfg_.reset_margin - now();
  if (left <= clock_type::duration::zero()) return std::chrono::seconds(0);
  return std::chrono::ceil<std::chrono::seconds>(left);
}

rate_budget_snapshot rate_budget::snapshot() const {
  std::lock_guard lk(m_);
  rate_budget_snapshot s;
  s.limit = limit_;
  s.remaining = remaining_;
  s.reset_unix_s = reset_;
  s.rate_limited = rate_limited_;
  s.waits = waits_;
  return s;
}

}  // namespace eventsubd::twitch
