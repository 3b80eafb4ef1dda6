#include "core/logging.hpp"

#include "core/json_log_formatter.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <mutex>

namespace eventsubd {
namespace {

constexpr const char* text_pattern = "%Y-%m-%dT%H:%M:%S.%e%z %^%-5l%$ [%n] %v";

std::mutex mutex;
spdlog::sink_ptr shared_sink;
spdlog::level::level_enum current_level = spdlog::level::info;

// The format lives on the one shared sink, so loggers created later by log_for write
// the same format without being told.
spdlog::sink_ptr sink() {
  if (!shared_sink) {
    // Standard output, as the README promises: what Docker and journald collect by
    // default. The sink flushes every line, so none waits in stdio's buffer when stdout
    // is a pipe or a file. Sanitizer reports and pre-start usage errors stay on stderr.
    shared_sink = std::make_shared<spdlog::sinks::stdout_color_sink_mt>();
    shared_sink->set_pattern(text_pattern);
  }
  return shared_sink;
}

}  // namespace

void setup_logging(const std::string& level, log_format_kind format) {
  std::lock_guard<std::mutex> guard{mutex};
  current_level = spdlog::level::from_str(level == "warning" ? "warn" : level);
  if (format == log_format_kind::json)
    sink()->set_formatter(std::make_unique<json_log_formatter>());
  else
    sink()->set_pattern(text_pattern);
  for (const char* name : {"app", "http", "actors", "storage", "twitch"}) {
    auto logger = spdlog::get(name);
    if (!logger) {
      logger = std::make_shared<spdlog::logger>(name, sink());
      spdlog::register_logger(logger);
    }
    logger->set_level(current_level);
  }
}

std::shared_ptr<spdlog::logger> log_for(const char* name) {
  if (auto logger = spdlog::get(name)) return logger;
  std::lock_guard<std::mutex> guard{mutex};
  if (auto logger = spdlog::get(name)) return logger;
  auto logger = std::make_shared<spdlog::logger>(name, sink());
  logger->set_level(current_level);
  spdlog::register_logger(logger);
  return logger;
}

}  // namespace eventsubd
