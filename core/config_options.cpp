#include "core/config_options.hpp"

#include "core/login.hpp"
#include "core/text.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <sstream>

namespace eventsubd {

std::string flag_of(const char* env) {
  std::string f = "--";
  for (const char* p = env; *p; ++p)
    f += (*p == '_') ? '-'
                     : static_cast<char>(std::tolower(static_cast<unsigned char>(*p)));
  return f;
}

std::string range_text(const numeric_range& r) {
  return "from " + std::to_string(r.lo) + " to " + std::to_string(r.hi);
}

namespace {

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

}  // namespace

const std::vector<option_spec>& config_options() {
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
      {"PUBLIC_READS",
       "with REQUIRE_API_KEY, serve every read (GET of statuses, streamers, live "
       "streams, "
       "events) without the key; writes still need it (true/false)",
       "false",
       [](config& c, const std::string& v) {
         auto b = parse_bool(v);
         if (!b) return "PUBLIC_READS must be true or false, got '" + v + "'";
         c.public_reads = *b;
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

}  // namespace eventsubd
