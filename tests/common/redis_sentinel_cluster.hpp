#pragma once

#include "tests/common/redis_client.hpp"
#include "tests/common/redis_server.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <sys/types.h>
#include <vector>

namespace eventsubd::testing {

/// How many replicas the master on `port` has online (in sync, acknowledging writes:
/// what WAIT counts); 0 when it does not answer.
int online_replicas(uint16_t port);

/// Redis with Sentinel on loopback, for the tests: one master, one replica of it, and
/// three `redis-sentinel`s monitoring it with a quorum of 2, each on a free port, their
/// configuration and logs in a temporary directory. Tuned for quick failovers: a master
/// silent for 1 s is down, a failover may take 3 s before it is tried again.
///
/// The constructor returns once the replica is in sync and every sentinel knows it and
/// the two others (a failover needs both); it throws (after stopping whatever it
/// started) when that does not happen within a minute. The destructor stops every
/// process (SIGTERM, SIGKILL after 5 s) and removes the directories; a test binary
/// killed outright takes its servers with it (`die_with_parent`).
class redis_sentinel_cluster {
 public:
  static constexpr const char* master_name = "eventsubd-test";

  /// `sentinel_password`: the sentinels require it (`requirepass`, and
  /// `sentinel sentinel-pass` among themselves); empty: none.
  explicit redis_sentinel_cluster(std::string sentinel_password = {});
  ~redis_sentinel_cluster();
  redis_sentinel_cluster(const redis_sentinel_cluster&) = delete;
  redis_sentinel_cluster& operator=(const redis_sentinel_cluster&) = delete;

  /// The node started as the master, and the one started as its replica.
  redis_server& first_master() { return *master_; }
  redis_server& first_replica() { return *replica_; }

  const std::vector<uint16_t>& sentinel_ports() const { return sentinel_ports_; }
  /// `127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3`, as REDIS_SENTINELS takes it.
  std::string sentinels_setting() const;

  /// One command to a sentinel (after AUTH when they require a password); an
  /// unreachable sentinel gives an error answer.
  redis_client::answer ask_sentinel(size_t index,
                                    const std::vector<std::string>& args) const;

  /// Waits until every sentinel names `port` as the master (after a failover); false
  /// when `limit` passes first.
  bool wait_for_master(uint16_t port, std::chrono::milliseconds limit) const;

  /// Waits until the node on `port` is a master with `replicas` replicas online.
  bool wait_for_replicas(uint16_t port, int replicas,
                         std::chrono::milliseconds limit) const;

  /// Brings a stopped (killed) node back as a replica of the master on `master_port`,
  /// as an operator would after a failover; the sentinels would otherwise convert it
  /// only after one of their slower checks, and it comes back empty as a master first.
  void rejoin_as_replica(redis_server& node, uint16_t master_port);

  /// Makes the live node on `port` a replica of the master on `master_port` at once, as
  /// the sentinels do with a master a failover replaced, but only at their next look
  /// at it (INFO, every 10 s).
  void demote(uint16_t port, uint16_t master_port);

  /// The end of every sentinel's log, for a failed test's message.
  std::string sentinel_logs() const;

 private:
  void start();
  void start_sentinel(uint16_t port);
  bool ready() const;
  void stop_sentinels();

  std::string password_;
  std::unique_ptr<redis_server> master_;
  std::unique_ptr<redis_server> replica_;
  std::string dir_;  // the sentinels' configuration files (they rewrite them) and logs
  std::vector<uint16_t> sentinel_ports_;
  std::vector<pid_t> sentinel_pids_;
};

}  // namespace eventsubd::testing
