#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <sys/types.h>

namespace eventsubd::testing {

/// Runs the real eventsubd binary on a loopback port chosen by the kernel (`PORT=0`
/// with `PORT_FILE`), with a clean environment of our choosing, logs to a file.
///
/// Sanitizer builds: the sanitizers write to their own file beside the log
/// (`log_path`), never into the tested log. Whenever the server is stopped, the harness
/// waits for it to exit (longer while a report is being written) before it reads
/// anything, and the destructor fails the test on a sanitizer report, printing it
/// whole. The log of a test that failed is printed (its end) and kept on disk.
class server_process {
 public:
  /// Where the server's standard error goes: into the log with standard output (the
  /// default), or into a file of its own, to tell which stream a line was written to.
  enum class stderr_to { log, own_file };

  /// Starts with `HOST=127.0.0.1`, `PORT=0` and `env` on top; waits until it listens.
  explicit server_process(std::map<std::string, std::string> env = {},
                          stderr_to err = stderr_to::log);
  ~server_process();
  server_process(const server_process&) = delete;
  server_process& operator=(const server_process&) = delete;

  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }

  /// How long a stopping server gets before it is killed: longer in sanitizer builds,
  /// whose exit runs a leak check and whose reports take seconds to symbolize.
  static std::chrono::milliseconds exit_grace();

  /// Sends SIGTERM and waits for exit; returns the exit status (or -signal), nullopt on
  /// timeout.
  std::optional<int> terminate(std::chrono::milliseconds timeout = exit_grace());

  /// Waits for the process to exit by itself (e.g. a configuration error). Past
  /// `timeout`, waits on while a sanitizer report is being written (it ends in an exit).
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);

  /// What the sanitizers wrote (reports, notices; usually empty). Complete at exit.
  std::string sanitizer_output() const;

  /// Everything the server logged so far (standard output, and standard error unless
  /// kept apart).
  std::string log() const;

  /// What it wrote to standard error when that was kept apart.
  std::string stderr_text() const;

  /// Waits until the log contains `text`.
  bool wait_for_log(const std::string& text,
                    std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;

  /// Starts the binary without waiting for it to listen (for start-up failure tests).
  static server_process start_only(std::map<std::string, std::string> env,
                                   std::initializer_list<std::string> args = {});

 private:
  struct no_wait {};
  server_process(std::map<std::string, std::string> env,
                 std::initializer_list<std::string> args, no_wait);
  void launch(std::map<std::string, std::string> env,
              std::initializer_list<std::string> args, stderr_to err);
  std::optional<int> poll_exit();

  std::string dir_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::optional<int> exit_status_;

 public:
  server_process(server_process&& other) noexcept;
};

}  // namespace eventsubd::testing
