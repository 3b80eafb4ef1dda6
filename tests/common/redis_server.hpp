#pragma once

#include <cstdint>
#include <string>
#include <sys/types.h>
#include <vector>

namespace eventsubd::testing {

/// In a child between `fork` and `exec`: SIGKILL it when the test process dies without
/// cleaning up (a crash, a ctest timeout), so no server outlives its test.
void die_with_parent();

/// A real `redis-server` on a free loopback port with its own temporary directory,
/// started for the tests and stopped (and its directory removed) on destruction.
class redis_server {
 public:
  /// On `port`, or a free one when 0. `durable`: an append-only file synced on every
  /// write, so a killed and restarted server keeps everything it acknowledged.
  /// `extra`: more `redis-server` arguments (e.g. `--replicaof 127.0.0.1 6379`), given
  /// again on a restart.
  explicit redis_server(uint16_t port = 0, bool durable = false,
                        std::vector<std::string> extra = {});
  ~redis_server();
  redis_server(const redis_server&) = delete;
  redis_server& operator=(const redis_server&) = delete;

  uint16_t port() const { return port_; }
  /// Its working directory (`dir`): where an RDB save writes `dump.rdb`.
  const std::string& dir() const { return dir_; }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

  /// SIGKILL, like a crash; the directory (and a durable server's data) stays.
  void kill_now();
  /// Starts it again on the same port and directory.
  void restart();
  /// As `restart`, with these `redis-server` arguments instead of the earlier ones (e.g.
  /// a master that comes back as a replica of the one promoted in its place).
  void restart_with(std::vector<std::string> extra);

  /// Runs `redis-cli`-free commands through hiredis: FLUSHALL between tests.
  void flush_all() const;

  /// A free loopback port for a Redis or a sentinel, outside the kernel's ephemeral range
  /// (a server that is killed and restarted must find its port still free).
  static uint16_t pick_port();

  /// The process-wide instance (started on first use).
  static redis_server& shared();

 private:
  void start();

  std::string dir_;
  uint16_t port_ = 0;
  bool durable_ = false;
  std::vector<std::string> extra_;
  pid_t pid_ = -1;
};

}  // namespace eventsubd::testing
