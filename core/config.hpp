#pragma once

#include "core/config_sources.hpp"
#include "core/extension_config.hpp"
#include "core/host_port.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace eventsubd {

enum class storage_kind { memory, redis };
enum class log_format_kind { text, json };

/// Every setting of the server. Filled from defaults, then a `.env` file, then the
/// environment, then command-line flags (later sources win), and validated once.
struct config {
  // Twitch
  std::string twitch_client_id;
  std::string twitch_client_secret;
  std::string twitch_api_url = "https://api.twitch.tv/helix";
  std::string twitch_auth_url = "https://id.twitch.tv/oauth2";
  std::string webhook_secret;
  std::string webhook_url;
  std::vector<std::string> default_streamers;  // validated, lowercased, unique
  int refresh_interval_s = 300;
  int twitch_retry_interval_s = 60;
  int helix_lag_window_s = 300;
  int lookup_rate_limit = 60;  // Helix lookups of unmonitored logins a minute
  // Storage
  storage_kind storage = storage_kind::memory;
  std::string redis_url = "redis://localhost:6379";
  std::vector<host_port> redis_sentinels;  // non-empty: the master comes from these
  std::string redis_master_name;           // the name the sentinels monitor
  std::string redis_sentinel_password;     // AUTH to the sentinels; empty: none
  int redis_min_replicas = 0;              // > 0: WAIT for that many after each batch
  int redis_wait_timeout_ms = 1000;        // how long that WAIT may take
  size_t storage_queue_limit = 10000;
  /// Where the journal of writes acknowledged while Redis is down lives (Redis only).
  std::string data_dir = "data";
  // REST API
  bool require_api_key = false;
  bool metrics_public = false;  // /metrics open even when the API key is required
  bool public_reads = false;    // reads (access::read routes) open even then
  std::string api_key;
  std::string host = "0.0.0.0";
  uint16_t port = 8000;
  std::string port_file;  // when set, the bound port is written here once listening
  // Runtime
  std::string log_level = "info";
  log_format_kind log_format = log_format_kind::text;
  int io_threads = 1;
  int actor_threads = 1;
  int max_connections = 10000;
  int request_timeout_s = 20;
  // Extensions (see core/extension_config.hpp)
  std::vector<std::string> extensions{default_extensions_text};  // syntax checked only
  std::map<std::string, std::string> extension_settings;  // every EXT_* variable, by name

  /// Empty when the webhook can verify messages; otherwise why not (names the variable).
  std::string webhook_secret_problem() const;
  /// Empty when Twitch credentials are set; otherwise which variables are missing.
  std::string twitch_credentials_problem() const;
};

/// What `load_config` decided: run with a config, or exit (help/version/error).
struct config_outcome {
  std::optional<config> cfg;  // set when the server should run
  std::string message;        // help text, version, or the error (names the variable)
  int exit_code = 0;          // meaningful when cfg is empty
  bool healthcheck = false;   // --healthcheck: probe the server cfg describes, not serve
  bool help = false;          // message is the --help text (the caller may add to it)
};

/// Builds the configuration from flags (`argv`), `env`, and the `.env` file (path from
/// `--env-file`, default `.env` in the working directory; a missing file is fine).
/// `env_names` lists the environment's variables, of which those named EXT_* are read
/// as extension settings (the fixed settings are looked up by name).
config_outcome load_config(int argc, const char* const* argv, const env_lookup& env,
                           const std::vector<std::string>& env_names = {});

/// The whole numbers a numeric setting accepts (inclusive); validation, its error
/// message and `--help` all read these.
struct numeric_range {
  std::string variable;  // e.g. "REFRESH_INTERVAL"
  long lo = 0;
  long hi = 0;
};

/// Every numeric setting's range, in `--help` order.
std::vector<numeric_range> numeric_ranges();

/// The `--help` text: every option, its variable, its range (numeric ones) and default.
std::string config_help();

/// The `.env.example` placeholder for WEBHOOK_SECRET, refused as a secret.
inline constexpr const char* webhook_secret_placeholder = "change-me-to-a-random-secret";

}  // namespace eventsubd
