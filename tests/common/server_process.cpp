#include "tests/common/server_process.hpp"

#include "tests/common/fixtures.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <signal.h>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace eventsubd::testing {
namespace {

#ifdef EVENTSUBD_SANITIZER_BUILD
constexpr bool sanitizer_build = true;
#else
constexpr bool sanitizer_build = false;
#endif

/// Every sanitizer report is fatal, so a process that has begun one exits by itself;
/// symbolizing its stacks (llvm-symbolizer, a separate process) takes seconds on a busy
/// machine, and killing it meanwhile loses all but the first line of the report.
constexpr auto report_grace = std::chrono::seconds(60);

std::string make_temp_dir() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "eventsubd-test-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// A sanitizer's report in `text` (ASan, LSan, UBSan, TSan), from its first line to the
/// end, or empty. Other runtime notices (TSan's "Symbolizer buffer too small" while it
/// matches a suppression against CAF's long names) are not reports.
std::string sanitizer_report(const std::string& text) {
  auto at = std::string::npos;
  for (const char* marker :
       {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
        "runtime error:", "WARNING: ThreadSanitizer", "ERROR: ThreadSanitizer"})
    at = std::min(at, text.find(marker));
  if (at == std::string::npos) return {};
  auto from = text.rfind('\n', at);
  return text.substr(from == std::string::npos ? 0 : from + 1);
}

/// The options a sanitizer runtime (`name`, e.g. ASAN_OPTIONS) gets in the server: the
/// caller's (suppressions, halt_on_error: scripts/sanitizer-env.sh), with its output in
/// `<dir>/sanitizer.<pid>` so that it never mixes into the tested log, and without the
/// exit-time table of suppressions used (not a report). The combined ASan + UBSan
/// runtime reads ASAN_, LSAN_ and UBSAN_OPTIONS in turn, so all of them say the same.
std::string sanitizer_options(const char* name, const std::string& dir) {
  const char* given = std::getenv(name);
  std::string value = given ? given : "";
  if (!value.empty()) value += ':';
  return value + "log_path=" + dir + "/sanitizer:print_suppressions=0";
}

/// The last `max_lines` lines of `text`.
std::string tail(const std::string& text, size_t max_lines) {
  size_t at = text.size();
  for (size_t n = 0; n <= max_lines; ++n) {
    if (at == 0) return text;
    at = text.rfind('\n', at - 1);
    if (at == std::string::npos) return text;
  }
  return text.substr(at + 1);
}

}  // namespace

std::chrono::milliseconds server_process::exit_grace() {
  // A clean exit is well under a second; under sanitizers it includes a leak check.
  return sanitizer_build ? std::chrono::seconds(30) : std::chrono::seconds(10);
}

server_process::server_process(std::map<std::string, std::string> env, stderr_to err) {
  launch(std::move(env), {}, err);
  // It listens within a second; the bound is for a sanitizer build on a loaded machine.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    auto text = read_all(dir_ + "/port");
    if (!text.empty() && text.back() == '\n') {
      port_ = static_cast<uint16_t>(std::stoi(text));
      return;
    }
    if (poll_exit()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  // No destructor runs after a throw from a constructor: stop it and tell all now.
  const bool exited = exit_status_.has_value();
  if (!terminate()) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  throw std::runtime_error(std::string(exited ? "eventsubd exited during start-up"
                                              : "eventsubd did not start listening") +
                           " (files kept in " + dir_ + "):\n" + log() +
                           "\nsanitizer output:\n" + sanitizer_output());
}

server_process::server_process(std::map<std::string, std::string> env,
                               std::initializer_list<std::string> args, no_wait) {
  launch(std::move(env), args, stderr_to::log);
}

server_process server_process::start_only(std::map<std::string, std::string> env,
                                          std::initializer_list<std::string> args) {
  return server_process(std::move(env), args, no_wait{});
}

server_process::server_process(server_process&& other) noexcept
    : dir_(std::move(other.dir_)),
      pid_(other.pid_),
      port_(other.port_),
      exit_status_(other.exit_status_) {
  other.dir_.clear();
  other.pid_ = -1;
}

void server_process::launch(std::map<std::string, std::string> env,
                            std::initializer_list<std::string> args, stderr_to err) {
  dir_ = make_temp_dir();
  std::map<std::string, std::string> full = {{"HOST", "127.0.0.1"},
                                             {"PORT", "0"},
                                             {"PORT_FILE", dir_ + "/port"},
                                             {"LOG_LEVEL", "debug"},
                                             {"PATH", "/usr/bin:/bin"}};
  // Sanitizer builds: the options (suppressions, halt_on_error) reach the server too,
  // with the reports in their own file.
  for (const char* name :
       {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS"})
    full[name] = sanitizer_options(name, dir_);
  for (auto& [k, v] : env) full[k] = v;
  std::vector<std::string> env_strings;
  for (auto& [k, v] : full) env_strings.push_back(k + "=" + v);
  std::vector<std::string> arg_strings{eventsubd_binary()};
  arg_strings.insert(arg_strings.end(), args.begin(), args.end());

  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    // Child: run in the temp dir (so no stray .env is read), log to a file.
    if (chdir(dir_.c_str()) != 0) _exit(126);
    int fd = open((dir_ + "/log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    if (err == stderr_to::own_file) {
      int apart = open((dir_ + "/stderr").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (apart >= 0) {
        dup2(apart, 2);
        close(apart);
      }
    }
    std::vector<char*> argv, envp;
    for (auto& s : arg_strings) argv.push_back(s.data());
    argv.push_back(nullptr);
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
}

server_process::~server_process() {
  if (dir_.empty()) return;
  // Stopped and gone before anything is read: a report is complete only at exit.
  if (pid_ > 0 && !exit_status_ && !terminate()) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    exit_status_ = -SIGKILL;
    ADD_FAILURE() << "eventsubd (pid " << pid_ << ") did not exit within "
                  << exit_grace().count() << " ms of SIGTERM; killed";
  }
  // The sanitizer file whole; the log is checked too, in case a report reached it.
  auto output = sanitizer_output();
  auto report = sanitizer_report(output).empty() ? sanitizer_report(log() + stderr_text())
                                                 : output;
  if (!report.empty())
    ADD_FAILURE() << "eventsubd (pid " << pid_ << ") reported (sanitizer):\n" << report;
  if (::testing::Test::HasFailure()) {
    // Kept for whoever looks into the failure; its end is printed for CI's output.
    std::fprintf(stderr,
                 "[ server log ] eventsubd pid %d, exit %d; kept in %s/log; its last "
                 "lines:\n%s\n[ end of server log ]\n",
                 static_cast<int>(pid_), exit_status_.value_or(-1), dir_.c_str(),
                 tail(log(), 80).c_str());
    return;
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::optional<int> server_process::poll_exit() {
  if (exit_status_ || pid_ <= 0) return exit_status_;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_)
    exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  return exit_status_;
}

std::optional<int> server_process::wait_exit(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  bool extended = false;
  while (true) {
    if (auto status = poll_exit()) return status;
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      // A report in progress ends in an exit: let it finish rather than cut it short.
      if (extended || sanitizer_report(sanitizer_output()).empty()) return std::nullopt;
      extended = true;
      deadline = now + report_grace;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::optional<int> server_process::terminate(std::chrono::milliseconds timeout) {
  if (exit_status_) return exit_status_;
  kill(pid_, SIGTERM);
  return wait_exit(timeout);
}

std::string server_process::log() const {
  return read_all(dir_ + "/log");
}

std::string server_process::stderr_text() const {
  return read_all(dir_ + "/stderr");
}

std::string server_process::sanitizer_output() const {
  std::string out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec))
    if (entry.path().filename().string().rfind("sanitizer", 0) == 0)
      out += read_all(entry.path().string());
  return out;
}

bool server_process::wait_for_log(const std::string& text,
                                  std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (log().find(text) != std::string::npos) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace eventsubd::testing
