#include "extensions/kit/host.hpp"

#include "core/logging.hpp"

#include <algorithm>

namespace eventsubd::ext {
namespace {

const extension_info* find(const std::vector<extension_info>& available,
                           const std::string& name) {
  auto it = std::find_if(available.begin(), available.end(),
                         [&](const extension_info& e) { return name == e.name; });
  return it == available.end() ? nullptr : &*it;
}

std::string names_of(const std::vector<extension_info>& available) {
  std::string out;
  for (const auto& e : available) out += (out.empty() ? "" : ", ") + std::string(e.name);
  return out.empty() ? "none" : out;
}

/// Warns once per EXT_* variable that no enabled extension reads (a typo, or an
/// extension left out of EXTENSIONS).
void warn_unread_settings(const config& cfg) {
  for (const auto& entry : cfg.extension_settings) {
    const auto& variable = entry.first;
    bool read = std::any_of(
        cfg.extensions.begin(), cfg.extensions.end(), [&](const std::string& name) {
          return variable.rfind(extension_setting_prefix(name), 0) == 0;
        });
    if (!read)
      log_for("app")->warn("extensions: {} is set but no enabled extension reads it",
                           variable);
  }
}

}  // namespace

std::string extensions_problem(const std::vector<extension_info>& available,
                               const std::vector<std::string>& enabled) {
  for (const auto& name : enabled)
    if (!find(available, name))
      return "EXTENSIONS: unknown extension '" + name +
             "' (this build has: " + names_of(available) + ")";
  return {};
}

std::string extensions_help(const std::vector<extension_info>& available) {
  std::string out = "\nExtensions in this build (EXTENSIONS):\n";
  for (const auto& e : available)
    out += "  " + std::string(e.name) + "\n      " + e.summary + "\n";
  if (available.empty()) out += "  none\n";
  return out;
}

result<context> make_context(const std::string& name,
                             const std::map<std::string, std::string>& all_settings,
                             const host_services& services,
                             std::shared_ptr<started_actors> started) {
  ext::settings own{extension_setting_prefix(name), settings_of(all_settings, name)};
  auto per_minute = own.number("TWITCH_PER_MINUTE", 1, 100000, default_twitch_per_minute);
  if (!per_minute) return per_minute.error();
  auto log = log_for(name.c_str());
  context::parts p;
  p.name = name;
  p.settings = std::move(own);
  p.storage = storage_reader{services.storage};
  if (services.twitch)
    p.twitch = twitch_handle{services.twitch, std::make_shared<call_budget>(*per_minute)};
  p.metrics = metrics_registry{name, log};
  p.log = std::move(log);
  p.system = services.system;
  p.bus = services.bus;
  p.started = std::move(started);
  return context{std::move(p)};
}

result<running_extensions> start_extensions(const std::vector<extension_info>& available,
                                            const config& cfg,
                                            const host_services& services) {
  warn_unread_settings(cfg);
  auto started = std::make_shared<started_actors>();
  running_extensions running{started};
  for (const auto& name : cfg.extensions) {
    const auto* info = find(available, name);
    if (!info) return fail(errc::bad_request, extensions_problem(available, {name}));
    auto ctx = make_context(name, cfg.extension_settings, services, started);
    auto ok = ctx ? info->start(*ctx) : result<void>{ctx.error()};
    if (!ok) {
      running.stop();
      return ok.error();
    }
    log_for("app")->info("extension {}: started", name);
  }
  return running;
}

}  // namespace eventsubd::ext
