// End to end: extensions in the real server, chosen by EXTENSIONS. The example
// extension (test-only, in eventsubd_with_test_extensions) reads storage and asks the
// fake Twitch after a signed go-live, and its effect is seen from outside: a line in a
// file and a metric on /metrics.
#include "tests/common/fake_twitch.hpp"
#include "tests/common/fixtures.hpp"
#include "tests/e2e/e2e_support.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace eventsubd::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

std::string read_all(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class extensions_e2e : public ::testing::Test {
 protected:
  fs::path file = fs::temp_directory_path() /
                  ("eventsubd-example-e2e-" + std::to_string(::getpid()) + ".txt");
  void SetUp() override {
    use_eventsubd_binary(EVENTSUBD_TEST_SERVER);
    fs::remove(file);
  }
  void TearDown() override {
    use_eventsubd_binary(nullptr);
    fs::remove(file);
  }
};

TEST_F(extensions_e2e, example_reads_storage_asks_twitch_and_counts_after_a_go_live) {
  fake_twitch fake;
  fake.add_standard_users();
  server_process server{{{"WEBHOOK_SECRET", e2e_secret},
                         {"TWITCH_CLIENT_ID", fake.client_id()},
                         {"TWITCH_CLIENT_SECRET", fake.client_secret()},
                         {"TWITCH_API_URL", fake.api_url()},
                         {"TWITCH_AUTH_URL", fake.auth_url()},
                         {"EXTENSIONS", "go_live_logger, example"},
                         {"EXT_EXAMPLE_FILE", file.string()}}};
  auto body = online_body("1001", "shroud", "s-1", twitch_timestamp(-30s));
  ASSERT_EQ(post_signed(server.port(), body).status, 200);

  const std::string line = "online shroud stored=live monitored=0 twitch=Shroud\n";
  EXPECT_TRUE(eventually([&] { return read_all(file) == line; })) << read_all(file);
  EXPECT_TRUE(server.wait_for_log("Stream online: shroud (shroud)"));
  auto metrics = http_once(server.port(), "GET", "/metrics").body;
  EXPECT_NE(metrics.find("\neventsubd_ext_example_announcements_total 1\n"),
            std::string::npos)
      << metrics;
}

TEST_F(extensions_e2e, an_unknown_name_is_a_configuration_error) {
  auto server = server_process::start_only({{"EXTENSIONS", "go_live_logger,nope"}});
  ASSERT_EQ(server.wait_exit(10s), 2);
  EXPECT_NE(
      server.log().find("configuration error: EXTENSIONS: unknown extension 'nope'"),
      std::string::npos)
      << server.log();
}

TEST_F(extensions_e2e, a_bad_extension_setting_stops_the_start) {
  auto server = server_process::start_only({{"EXTENSIONS", "example"}});
  ASSERT_EQ(server.wait_exit(10s), 2);
  EXPECT_NE(server.log().find("configuration error: EXT_EXAMPLE_FILE"), std::string::npos)
      << server.log();
}

TEST(extensions_default_e2e, the_go_live_logger_runs_unless_extensions_says_otherwise) {
  {
    server_process server;
    EXPECT_TRUE(server.wait_for_log("extension go_live_logger: started"));
  }
  server_process none{{{"EXTENSIONS", ""}}};
  EXPECT_EQ(none.log().find("extension go_live_logger"), std::string::npos);
}

TEST(extensions_default_e2e, help_lists_this_builds_extensions) {
  auto server = server_process::start_only({}, {"--help"});
  ASSERT_EQ(server.wait_exit(10s), 0);
  auto text = server.log();
  EXPECT_NE(text.find("--extensions (EXTENSIONS)"), std::string::npos) << text;
  EXPECT_NE(text.find("Extensions in this build (EXTENSIONS):\n  go_live_logger\n"),
            std::string::npos)
      << text;
  // The shipped server has no test-only extension.
  EXPECT_EQ(text.find("  example\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace eventsubd::testing
