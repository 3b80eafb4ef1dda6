#pragma once
// Tools for the abuse tests: raw loopback connections by the thousand (an http_client
// owns an io_context, too heavy for that), the server's memory and CPU time from /proc,
// one /metrics value, and a well-behaved client that keeps probing in the background.

#include "tests/e2e/e2e_support.hpp"

#include <atomic>
#include <chrono>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <thread>

namespace eventsubd::testing {

/// One blocking TCP connection to 127.0.0.1:port, closed on destruction.
class raw_connection {
 public:
  explicit raw_connection(uint16_t port);
  ~raw_connection();
  raw_connection(const raw_connection&) = delete;
  raw_connection& operator=(const raw_connection&) = delete;

  /// Sends everything unless the peer closed (false).
  bool send_all(std::string_view bytes);
  /// Sends what fits without blocking; returns the bytes taken (0 when full or closed).
  size_t send_some_now(std::string_view bytes);
  /// Waits until a send could take bytes again (false after `timeout`, or when closed).
  bool wait_writable(std::chrono::milliseconds timeout);
  /// True once the peer closed (EOF or reset), checked without blocking; bytes that
  /// arrived meanwhile are appended to `received`.
  bool closed_now();
  /// Reads until the peer closes or `timeout` passes; true when it closed.
  bool read_until_closed(std::chrono::milliseconds timeout);

  const std::string& received() const { return received_; }

 private:
  int fd_ = -1;
  std::string received_;
};

/// Resident memory of a process in KiB (VmRSS), 0 if unreadable.
long resident_kib(pid_t pid);
/// The most resident memory a process has had so far in KiB (VmHWM), 0 if unreadable:
/// catches peaks between two samples of resident_kib.
long peak_resident_kib(pid_t pid);
/// User + system CPU time of a process so far.
std::chrono::milliseconds cpu_time(pid_t pid);
/// The value of one series in GET /metrics (exact name with labels), or -1 if absent.
double metric_value(uint16_t port, const std::string& series);
/// Raises this process's open-file limit (children inherit it) to at least `wanted`;
/// false when the hard limit forbids it.
bool raise_open_file_limit(long wanted);

/// Keeps sending GET /health and GET /events on fresh connections from a thread until
/// stopped, counting answers that are not 200 (or no answer at all).
class well_behaved_client {
 public:
  explicit well_behaved_client(uint16_t port);
  ~well_behaved_client();
  /// Stops the thread; afterwards ok() and failed() are final.
  void stop();
  int ok() const { return ok_; }
  int failed() const { return failed_; }
  const std::string& first_failure() const { return first_failure_; }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int> ok_{0}, failed_{0};
  std::string first_failure_;
  std::thread thread_;
};

}  // namespace eventsubd::testing
