#include "extensions/kit/twitch_handle.hpp"

#include <algorithm>
#include <cmath>

namespace eventsubd::ext {
namespace {

/// How long background work may wait for a worker before it is dropped.
constexpr auto background_deadline = std::chrono::seconds(120);
constexpr auto waiting_deadline = std::chrono::seconds(10);
constexpr size_t ids_per_call = 100;

}  // namespace

call_budget::call_budget(long per_minute)
    : capacity_(static_cast<double>(std::max(1L, per_minute))),
      tokens_(capacity_),
      refilled_(std::chrono::steady_clock::now()) {}

std::chrono::seconds call_budget::take(long calls) {
  std::lock_guard<std::mutex> guard{mutex_};
  auto now = std::chrono::steady_clock::now();
  std::chrono::duration<double> elapsed = now - refilled_;
  refilled_ = now;
  tokens_ = std::min(capacity_, tokens_ + elapsed.count() * capacity_ / 60.0);
  auto wanted = static_cast<double>(calls);
  if (tokens_ >= wanted) {
    tokens_ -= wanted;
    return std::chrono::seconds(0);
  }
  auto wait = (std::min(wanted, capacity_) - tokens_) * 60.0 / capacity_;
  return std::chrono::seconds(std::max<int64_t>(1, std::llround(std::ceil(wait))));
}

twitch_handle::twitch_handle(twitch_actor scheduler, std::shared_ptr<call_budget> budget,
                             twitch_priority priority)
    : scheduler_(std::move(scheduler)), budget_(std::move(budget)), priority_(priority) {}

twitch_handle twitch_handle::with(twitch_priority priority) const {
  auto copy = *this;
  copy.priority_ = priority;
  return copy;
}

result<twitch_ticket> twitch_handle::ticket(size_t ids) const {
  if (!scheduler_ || !budget_)
    return fail(
        errc::unavailable,
        "Twitch is not configured: set TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET");
  auto calls =
      static_cast<long>(std::max<size_t>(1, (ids + ids_per_call - 1) / ids_per_call));
  if (auto wait = budget_->take(calls); wait.count() > 0)
    return fail(errc::too_many_requests,
                "this extension's Twitch budget is spent; retry in " +
                    std::to_string(wait.count()) + " s",
                wait);
  if (priority_ == twitch_priority::someone_waiting)
    return twitch_ticket::waited_for(twitch::work_class::lookup, waiting_deadline);
  return twitch_ticket::waited_for(twitch::work_class::bulk, background_deadline);
}

}  // namespace eventsubd::ext
