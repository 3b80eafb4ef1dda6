#include "tests/e2e/abuse_support.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <fstream>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sstream>
#include <stdexcept>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

namespace eventsubd::testing {

raw_connection::raw_connection(uint16_t port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error("socket: " + std::to_string(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    int e = errno;
    ::close(fd_);
    throw std::runtime_error("connect: " + std::to_string(e));
  }
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

raw_connection::~raw_connection() {
  if (fd_ >= 0) ::close(fd_);
}

bool raw_connection::send_all(std::string_view bytes) {
  while (!bytes.empty()) {
    auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

size_t raw_connection::send_some_now(std::string_view bytes) {
  auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  return n > 0 ? static_cast<size_t>(n) : 0;
}

bool raw_connection::wait_writable(std::chrono::milliseconds timeout) {
  pollfd p{fd_, POLLOUT, 0};
  int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
  return ready > 0 && (p.revents & POLLOUT) && !(p.revents & (POLLERR | POLLHUP));
}

bool raw_connection::closed_now() {
  char buf[16384];
  while (true) {
    auto n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) {
      received_.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n == 0) return true;
    if (errno == EINTR) continue;
    return errno != EAGAIN && errno != EWOULDBLOCK;  // reset counts as closed
  }
}

bool raw_connection::read_until_closed(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (closed_now()) return true;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    ::poll(&p, 1, static_cast<int>(left.count()));
  }
}

namespace {
/// One "Name:  123 kB" line of /proc/<pid>/status, in KiB.
long status_kib(pid_t pid, std::string_view name) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(name, 0) == 0) return std::stol(line.substr(name.size()));
  return 0;
}
}  // namespace

long resident_kib(pid_t pid) {
  return status_kib(pid, "VmRSS:");
}

long peak_resident_kib(pid_t pid) {
  return status_kib(pid, "VmHWM:");
}

std::chrono::milliseconds cpu_time(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  // Fields after the command name (which may hold spaces): state is field 3, utime 14,
  // stime 15.
  auto after = text.rfind(')');
  if (after == std::string::npos) return {};
  std::istringstream fields(text.substr(after + 2));
  std::string skip;
  for (int field = 3; field < 14; ++field) fields >> skip;
  long utime = 0, stime = 0;
  fields >> utime >> stime;
  long ticks = sysconf(_SC_CLK_TCK);
  return std::chrono::milliseconds((utime + stime) * 1000 / ticks);
}

double metric_value(uint16_t port, const std::string& series) {
  auto r = http_once(port, "GET", "/metrics");
  std::istringstream lines(r.body);
  std::string line;
  while (std::getline(lines, line))
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
        line[series.size()] == ' ')
      return std::stod(line.substr(series.size() + 1));
  return -1;
}

bool raise_open_file_limit(long wanted) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return false;
  if (limit.rlim_cur >= static_cast<rlim_t>(wanted)) return true;
  rlimit raised = limit;
  raised.rlim_cur = static_cast<rlim_t>(wanted);
  if (raised.rlim_max < raised.rlim_cur) raised.rlim_max = raised.rlim_cur;  // root only
  if (setrlimit(RLIMIT_NOFILE, &raised) == 0) return true;
  raised.rlim_cur = limit.rlim_max;
  raised.rlim_max = limit.rlim_max;
  return setrlimit(RLIMIT_NOFILE, &raised) == 0 &&
         raised.rlim_cur >= static_cast<rlim_t>(wanted);
}

well_behaved_client::well_behaved_client(uint16_t port) {
  thread_ = std::thread([this, port] {
    while (!stop_) {
      for (const char* target : {"/health", "/events?limit=5"}) {
        std::string why;
        try {
          auto r = http_once(port, "GET", target);
          if (r.status == 200)
            ++ok_;
          else
            why = std::string(target) + " answered " + std::to_string(r.status);
        } catch (const std::exception& e) {
          why = std::string(target) + ": " + e.what();
        }
        if (!why.empty() && failed_++ == 0) first_failure_ = why;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
}

well_behaved_client::~well_behaved_client() {
  stop();
}

void well_behaved_client::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

}  // namespace eventsubd::testing
