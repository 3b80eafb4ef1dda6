#include "core/config.hpp"

#include "core/login.hpp"
#include "core/text.hpp"
#include "core/version.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <sstream>

namespace eventsubd {
namespace {

/// One setting: its environment variable, its flag, its help line, and how to apply a
/// value (returns an error message naming the variable, or empty on success).
struct option_spec {
  const char* env;
  const char* help;
  const char* default_text;
  std::function<std::string(config&, const std::string&)> apply;
  std::optional<numeric_range> range = std::nullopt;  // numeric settings only
};

std::string flag_of(const char* env) {
  std::string f = "--";
  for (const char* p = env; *p; ++p)
    f += (*p == '_') ? '-'
                     : static_cast<char>(std::tolower(static_cast<unsigned char>(*p)));
  return f;
}

std::optional<bool> parse_bool(const std::string& v) {
  auto l = to_lower(trim(v));
  if (l == "true" || l == "1" || l == "yes" || l == "on") return true;
  if (l == "false" || l == "0" || l == "no" || l == "off" || l.empty()) return false;
  return std::nullopt;
}

std::optional<long> parse_int(const std::string& v, long lo, long hi) {
  auto t = trim(v);
  long out = 0;
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
  if (ec != std::errc{} || ptr != t.data() + t.size() || t.empty() || out < lo ||
      out > hi)
    return std::nullopt;
  return out;
}

/// "from 10 to 86400": the same words in --help and in the error message.
std::string range_text(const numeric_range& r) {
  return "from " + std::to_string(r.lo) + " to " + std::to_string(r.hi);
}

/// A whole-number setting: validation, the error message and --help all read `range`.
template <class Set>
option_spec numeric(const char* env, const char* help, const char* default_text, long lo,
                    long hi, Set set) {
  numeric_range range{env, lo, hi};
  auto apply = [range, set](config& c, const std::string& v) {
    auto n = parse_int(v, range.lo, range.hi);
    if (!n)
      return range.variable + " must be a whole number " + range_text(range) + ", got '" +
             v + "'";
    set(c, *n);
    return std::string{};
  };
  return {env, help, default_text, apply, range};
}

std::string url_setter(const char* name, const std::string& v, std::string& out) {
  auto t = trim(v);
  if (t.rfind("http://", 0) != 0 && t.rfind("https://", 0) != 0)
    return std::string(name) + " must start with http:// or https://, got '" + t + "'";
  while (!t.empty() && t.back() == '/') t.pop_back();
  out = t;
  return {};
}

const std::vector<option_spec>& options() {
  static const std::vector<option_spec> specs = {
      {"TWITCH_CLIENT_ID", "Twitch app client id (client-credentials flow)", "",
       [](config& c, const std::string& v) {
         c.twitch_client_id = trim(v);
         return std::string{};
       }},
      {"TWITCH_CLIENT_SECRET", "Twitch app client secret", "",
       [](config& c, const std::string& v) {
         c.twitch_client_secret = trim(v);
         return std::string{};
       }},
      {"WEBHOOK_SECRET", "HMAC secret for EventSub, 10-100 ASCII characters", "",
       [](config& c, const std::string& v) {
         c.webhook_secret = v;
         return std::string{};
       }},
      {"WEBHOOK_URL", "public https callback URL given to Twitch", "",
       [](config& c, const std::string& v) {
         c.webhook_url = trim(v);
         return std::string{};
       }},
      {"STORAGE_TYPE", "storage backend: memory or redis", "memory",
       [](config& c, const std::string& v) {
         auto l = to_lower(trim(v));
         if (l == "memory" || l.empty())
           c.storage = storage_kind::memory;
         else if (l == "redis")
           c.storage = storage_kind::redis;
         else
           return "STORAGE_TYPE must be 'memory' or 'redis', got '" + v + "'";
         return std::string{};
       }},
      {"REDIS_URL", "redis://[user:password@]host:port[/db]", "redis://localhost:6379",
       [](config& c, const std::string& v) {
         c.redis_url = trim(v);
         return std::string{};
       }},
      {"DATA_DIR",
       "directory of the journal that keeps webhooks acknowledged while Redis is down "
       "across a stop or crash (redis storage only; created at start, must be writable; "
       "one server per directory)",
       "data",
       [](config& c, const std::string& v) {
         if (trim(v).empty())
           return std::string("DATA_DIR must not be empty (default: data)");
         c.data_dir = trim(v);
         return std::string{};
       }},
      {"REDIS_SENTINELS",
       "comma-separated host:port of Redis Sentinels to ask for the master (with "
       "REDIS_MASTER_NAME; REDIS_URL's host:port is then unused)",
       "",
       [](config& c, const std::string& v) {
         c.redis_sentinels.clear();
         if (trim(v).empty()) return std::string{};
         auto list = parse_host_port_list(v, "REDIS_SENTINELS");
         if (!list) return list.error().detail;
         c.redis_sentinels = std::move(*list);
         return std::string{};
       }},
      {"REDIS_MASTER_NAME", "the master's name the sentinels monitor", "",
       [](config& c, const std::string& v) {
         auto name = trim(v);
         for (unsigned char ch : name)
           if (ch <= 0x20 || ch == 0x7f)
             return "REDIS_MASTER_NAME must not contain spaces or control characters, "
                    "got '" +
                    v + "'";
         c.redis_master_name = name;
         return std::string{};
       }},
      {"REDIS_SENTINEL_PASSWORD", "password the sentinels require (AUTH), if any", "",
       [](config& c, const std::string& v) {
         c.redis_sentinel_password = v;
         return std::string{};
       }},
      numeric("REDIS_MIN_REPLICAS",
              "replicas that must confirm a write (Redis WAIT) before it is "
              "acknowledged, also while Redis is down; 0: no wait",
              "0", 0, 100,
              [](config& c, long n) { c.redis_min_replicas = static_cast<int>(n); }),
      numeric("REDIS_WAIT_TIMEOUT_MS",
              "milliseconds the replicas of REDIS_MIN_REPLICAS have to confirm a batch "
              "of writes; fewer in time: the batch is retried, Redis counts as down",
              "1000", 10, 60000,
              [](config& c, long n) { c.redis_wait_timeout_ms = static_cast<int>(n); }),
      {"DEFAULT_STREAMERS", "comma-separated logins added at start", "",
       [](config& c, const std::string& v) {
         c.default_streamers.clear();
         std::stringstream in(v);
         std::string item;
         while (std::getline(in, item, ',')) {
           item = trim(item);
           if (item.empty()) continue;
           auto login = normalize_login(item);
           if (!login) return "DEFAULT_STREAMERS: " + invalid_login_detail(item);
           if (std::find(c.default_streamers.begin(), c.default_streamers.end(),
                         *login) == c.default_streamers.end())
             c.default_streamers.push_back(*login);
         }
         return std::string{};
       }},
      {"REQUIRE_API_KEY", "require 'Authorization: Bearer <API_KEY>' on the REST API",
       "false",
       [](config& c, const std::string& v) {
         auto b = parse_bool(v);
         if (!b) return "REQUIRE_API_KEY must be true or false, got '" + v + "'";
         c.require_api_key = *b;
         return std::string{};
       }},
      {"API_KEY", "the API key clients send", "",
       [](config& c, const std::string& v) {
         c.api_key = trim(v);
         return std::string{};
       }},
      {"HOST", "listen address", "0.0.0.0",
       [](config& c, const std::string& v) {
         if (trim(v).empty()) return std::string("HOST must not be empty");
         c.host = trim(v);
         return std::string{};
       }},
      numeric("PORT", "listen port (0 picks a free one; see PORT_FILE)", "8000", 0, 65535,
              [](config& c, long n) { c.port = static_cast<uint16_t>(n); }),
      {"PORT_FILE", "write the bound port to this file once listening", "",
       [](config& c, const std::string& v) {
         c.port_file = trim(v);
         return std::string{};
       }},
      {"TWITCH_API_URL", "Helix base URL", "https://api.twitch.tv/helix",
       [](config& c, const std::string& v) {
         return url_setter("TWITCH_API_URL", v, c.twitch_api_url);
       }},
      {"TWITCH_AUTH_URL", "OAuth base URL (/token and /validate under it)",
       "https://id.twitch.tv/oauth2",
       [](config& c, const std::string& v) {
         return url_setter("TWITCH_AUTH_URL", v, c.twitch_auth_url);
       }},
      numeric("REFRESH_INTERVAL", "seconds between live-data refreshes", "300", 10, 86400,
              [](config& c, long n) { c.refresh_interval_s = static_cast<int>(n); }),
      numeric("HELIX_LAG_WINDOW",
              "seconds Get Streams may lag behind EventSub (a new stream missing is not "
              "offline, an ended one listed is asked again after this, not live)",
              "300", 1, 86400,
              [](config& c, long n) { c.helix_lag_window_s = static_cast<int>(n); }),
      numeric("LOOKUP_RATE_LIMIT",
              "status lookups of streamers nobody monitors that may ask Twitch per "
              "minute (beyond: 429 with Retry-After; cached answers do not count)",
              "60", 1, 100000,
              [](config& c, long n) { c.lookup_rate_limit = static_cast<int>(n); }),
      numeric(
          "TWITCH_RETRY_INTERVAL",
          "seconds before Twitch work that failed is tried again (subscriptions, default "
          "streamers)",
          "60", 1, 3600,
          [](config& c, long n) { c.twitch_retry_interval_s = static_cast<int>(n); }),
      {"LOG_LEVEL", "trace, debug, info, warning, error or critical", "info",
       [](config& c, const std::string& v) {
         auto l = to_lower(trim(v));
         if (l == "warn") l = "warning";
         static const char* levels[] = {"trace",   "debug", "info",
                                        "warning", "error", "critical"};
         if (std::find(std::begin(levels), std::end(levels), l) == std::end(levels))
           return "LOG_LEVEL must be one of trace, debug, info, warning, error, "
                  "critical; got '" +
                  v + "'";
         c.log_level = l;
         return std::string{};
       }},
      {"LOG_FORMAT", "text, or json for one JSON object per line", "text",
       [](config& c, const std::string& v) {
         auto l = to_lower(trim(v));
         if (l == "text" || l.empty())
           c.log_format = log_format_kind::text;
         else if (l == "json")
           c.log_format = log_format_kind::json;
         else
           return "LOG_FORMAT must be 'text' or 'json', got '" + v + "'";
         return std::string{};
       }},
      numeric("IO_THREADS", "HTTP (Asio) threads", "1", 1, 64,
              [](config& c, long n) { c.io_threads = static_cast<int>(n); }),
      numeric("ACTOR_THREADS", "actor scheduler (CAF) threads", "1", 1, 64,
              [](config& c, long n) { c.actor_threads = static_cast<int>(n); }),
      numeric("MAX_CONNECTIONS", "open HTTP connections at most; more are refused",
              "10000", 1, 1000000,
              [](config& c, long n) { c.max_connections = static_cast<int>(n); }),
      {"METRICS_PUBLIC", "serve /metrics without the API key (true/false)", "false",
       [](config& c, const std::string& v) {
         auto b = parse_bool(v);
         if (!b) return "METRICS_PUBLIC must be true or false, got '" + v + "'";
         c.metrics_public = *b;
         return std::string{};
       }},
      numeric(
          "STORAGE_QUEUE_LIMIT",
          "writes held in order while Redis is down; beyond that the webhook answers 503",
          "10000", 1, 10000000,
          [](config& c, long n) { c.storage_queue_limit = static_cast<size_t>(n); }),
      numeric("REQUEST_TIMEOUT",
              "seconds a client has to send a request's headers, and again its body",
              "20", 1, 3600,
              [](config& c, long n) { c.request_timeout_s = static_cast<int>(n); }),
      {"EXTENSIONS",
       "comma-separated extensions to start (this build's are listed below); empty: "
       "none",
       default_extensions_text,
       [](config& c, const std::string& v) {
         auto names = parse_extension_list(v);
         if (!names) return names.error().detail;
         c.extensions = std::move(*names);
         return std::string{};
       }},
  };
  return specs;
}

/// The Redis Sentinel settings go together; empty when they are consistent.
std::string redis_sentinel_problem(const config& c) {
  if (!c.redis_sentinels.empty() && c.redis_master_name.empty())
    return "REDIS_SENTINELS is set but REDIS_MASTER_NAME is empty; set the name the "
           "sentinels monitor (sentinel monitor <name> ...)";
  if (c.redis_sentinels.empty() && !c.redis_master_name.empty())
    return "REDIS_MASTER_NAME is set but REDIS_SENTINELS is empty; list the sentinels "
           "(host:port,...) or unset REDIS_MASTER_NAME";
  if (c.redis_sentinels.empty() && !c.redis_sentinel_password.empty())
    return "REDIS_SENTINEL_PASSWORD is set but REDIS_SENTINELS is empty";
  return {};
}

/// The variable a flag sets, or empty when it sets none.
std::string variable_of_flag(const std::string& flag) {
  static const auto by_flag = [] {
    std::map<std::string, std::string> m;
    for (const auto& spec : options()) m[flag_of(spec.env)] = spec.env;
    return m;
  }();
  if (auto it = by_flag.find(flag); it != by_flag.end()) return it->second;
  return extension_variable_of_flag(flag);
}

/// Every value by variable: .env first, then the environment, then flags; the last one
/// wins.
std::map<std::string, std::string> collect_values(
    const std::string& env_file, const env_lookup& env,
    const std::vector<std::string>& env_names,
    const std::vector<std::pair<std::string, std::string>>& flags) {
  std::map<std::string, std::string> values;
  for (auto& [k, v] : parse_dotenv(read_text_file(env_file).value_or(""))) values[k] = v;
  for (const auto& spec : options())
    if (auto v = env(spec.env)) values[spec.env] = *v;
  for (const auto& name : env_names)
    if (is_extension_variable(name))
      if (auto v = env(name)) values[name] = *v;
  for (const auto& [k, v] : flags) values[k] = v;
  return values;
}

/// What the command line asks for: the flags' values, the .env file, or an exit.
struct arguments {
  std::string env_file = ".env";
  std::vector<std::pair<std::string, std::string>> flags;  // variable -> value
  bool exit = false;  // outcome holds help, the version or an error
};

arguments parse_arguments(int argc, const char* const* argv, config_outcome& outcome) {
  arguments args;
  auto stop = [&](std::string message, int code) {
    outcome.message = std::move(message);
    outcome.exit_code = code;
    args.exit = true;
    return args;
  };
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      outcome.help = true;
      return stop(config_help(), 0);
    }
    if (arg == "--version" || arg == "-V")
      return stop(std::string("eventsubd ") + version_string + "\n", 0);
    if (arg == "--healthcheck") {
      outcome.healthcheck = true;
      continue;
    }
    auto eq = arg.find('=');
    std::string name = arg.substr(0, eq);
    auto variable = name.rfind("--", 0) == 0 ? variable_of_flag(name) : std::string{};
    if (name != "--env-file" && variable.empty())
      return stop("unknown option '" + arg + "' (see --help)", 2);
    std::string value;
    if (eq != std::string::npos)
      value = arg.substr(eq + 1);
    else if (i + 1 < argc)
      value = argv[++i];
    else
      return stop("option " + name + " needs a value (see --help)", 2);
    if (name == "--env-file")
      args.env_file = value;
    else
      args.flags.emplace_back(variable, value);
  }
  return args;
}

}  // namespace

std::string config::webhook_secret_problem() const {
  if (webhook_secret.empty())
    return "WEBHOOK_SECRET is not set; set it to 10-100 ASCII characters to enable the "
           "webhook";
  if (webhook_secret == webhook_secret_placeholder)
    return "WEBHOOK_SECRET still holds the .env.example placeholder; set a random secret";
  if (webhook_secret.size() < 10 || webhook_secret.size() > 100)
    return "WEBHOOK_SECRET must be 10-100 ASCII characters (it has " +
           std::to_string(webhook_secret.size()) + ")";
  for (unsigned char c : webhook_secret)
    if (c < 0x20 || c > 0x7e)
      return "WEBHOOK_SECRET must be printable ASCII characters only";
  return {};
}

std::string config::twitch_credentials_problem() const {
  if (twitch_client_id.empty() && twitch_client_secret.empty())
    return "Twitch is not configured: set TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET";
  if (twitch_client_id.empty()) return "Twitch is not configured: set TWITCH_CLIENT_ID";
  if (twitch_client_secret.empty())
    return "Twitch is not configured: set TWITCH_CLIENT_SECRET";
  return {};
}

std::vector<numeric_range> numeric_ranges() {
  std::vector<numeric_range> out;
  for (const auto& spec : options())
    if (spec.range) out.push_back(*spec.range);
  return out;
}

std::string config_help() {
  std::ostringstream out;
  out << "eventsubd " << version_string
      << " - Twitch EventSub stream.online/offline server with a REST API\n\n"
         "Usage: eventsubd [--OPTION=VALUE | --OPTION VALUE]...\n"
         "       eventsubd --healthcheck [OPTIONS]\n\n"
         "Every option can also be set by its environment variable or in a .env file in\n"
         "the working directory. Precedence: flag > environment > .env > default.\n\n"
         "Options:\n";
  for (const auto& spec : options()) {
    out << "  " << flag_of(spec.env) << " (" << spec.env << ")\n      " << spec.help;
    if (spec.range) out << ", a whole number " << range_text(*spec.range);
    if (*spec.default_text) out << " [default: " << spec.default_text << "]";
    out << "\n";
  }
  out << "  --ext-<name>-<key> VALUE (EXT_<NAME>_<KEY>)\n      a setting of the "
         "extension "
         "<name> (see its README)\n"
         "  --env-file PATH\n      .env file to read [default: .env]\n"
         "  --healthcheck\n      probe GET /health of the server this configuration "
         "describes\n      (HOST, PORT) instead of serving; exit 0 on a 200, else 1\n"
         "  --help\n      show this text and exit\n"
         "  --version\n      print the version and exit\n";
  return out.str();
}

config_outcome load_config(int argc, const char* const* argv, const env_lookup& env,
                           const std::vector<std::string>& env_names) {
  config_outcome outcome;
  auto args = parse_arguments(argc, argv, outcome);
  if (args.exit) return outcome;
  auto values = collect_values(args.env_file, env, env_names, args.flags);
  config cfg;
  for (const auto& spec : options()) {
    auto it = values.find(spec.env);
    if (it == values.end()) continue;
    if (auto err = spec.apply(cfg, it->second); !err.empty()) {
      outcome.message = "configuration error: " + err;
      outcome.exit_code = 2;
      return outcome;
    }
  }
  for (const auto& [k, v] : values)
    if (is_extension_variable(k)) cfg.extension_settings[k] = v;
  if (cfg.require_api_key && cfg.api_key.empty()) {
    outcome.message =
        "configuration error: REQUIRE_API_KEY is true but API_KEY is empty; set API_KEY "
        "or "
        "turn REQUIRE_API_KEY off";
    outcome.exit_code = 2;
    return outcome;
  }
  if (auto problem = redis_sentinel_problem(cfg); !problem.empty()) {
    outcome.message = "configuration error: " + problem;
    outcome.exit_code = 2;
    return outcome;
  }
  outcome.cfg = std::move(cfg);
  return outcome;
}

}  // namespace eventsubd
