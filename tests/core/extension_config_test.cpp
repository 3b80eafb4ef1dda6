// EXTENSIONS and the extensions' own settings (EXT_<NAME>_<KEY>) in the configuration.
#include "core/config.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace eventsubd {
namespace {

namespace fs = std::filesystem;

/// load_config with `args`, the environment `vars` (listed by name too) and, when not
/// empty, a .env file holding `dotenv`.
config_outcome load(std::vector<std::string> args,
                    std::map<std::string, std::string> vars,
                    const std::string& dotenv = {}) {
  auto env_file = fs::temp_directory_path() /
                  ("eventsubd-extension-config-" + std::to_string(::getpid()) + ".env");
  fs::remove(env_file);
  if (!dotenv.empty()) std::ofstream(env_file) << dotenv;
  args.insert(args.begin(), {"eventsubd", "--env-file", env_file.string()});
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  std::vector<std::string> names;
  for (const auto& [k, v] : vars) names.push_back(k);
  auto env = [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
  auto out = load_config(static_cast<int>(argv.size()), argv.data(), env, names);
  fs::remove(env_file);
  return out;
}

using names = std::vector<std::string>;

TEST(ExtensionConfig, DefaultIsTheGoLiveLoggerAndEmptyMeansNone) {
  auto dflt = load({}, {});
  ASSERT_TRUE(dflt.cfg);
  EXPECT_EQ(dflt.cfg->extensions, names{"go_live_logger"});
  auto none = load({}, {{"EXTENSIONS", ""}});
  ASSERT_TRUE(none.cfg);
  EXPECT_TRUE(none.cfg->extensions.empty());
}

TEST(ExtensionConfig, ListIsTrimmedLowercasedAndDeduplicated) {
  auto out = load({}, {{"EXTENSIONS", " Go_Live_Logger , ,notify,go_live_logger"}});
  ASSERT_TRUE(out.cfg) << out.message;
  EXPECT_EQ(out.cfg->extensions, (names{"go_live_logger", "notify"}));
  auto flag = load({"--extensions=notify"}, {{"EXTENSIONS", "go_live_logger"}});
  EXPECT_EQ(flag.cfg->extensions, names{"notify"});
}

TEST(ExtensionConfig, AnInvalidNameIsExitTwoNamingTheVariable) {
  for (const char* bad : {"go-live", "9lives", "a b"}) {
    auto out = load({}, {{"EXTENSIONS", bad}});
    EXPECT_FALSE(out.cfg) << bad;
    EXPECT_EQ(out.exit_code, 2);
    EXPECT_EQ(out.message.rfind("configuration error: EXTENSIONS: '", 0), 0u)
        << out.message;
  }
}

TEST(ExtensionConfig, SettingsComeFromDotEnvEnvironmentAndFlagsLastWins) {
  auto out = load({"--ext-demo-flag", "f", "--ext-demo-both=flag"},
                  {{"EXT_DEMO_ENV", "e"}, {"EXT_DEMO_BOTH", "env"}, {"UNRELATED", "x"}},
                  "EXT_DEMO_FILE=d\nEXT_DEMO_ENV=dotenv\n");
  ASSERT_TRUE(out.cfg) << out.message;
  std::map<std::string, std::string> want{{"EXT_DEMO_BOTH", "flag"},
                                          {"EXT_DEMO_ENV", "e"},
                                          {"EXT_DEMO_FILE", "d"},
                                          {"EXT_DEMO_FLAG", "f"}};
  EXPECT_EQ(out.cfg->extension_settings, want);
  EXPECT_EQ(settings_of(want, "demo").at("FLAG"), "f");
}

TEST(ExtensionConfig, ExtensionFlagsMustBeLowercaseWords) {
  EXPECT_EQ(extension_variable_of_flag("--ext-go-live-logger-file"),
            "EXT_GO_LIVE_LOGGER_FILE");
  EXPECT_EQ(extension_variable_of_flag("--ext-"), "");
  EXPECT_EQ(extension_variable_of_flag("--ext-A"), "");
  EXPECT_EQ(load({"--ext-Bad=1"}, {}).exit_code, 2);
  EXPECT_TRUE(is_extension_variable("EXT_A_B"));
  EXPECT_FALSE(is_extension_variable("EXT_"));
  EXPECT_FALSE(is_extension_variable("EXT_a"));
}

TEST(ExtensionConfig, SettingsOfOneExtensionDropItsPrefix) {
  std::map<std::string, std::string> all{
      {"EXT_A_X", "1"}, {"EXT_AB_Y", "2"}, {"EXT_A_", "3"}, {"EXT_B_Z", "4"}};
  std::map<std::string, std::string> want{{"X", "1"}};
  EXPECT_EQ(settings_of(all, "a"), want);
  EXPECT_EQ(extension_setting_prefix("go_live_logger"), "EXT_GO_LIVE_LOGGER_");
}

TEST(ExtensionConfig, HelpAndReadmeListExtensions) {
  auto help = config_help();
  EXPECT_NE(help.find("--extensions (EXTENSIONS)"), std::string::npos) << help;
  EXPECT_NE(help.find("[default: go_live_logger]"), std::string::npos);
  EXPECT_NE(help.find("(EXT_<NAME>_<KEY>)"), std::string::npos);
  std::ifstream in(std::string(EVENTSUBD_SOURCE_DIR) + "/README.md");
  ASSERT_TRUE(in);
  bool row = false, settings_row = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("| `EXTENSIONS` |", 0) == 0)
      row = line.find("`go_live_logger`") != std::string::npos;
    if (line.rfind("| `EXT_<NAME>_<KEY>` |", 0) == 0) settings_row = true;
  }
  EXPECT_TRUE(row) << "README's configuration table: EXTENSIONS with its default";
  EXPECT_TRUE(settings_row) << "README's configuration table: EXT_<NAME>_<KEY>";
}

}  // namespace
}  // namespace eventsubd
