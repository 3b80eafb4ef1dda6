#pragma once

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string_view>

namespace eventsubd::twitch {

/// Who a Twitch call is for, most urgent first: what a person waits for (adding or
/// removing a streamer), public status lookups of unknown streamers, and bulk work
/// (metadata, refresh, reconciliation).
enum class work_class : uint8_t { interactive, lookup, bulk };
inline constexpr size_t work_class_count = 3;

std::string_view to_string(work_class c);

struct rate_budget_config {
  /// Points per minute assumed until Helix tells (`Ratelimit-Limit`).
  int64_t default_limit = 800;
  /// Points kept back from bulk work: this share of the limit, at least `bulk_min`.
  double bulk_share = 0.10;
  int64_t bulk_min = 5;
  /// The smaller reserve kept back from lookups.
  double lookup_share = 0.03;
  int64_t lookup_min = 2;
  /// Waited past `Ratelimit-Reset`: it has whole seconds, and Twitch refills gradually.
  std::chrono::milliseconds reset_margin{500};
  /// The longest single wait, whatever the reset says.
  std::chrono::milliseconds max_wait{std::chrono::seconds(65)};
  /// The wall clock (Ratelimit-Reset is Unix time); empty = system_clock. For tests.
  std::function<std::chrono::system_clock::time_point()> clock;
};

/// What the budget knows, for metrics and tests.
struct rate_budget_snapshot {
  int64_t limit = 0;
  int64_t remaining = -1;                         // -1: not known yet (no answer seen)
  int64_t reset_unix_s = 0;                       // 0: not known
  int64_t rate_limited = 0;                       // 429s noted
  std::array<int64_t, work_class_count> waits{};  // calls that had to wait, per class
};

/// Twitch's Helix rate limit: ONE token bucket per client id, shared by every worker
/// thread, so one object per process shared by every helix_client. Thread-safe.
///
/// It keeps an estimate of the points left: each answer's headers set it (latest answer
/// wins), each call taken out of `wait_turn` spends one, and once the reset has passed
/// the bucket counts as full again. Lower classes stop short of empty so what a person
/// waits for still gets through while bulk work is paced:
/// - bulk waits while the estimate is at or below its reserve (10% of the limit);
/// - lookup below a smaller reserve (3%);
/// - interactive only when nothing is left.
/// A 429 empties the bucket until its reset, whatever answers still in flight say.
class rate_budget {
 public:
  explicit rate_budget(rate_budget_config cfg = {});

  /// From a Helix answer's `Ratelimit-Limit/-Remaining/-Reset` (limit <= 0: not sent,
  /// the last one is kept). Call only when Remaining and Reset were both sent.
  void observe(int64_t limit, int64_t remaining, int64_t reset_unix_s);

  /// A 429: nothing is left until `reset_unix_s` (<= 0: unknown, taken as 1 s from now).
  void note_429(int64_t reset_unix_s);

  /// Blocks until `cls` may spend a point, then spends it. A wait ends at the reset
  /// (plus the margin), when an answer shows points again, or after `max_wait`: then
  /// the reset is forgotten (a skewed clock must not make every call wait that long)
  /// and the call goes ahead, its answer telling the truth. Returns false, at once or
  /// within 50 ms, when `cancelled` (may be empty) turns true while it waits.
  bool wait_turn(work_class cls, const std::function<bool()>& cancelled);

  /// Seconds until the known reset (0 when unknown or past): a Retry-After.
  std::chrono::seconds until_reset() const;

  rate_budget_snapshot snapshot() const;

 private:
  std::chrono::system_clock::time_point now() const;
  int64_t reserve(work_class cls) const;                            // under the lock
  void refill_if_reset(std::chrono::system_clock::time_point now);  // under the lock

  rate_budget_config cfg_;
  mutable std::mutex m_;
  std::condition_variable changed_;
  int64_t limit_;
  int64_t remaining_ = -1;
  int64_t reset_ = 0;
  int64_t blocked_until_ = 0;  // a 429's reset: higher Remaining is ignored until then
  int64_t logged_reset_ = -1;  // the reset whose wait was logged
  int64_t rate_limited_ = 0;
  std::array<int64_t, work_class_count> waits_{};
};

}  // namespace eventsubd::twitch
