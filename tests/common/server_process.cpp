#include "tests/common/server_process.hpp"

#include "tests/common/fixtures.hpp"

#include <gtest/gtest.h>

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

/// A sanitizer's report in the server's log (ASan, LSan, UBSan, TSan), or empty. The
/// report goes to stderr, which is the log file; a test fails on it even when the
/// server kept answering (UBSan reports that do not halt, TSan races).
std::string sanitizer_report(const std::string& log) {
  for (const char* marker : {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                             "runtime error:", "WARNING: ThreadSanitizer"}) {
    auto at = log.find(marker);
    if (at == std::string::npos) continue;
    auto from = log.rfind('\n', at);
    from = from == std::string::npos ? 0 : from + 1;
    return log.substr(from, 4000);
  }
  return {};
}

}  // namespace

server_process::server_process(std::map<std::string, std::string> env, stderr_to err) {
  launch(std::move(env), {}, err);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    auto text = read_all(dir_ + "/port");
    if (!text.empty() && text.back() == '\n') {
      port_ = static_cast<uint16_t>(std::stoi(text));
      return;
    }
    if (wait_exit(std::chrono::milliseconds(0)))
      throw std::runtime_error("eventsubd exited during start-up:\n" + log());
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  throw std::runtime_error("eventsubd did not start listening:\n" + log());
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
  // Sanitizer builds: the options (suppressions, halt_on_error) reach the server too.
  for (const char* name :
       {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS"})
    if (const char* value = std::getenv(name)) full[name] = value;
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
  if (pid_ > 0 && !exit_status_) {
    if (!terminate(std::chrono::seconds(10))) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  if (!dir_.empty()) {
    if (auto report = sanitizer_report(log() + stderr_text()); !report.empty())
      ADD_FAILURE() << "eventsubd reported (sanitizer):\n" << report;
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

std::optional<int> server_process::wait_exit(std::chrono::milliseconds timeout) {
  if (exit_status_) return exit_status_;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  do {
    int status = 0;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
      return exit_status_;
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  } while (true);
  return std::nullopt;
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
