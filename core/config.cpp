#include "core/config.hpp"

#include "core/config_options.hpp"
#include "core/version.hpp"

#include <map>
#include <sstream>

namespace eventsubd {
namespace {

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
    for (const auto& spec : config_options()) m[flag_of(spec.env)] = spec.env;
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
  for (const auto& spec : config_options())
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
  for (const auto& spec : config_options())
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
  for (const auto& spec : config_options()) {
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
  for (const auto& spec : config_options()) {
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
