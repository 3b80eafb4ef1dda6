#pragma once

#include <cstdint>
#include <string>
#include <sys/types.h>

namespace eventsubd::testing {

/// A real `redis-server` on a free loopback port with its own temporary directory,
/// started for the tests and stopped (and its directory removed) on destruction.
class redis_server {
 public:
  /// On `port`, or a free one when 0. `durable`: an append-only file synced on every
  /// write, so a killed and restarted server keeps everything it acknowledged.
  explicit redis_server(uint16_t port = 0, bool durable = false);
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

  /// Runs `redis-cli`-free commands through hiredis: FLUSHALL between tests.
  void flush_all() const;

  /// The process-wide instance (started on first use).
  static redis_server& shared();

 private:
  void start();

  std::string dir_;
  uint16_t port_ = 0;
  bool durable_ = false;
  pid_t pid_ = -1;
};

}  // namespace eventsubd::testing
