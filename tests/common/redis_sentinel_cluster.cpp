#include "tests/common/redis_sentinel_cluster.hpp"

#include "tests/common/eventually.hpp"

#include <filesystem>
#include <fstream>
#include <signal.h>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace eventsubd::testing {
namespace {

using namespace std::chrono_literals;

/// How often a wait asks the nodes again: each ask is a fresh connection.
constexpr auto ask_every = 20ms;

/// One command on a fresh connection (AUTH first with a password); an unreachable
/// node gives an error answer.
redis_client::answer ask(uint16_t port, const std::vector<std::string>& args,
                         const std::string& password = {}) {
  try {
    redis_client c(port);
    if (!password.empty()) {
      auto auth = c.run({"AUTH", password});
      if (auth.error) return auth;
    }
    return c.run(args);
  } catch (const std::exception& e) {
    redis_client::answer a;
    a.error = true;
    a.text = e.what();
    return a;
  }
}

std::string info_field(uint16_t port, const std::string& field) {
  try {
    redis_client c(port);
    return c.info("replication", field);
  } catch (const std::exception&) {
    return {};
  }
}

/// Stops `pid`: SIGTERM, then SIGKILL when it has not exited within 5 s.
void stop_process(pid_t pid) {
  kill(pid, SIGTERM);
  bool gone =
      eventually([&] { return waitpid(pid, nullptr, WNOHANG) != 0; }, 5s, ask_every);
  if (gone) return;
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
}

/// A master sends its data to a new replica at once (Redis waits 5 s for others to
/// join the same transfer). Every node gets it: any one may become the master.
std::vector<std::string> quick_sync() {
  return {"--repl-diskless-sync-delay", "0"};
}

std::vector<std::string> replica_of(uint16_t master_port) {
  auto args = quick_sync();
  args.insert(args.end(), {"--replicaof", "127.0.0.1", std::to_string(master_port)});
  return args;
}

std::string tail_of(const std::string& path, size_t bytes) {
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  return text.size() > bytes ? text.substr(text.size() - bytes) : text;
}

}  // namespace

redis_sentinel_cluster::redis_sentinel_cluster(std::string sentinel_password)
    : password_(std::move(sentinel_password)) {
  // A constructor that throws runs no destructor: what was started is stopped here.
  try {
    start();
  } catch (...) {
    stop_sentinels();
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
    throw;
  }
}

void redis_sentinel_cluster::start() {
  master_ = std::make_unique<redis_server>(0, false, quick_sync());
  replica_ = std::make_unique<redis_server>(0, false, replica_of(master_->port()));
  // In sync before the sentinels start: their first INFO of the master then lists the
  // replica (the next one comes only 10 s later).
  if (!wait_for_replicas(master_->port(), 1, 30s) ||
      !eventually(
          [&] { return info_field(replica_->port(), "master_link_status") == "up"; }, 30s,
          ask_every))
    throw std::runtime_error("the replica did not get in sync with the master");
  std::string pattern =
      (std::filesystem::temp_directory_path() / "eventsubd-sentinels-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  for (int i = 0; i < 3; ++i) start_sentinel(redis_server::pick_port());
  // Sentinels find each other through the master's hello channel, every 2 s.
  if (!eventually([&] { return ready(); }, 60s, ask_every))
    throw std::runtime_error("the sentinels did not see the replica and each other:\n" +
                             sentinel_logs());
}

redis_sentinel_cluster::~redis_sentinel_cluster() {
  stop_sentinels();  // first, so none starts a failover while the nodes stop
  replica_.reset();
  master_.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void redis_sentinel_cluster::stop_sentinels() {
  for (auto pid : sentinel_pids_) stop_process(pid);
  sentinel_pids_.clear();
}

void redis_sentinel_cluster::start_sentinel(uint16_t port) {
  auto conf = dir_ + "/sentinel-" + std::to_string(port) + ".conf";
  {
    std::ofstream out(conf);
    out << "port " << port << "\nbind 127.0.0.1\ndaemonize no\ndir " << dir_
        << "\nlogfile \"" << dir_ << "/sentinel-" << port << ".log\"\n";
    if (!password_.empty())
      out << "requirepass \"" << password_ << "\"\nsentinel sentinel-pass \"" << password_
          << "\"\n";
    out << "sentinel monitor " << master_name << " 127.0.0.1 " << master_->port()
        << " 2\n"
        // Quick, for tests: down after 1 s of silence; a failover that stalls (an
        // election without a majority, a promotion not seen) is tried again after 2x
        // this, and a promotion has this long to show.
        << "sentinel down-after-milliseconds " << master_name << " 1000\n"
        << "sentinel failover-timeout " << master_name << " 3000\n"
        << "sentinel parallel-syncs " << master_name << " 1\n";
  }
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    die_with_parent();
    execlp("redis-sentinel", "redis-sentinel", conf.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  sentinel_pids_.push_back(pid);
  sentinel_ports_.push_back(port);
  bool up = eventually(
      [&] {
        if (waitpid(pid, nullptr, WNOHANG) == pid) {
          sentinel_pids_.pop_back();
          throw std::runtime_error("redis-sentinel exited at start (is it installed?)");
        }
        return !ask(port, {"PING"}, password_).error;
      },
      10s, ask_every);
  if (!up) throw std::runtime_error("redis-sentinel did not start");
}

redis_client::answer redis_sentinel_cluster::ask_sentinel(
    size_t index, const std::vector<std::string>& args) const {
  return ask(sentinel_ports_.at(index), args, password_);
}

bool redis_sentinel_cluster::ready() const {
  for (size_t i = 0; i < sentinel_ports_.size(); ++i) {
    auto a = ask_sentinel(i, {"SENTINEL", "master", master_name});
    std::string slaves, others;
    for (size_t f = 0; f + 1 < a.items.size(); f += 2) {
      if (a.items[f] == "num-slaves") slaves = a.items[f + 1];
      if (a.items[f] == "num-other-sentinels") others = a.items[f + 1];
    }
    if (slaves != "1" || others != "2") return false;
  }
  return true;
}

std::string redis_sentinel_cluster::sentinels_setting() const {
  std::string out;
  for (auto port : sentinel_ports_)
    out += (out.empty() ? "" : ",") + std::string("127.0.0.1:") + std::to_string(port);
  return out;
}

bool redis_sentinel_cluster::wait_for_master(uint16_t port,
                                             std::chrono::milliseconds limit) const {
  return eventually(
      [&] {
        for (size_t i = 0; i < sentinel_ports_.size(); ++i) {
          auto a = ask_sentinel(i, {"SENTINEL", "get-master-addr-by-name", master_name});
          if (a.items.size() != 2 || a.items[1] != std::to_string(port)) return false;
        }
        return true;
      },
      limit, ask_every);
}

bool redis_sentinel_cluster::wait_for_replicas(uint16_t port, int replicas,
                                               std::chrono::milliseconds limit) const {
  return eventually(
      [&] {
        return online_replicas(port) == replicas && info_field(port, "role") == "master";
      },
      limit, ask_every);
}

int online_replicas(uint16_t port) {
  // "slave0:ip=127.0.0.1,port=...,state=online,offset=...": online once it has the
  // data and acknowledges offsets, so a WAIT counts it (connected_slaves counts it
  // from its first connection on).
  int n = 0;
  for (int i = 0; i < 16; ++i) {
    auto line = info_field(port, "slave" + std::to_string(i));
    if (line.empty()) break;
    if (line.find("state=online") != std::string::npos) ++n;
  }
  return n;
}

void redis_sentinel_cluster::rejoin_as_replica(redis_server& node, uint16_t master_port) {
  node.restart_with(replica_of(master_port));
}

void redis_sentinel_cluster::demote(uint16_t port, uint16_t master_port) {
  auto r = ask(port, {"REPLICAOF", "127.0.0.1", std::to_string(master_port)});
  if (r.error) throw std::runtime_error("REPLICAOF failed: " + r.text);
}

std::string redis_sentinel_cluster::sentinel_logs() const {
  std::ostringstream out;
  for (auto port : sentinel_ports_)
    out << "--- sentinel " << port << ":\n"
        << tail_of(dir_ + "/sentinel-" + std::to_string(port) + ".log", 3000) << "\n";
  return out.str();
}

}  // namespace eventsubd::testing
