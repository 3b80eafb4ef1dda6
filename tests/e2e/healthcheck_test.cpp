// End to end: `eventsubd --healthcheck` (Docker's HEALTHCHECK) against real servers.
#include "tests/e2e/e2e_support.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace eventsubd::testing {
namespace {

using namespace std::chrono_literals;

struct probe_result {
  int exit_code = -1;
  std::string output;
};

/// Runs `eventsubd --healthcheck` with `env` (over the test defaults HOST=127.0.0.1,
/// PORT=0) and waits for it to exit.
probe_result healthcheck(std::map<std::string, std::string> env,
                         std::chrono::milliseconds limit = 10s) {
  auto probe = server_process::start_only(std::move(env), {"--healthcheck"});
  auto code = probe.wait_exit(limit);
  EXPECT_TRUE(code.has_value()) << "--healthcheck did not exit";
  return {code.value_or(-1), probe.log()};
}

std::string port_text(uint16_t port) {
  return std::to_string(port);
}

TEST(healthcheck_e2e, healthy_server_exits_0) {
  server_process server;
  auto r = healthcheck({{"PORT", port_text(server.port())}});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("healthy: http://127.0.0.1:" + port_text(server.port()) +
                          "/health answered 200"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
}

TEST(healthcheck_e2e, wildcard_host_is_probed_on_loopback) {
  server_process server{{{"HOST", "0.0.0.0"}}};
  auto r = healthcheck({{"HOST", "0.0.0.0"}, {"PORT", port_text(server.port())}});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("http://127.0.0.1:"), std::string::npos) << r.output;
}

TEST(healthcheck_e2e, port_zero_reads_the_port_file) {
  server_process server;
  auto file = std::filesystem::temp_directory_path() /
              ("eventsubd-healthcheck-port-" + port_text(server.port()));
  std::ofstream(file) << server.port() << "\n";
  auto r = healthcheck({{"PORT", "0"}, {"PORT_FILE", file.string()}});
  std::filesystem::remove(file);
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST(healthcheck_e2e, closed_port_exits_1) {
  auto r = healthcheck({{"PORT", port_text(free_port())}});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("unhealthy: connecting to"), std::string::npos) << r.output;
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
}

TEST(healthcheck_e2e, unreachable_redis_means_503_and_exit_1) {
  server_process server{{{"STORAGE_TYPE", "redis"},
                         {"REDIS_URL", "redis://127.0.0.1:" + port_text(free_port())}}};
  ASSERT_EQ(http_once(server.port(), "GET", "/health").status, 503);
  auto r = healthcheck({{"PORT", port_text(server.port())}});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("answered 503"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("disconnected"), std::string::npos) << r.output;
}

TEST(healthcheck_e2e, silent_server_times_out_and_exits_1) {
  // A listening socket that never answers: connections complete in the kernel's
  // backlog, then nothing is ever read or written.
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor silent{ioc,
                                        {boost::asio::ip::make_address("127.0.0.1"), 0}};
  auto start = std::chrono::steady_clock::now();
  auto r = healthcheck({{"PORT", port_text(silent.local_endpoint().port())}});
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("timed out after 3 s"), std::string::npos) << r.output;
  EXPECT_GE(took, 2500ms);
  EXPECT_LT(took, 8s);
}

TEST(healthcheck_e2e, invalid_configuration_exits_1_not_2) {
  // Docker reserves exit code 2 for health checks.
  auto r = healthcheck({{"PORT", "not-a-port"}});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("PORT"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace eventsubd::testing
