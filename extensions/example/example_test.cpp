#include "extensions/kit/testing.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace eventsubd::ext {
namespace {

namespace fs = std::filesystem;

std::string read_all(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct example_test : ::testing::Test {
  fs::path file = fs::temp_directory_path() /
                  ("eventsubd-example-" + std::to_string(::getpid()) + ".txt");
  void SetUp() override { fs::remove(file); }
  void TearDown() override { fs::remove(file); }

  bool file_holds(const std::string& text) {
    for (int i = 0; i < 500; ++i) {
      if (read_all(file).find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
};

TEST_F(example_test, a_go_live_appends_what_storage_says) {
  testing::test_host host{{{"EXT_EXAMPLE_FILE", file.string()}}};
  host.put_streamer({"1001", "alpha", "Alpha", "", "", true});
  stream_status live;
  live.user_id = "1001";
  live.username = "alpha";
  live.is_live = true;
  host.put_status(live);
  ASSERT_TRUE(host.start("example").ok());
  EXPECT_EQ(host.actor_count(), 2u);  // the listener and its detached writer

  stream_change change;
  change.login = "alpha";
  host.publish(change);
  // No Twitch in this host: the name is unknown.
  EXPECT_TRUE(file_holds("online alpha stored=live monitored=1 twitch=?\n"))
      << read_all(file);
}

TEST_F(example_test, without_a_file_the_start_fails_naming_the_variable) {
  testing::test_host host;
  auto started = host.start("example");
  ASSERT_FALSE(started.ok());
  EXPECT_NE(started.error().detail.find("EXT_EXAMPLE_FILE"), std::string::npos);
}

}  // namespace
}  // namespace eventsubd::ext
