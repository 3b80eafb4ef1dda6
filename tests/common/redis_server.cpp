#include "tests/common/redis_server.hpp"

#include "tests/common/http_client.hpp"

#include <hiredis/hiredis.h>

#include <chrono>
#include <filesystem>
#include <netinet/in.h>
#include <random>
#include <signal.h>
#include <stdexcept>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace eventsubd::testing {
namespace {

bool ping(uint16_t port) {
  timeval tv{0, 200000};
  redisContext* c = redisConnectWithTimeout("127.0.0.1", port, tv);
  bool ok = false;
  if (c && !c->err) {
    auto* r = static_cast<redisReply*>(redisCommand(c, "PING"));
    ok = r && r->type == REDIS_REPLY_STATUS;
    if (r) freeReplyObject(r);
  }
  if (c) redisFree(c);
  return ok;
}

}  // namespace

void die_with_parent() {
  // Only a SIGKILL stops a test binary without its destructors running (a crash, a
  // ctest timeout): then the kernel stops what it started too. (The signal follows the
  // thread that forked: servers are started from the test's own thread.)
  prctl(PR_SET_PDEATHSIG, SIGKILL);
}

/// Outside the kernel's ephemeral range (32768 and up) that `free_port()` and every
/// client connection draw from.
uint16_t redis_server::pick_port() {
  std::random_device seed;
  std::mt19937 pick(seed());
  std::uniform_int_distribution<int> range(20000, 32000);
  for (;;) {
    auto port = static_cast<uint16_t>(range(pick));
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool free = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    close(fd);
    if (free) return port;
  }
}

redis_server::redis_server(uint16_t port_wanted, bool durable,
                           std::vector<std::string> extra)
    : durable_(durable), extra_(std::move(extra)) {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "eventsubd-redis-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  port_ = port_wanted ? port_wanted : pick_port();
  start();
}

void redis_server::kill_now() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

void redis_server::restart() {
  kill_now();
  start();
}

void redis_server::restart_with(std::vector<std::string> extra) {
  kill_now();
  extra_ = std::move(extra);
  start();
}

void redis_server::start() {
  auto port = std::to_string(port_);
  std::vector<std::string> args{"redis-server",
                                "--port",
                                port,
                                "--bind",
                                "127.0.0.1",
                                "--save",
                                "",
                                "--appendonly",
                                durable_ ? "yes" : "no",
                                "--appendfsync",
                                "always",
                                "--dir",
                                dir_,
                                "--loglevel",
                                "warning"};
  args.insert(args.end(), extra_.begin(), extra_.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    die_with_parent();
    execvp("redis-server", argv.data());
    _exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!ping(port_)) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_)
      throw std::runtime_error("redis-server exited at start (is it installed?)");
    if (std::chrono::steady_clock::now() > deadline)
      throw std::runtime_error("redis-server did not start");
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

redis_server::~redis_server() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void redis_server::flush_all() const {
  timeval tv{1, 0};
  redisContext* c = redisConnectWithTimeout("127.0.0.1", port_, tv);
  if (!c || c->err) throw std::runtime_error("cannot reach the test redis-server");
  auto* r = static_cast<redisReply*>(redisCommand(c, "FLUSHALL"));
  if (r) freeReplyObject(r);
  redisFree(c);
}

redis_server& redis_server::shared() {
  static redis_server instance;
  return instance;
}

}  // namespace eventsubd::testing
