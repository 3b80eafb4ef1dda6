#pragma once

#include "core/metrics_registry.hpp"

#include <spdlog/logger.h>

#include <memory>
#include <string>

namespace eventsubd::ext {

using counter = metrics::registered_counter;
using gauge = metrics::registered_gauge;
using label_set = metrics::label_set;

/// An extension's metrics on `GET /metrics`, each named eventsubd_ext_<name>_<key>. A
/// key or label that is not a valid Prometheus name is logged as an error and gives a
/// metric that records nothing. Asking again for the same key and labels gives the same
/// metric. Cheap to copy.
class metrics_registry {
 public:
  metrics_registry() = default;
  metrics_registry(const std::string& extension, std::shared_ptr<spdlog::logger> log);

  /// A counter (by convention its key ends in `_total`).
  ext::counter counter(const std::string& key, const std::string& help,
                       const label_set& labels = {}) const;
  ext::gauge gauge(const std::string& key, const std::string& help,
                   const label_set& labels = {}) const;
  /// The full name of `key`: eventsubd_ext_<name>_<key>.
  std::string name_of(const std::string& key) const { return prefix_ + key; }

 private:
  std::string prefix_;
  std::shared_ptr<spdlog::logger> log_;
};

}  // namespace eventsubd::ext
