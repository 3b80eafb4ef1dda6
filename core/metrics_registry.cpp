#include "core/metrics_registry.hpp"

#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <type_traits>
#include <variant>

namespace eventsubd::metrics {
namespace {

using counter_value = std::shared_ptr<std::atomic<uint64_t>>;
using gauge_value = std::shared_ptr<std::atomic<int64_t>>;

struct family {
  std::string help;
  bool is_counter = true;
  std::map<std::string, std::variant<counter_value, gauge_value>> series;  // by labels
};

struct registry {
  std::mutex mutex;
  std::map<std::string, family> families;  // by name, rendered in name order
};

registry& reg() {
  static registry r;
  return r;
}

bool valid_name(const std::string& name, bool colons) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          c == '_' || (colons && c == ':')))
      return false;
  return true;
}

/// `a="x",b="y"` with Prometheus' escapes; empty when a label name is invalid.
std::optional<std::string> render_labels(const label_set& labels) {
  std::string out;
  for (const auto& [name, value] : labels) {
    if (!valid_name(name, false) || name.rfind("__", 0) == 0) return std::nullopt;
    if (!out.empty()) out += ',';
    out += name + "=\"";
    for (char c : value) {
      if (c == '\\' || c == '"') out += '\\';
      out += c == '\n' ? std::string("\\n") : std::string(1, c);
    }
    out += '"';
  }
  return out;
}

/// HELP text with Prometheus' escapes (backslash, newline).
std::string help_text(const std::string& help) {
  std::string out;
  for (char c : help) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

template <class Value>
result<Value> find_or_add(const std::string& name, const std::string& help,
                          const label_set& labels, bool is_counter) {
  if (!valid_name(name, true))
    return fail(errc::bad_request, "invalid metric name '" + name + "'");
  auto rendered = render_labels(labels);
  if (!rendered)
    return fail(errc::bad_request, "invalid label name in metric '" + name + "'");
  auto& r = reg();
  std::lock_guard<std::mutex> guard{r.mutex};
  auto [it, added] = r.families.try_emplace(name);
  if (added) {
    it->second.help = help_text(help);
    it->second.is_counter = is_counter;
  } else if (it->second.is_counter != is_counter) {
    return fail(errc::conflict, "metric '" + name + "' is registered with another type");
  }
  auto [series, fresh] = it->second.series.try_emplace(*rendered);
  if (fresh && is_counter) series->second = std::make_shared<std::atomic<uint64_t>>(0);
  if (fresh && !is_counter) series->second = std::make_shared<std::atomic<int64_t>>(0);
  if constexpr (std::is_same_v<Value, registered_counter>)
    return Value(std::get<counter_value>(series->second));
  else
    return Value(std::get<gauge_value>(series->second));
}

}  // namespace

result<registered_counter> register_counter(const std::string& name,
                                            const std::string& help,
                                            const label_set& labels) {
  return find_or_add<registered_counter>(name, help, labels, true);
}

result<registered_gauge> register_gauge(const std::string& name, const std::string& help,
                                        const label_set& labels) {
  return find_or_add<registered_gauge>(name, help, labels, false);
}

void render_registered(std::string& out) {
  auto& r = reg();
  std::lock_guard<std::mutex> guard{r.mutex};
  for (const auto& [name, fam] : r.families) {
    out.append("# HELP ").append(name).append(" ").append(fam.help).append("\n");
    out.append("# TYPE ").append(name).append(fam.is_counter ? " counter\n" : " gauge\n");
    for (const auto& [labels, value] : fam.series) {
      char num[32];
      if (const auto* c = std::get_if<counter_value>(&value))
        std::snprintf(num, sizeof num, "%llu",
                      static_cast<unsigned long long>((*c)->load()));
      else
        std::snprintf(num, sizeof num, "%lld",
                      static_cast<long long>(std::get<gauge_value>(value)->load()));
      out.append(name);
      if (!labels.empty()) out.append("{").append(labels).append("}");
      out.append(" ").append(num).append("\n");
    }
  }
}

}  // namespace eventsubd::metrics
