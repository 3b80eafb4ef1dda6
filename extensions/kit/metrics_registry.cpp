#include "extensions/kit/metrics_registry.hpp"

namespace eventsubd::ext {
namespace {

template <class Metric>
Metric or_inert(result<Metric> registered, spdlog::logger* log) {
  if (registered) return std::move(*registered);
  if (log) log->error("metric not registered: {}", registered.error().detail);
  return Metric{};
}

}  // namespace

metrics_registry::metrics_registry(const std::string& extension,
                                   std::shared_ptr<spdlog::logger> log)
    : prefix_("eventsubd_ext_" + extension + "_"), log_(std::move(log)) {}

ext::counter metrics_registry::counter(const std::string& key, const std::string& help,
                                       const label_set& labels) const {
  return or_inert(metrics::register_counter(name_of(key), help, labels), log_.get());
}

ext::gauge metrics_registry::gauge(const std::string& key, const std::string& help,
                                   const label_set& labels) const {
  return or_inert(metrics::register_gauge(name_of(key), help, labels), log_.get());
}

}  // namespace eventsubd::ext
