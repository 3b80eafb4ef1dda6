#pragma once

#include "core/result.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

// Metrics registered at run time (by extensions), rendered on `GET /metrics` after the
// built-in ones. Registration takes a lock; counting is a relaxed atomic, from any
// thread, like the built-in metrics.
namespace eventsubd::metrics {

/// Label names and values of one series, fixed at registration (so series stay bounded).
using label_set = std::vector<std::pair<std::string, std::string>>;

/// A counter; copies share one value. A default-constructed one counts into nothing.
class registered_counter {
 public:
  registered_counter() = default;
  explicit registered_counter(std::shared_ptr<std::atomic<uint64_t>> value)
      : value_(std::move(value)) {}
  void add(uint64_t n = 1) const {
    if (value_) value_->fetch_add(n, std::memory_order_relaxed);
  }
  uint64_t value() const { return value_ ? value_->load(std::memory_order_relaxed) : 0; }

 private:
  std::shared_ptr<std::atomic<uint64_t>> value_;
};

/// A gauge; copies share one value. A default-constructed one records nothing.
class registered_gauge {
 public:
  registered_gauge() = default;
  explicit registered_gauge(std::shared_ptr<std::atomic<int64_t>> value)
      : value_(std::move(value)) {}
  void set(int64_t v) const {
    if (value_) value_->store(v, std::memory_order_relaxed);
  }
  void add(int64_t n) const {
    if (value_) value_->fetch_add(n, std::memory_order_relaxed);
  }
  int64_t value() const { return value_ ? value_->load(std::memory_order_relaxed) : 0; }

 private:
  std::shared_ptr<std::atomic<int64_t>> value_;
};

/// Registers the series `name{labels}` (or finds it: the same name and labels give the
/// same value). Fails on an invalid metric or label name, or a name registered with
/// the other type. Names are not checked against the built-in metrics: prefix them.
result<registered_counter> register_counter(const std::string& name,
                                            const std::string& help,
                                            const label_set& labels = {});
result<registered_gauge> register_gauge(const std::string& name, const std::string& help,
                                        const label_set& labels = {});

/// Appends every registered family (`# HELP`, `# TYPE`, samples) to `out`.
void render_registered(std::string& out);

}  // namespace eventsubd::metrics
