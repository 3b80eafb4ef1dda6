#pragma once

#include "storage/backend.hpp"
#include "storage/redis_sentinel.hpp"
#include "storage/redis_url.hpp"

#include <chrono>
#include <string>

struct redisContext;

namespace eventsubd::storage {

/// Everything that decides where eventsubd writes and when a write counts as stored.
struct redis_options {
  redis_endpoint endpoint;      // AUTH and SELECT; its host:port unless sentinels are set
  sentinel_settings sentinels;  // set: the master is whatever they name (and ROLE says)
  int min_replicas = 0;         // > 0: a batch counts only once WAIT confirms this many
  std::chrono::milliseconds wait_timeout{1000};
  std::chrono::milliseconds timeout{2000};  // connecting, and each reply (plus the WAIT)
  std::chrono::milliseconds sentinel_timeout{500};  // each step with one sentinel
};

/// Redis with the old service's layout: `twitch:streamers` and `twitch:stream_status`
/// (hashes login -> JSON) and `twitch:events` (sorted set, JSON member, unix-seconds
/// score, trimmed to the newest `keep`), plus what the old service lacked:
/// `twitch:subscription_ids` (hash login -> per-type subscription ids) and
/// `twitch:seen_message:<id>` (seen EventSub message ids, with a TTL) and
/// `twitch:recent_streams` (hash user id -> the current and recently ended stream ids of
/// that broadcaster, so ordering decisions survive a restart). Synchronous
/// hiredis: it blocks, so the actor that owns it is spawned detached. A lost connection
/// is re-established on the next call; the owner decides how often to try (backoff).
///
/// With sentinels, every new connection asks them for the master and checks its `ROLE`;
/// a lost connection, a `READONLY` refusal, a `ROLE` that is no longer "master", a
/// `ping` to which the sentinels name another node, or a `WAIT` that came short closes
/// the connection, so the next call finds the master again (a failover is followed).
/// With `min_replicas`, each batch ends with a `PUBLISH` barrier and `WAIT`: fewer
/// replicas in time fail it (the caller keeps it and sends it again); `ping` does the
/// same with an empty batch.
///
/// The connection (connecting, AUTH, SELECT, Sentinel discovery, ROLE, one command) is
/// in redis_connection.cpp; the commands (batches, WAIT, loads) in redis_backend.cpp.
class redis_backend final : public backend {
 public:
  explicit redis_backend(redis_endpoint endpoint,
                         std::chrono::milliseconds timeout = std::chrono::seconds(2));
  explicit redis_backend(redis_options options);
  ~redis_backend() override;
  redis_backend(const redis_backend&) = delete;
  redis_backend& operator=(const redis_backend&) = delete;

  std::string_view name() const override { return "redis"; }
  bool blocking() const override { return true; }
  bool durable() const override { return true; }
  bool connected() override;
  result<void> ping() override;
  result<void> put_streamer(const streamer_record& s) override;
  result<bool> remove_streamer(std::string_view username) override;
  result<std::vector<streamer_record>> load_streamers() override;
  result<void> put_status(const stream_status& s) override;
  result<std::vector<stream_status>> load_statuses() override;
  result<void> remove_status(std::string_view username) override;
  result<void> append_event(const event_record& e, size_t keep) override;
  result<std::vector<event_record>> load_events(size_t limit) override;
  result<void> mark_seen(std::string_view message_id, std::chrono::seconds ttl) override;
  result<std::vector<std::string>> load_seen() override;
  result<void> put_stream_memory(std::string_view user_id,
                                 const stream_memory& m) override;
  result<void> remove_stream_memory(std::string_view user_id) override;
  result<stream_memories> load_stream_memories() override;
  /// One pipelined round trip for the whole batch.
  result<void> apply(const std::vector<write_op>& ops) override;

  static constexpr const char* streamers_key = "twitch:streamers";
  static constexpr const char* statuses_key = "twitch:stream_status";
  static constexpr const char* events_key = "twitch:events";
  static constexpr const char* subscription_ids_key = "twitch:subscription_ids";
  static constexpr std::string_view seen_prefix = "twitch:seen_message:";
  static constexpr const char* recent_streams_key = "twitch:recent_streams";

 private:
  struct reply;
  struct batch;
  using command = std::vector<std::string_view>;
  result<void> connect();
  /// Asks the sentinels in turn, from the one that answered last, until one names a
  /// node that takes us as the master.
  result<void> connect_via_sentinels();
  /// A connection to `node`, used only once AUTH, SELECT and (sentinels) ROLE passed.
  result<void> open(const host_port& node);
  /// AUTH and SELECT on a fresh connection; it is used only once both succeed.
  result<void> handshake();
  /// Fails unless the node says `ROLE` master (passes when an ACL denies ROLE).
  result<void> check_master();
  /// A connection to the master that answers (PING; with sentinels: still the one they
  /// name, and ROLE master).
  result<void> reach_master();
  /// True when the first sentinel that answers names a master other than `node_`.
  bool sentinels_name_another();
  /// Connects if needed, then sends.
  result<reply> run(const command& args);
  /// One command on the connection as it is; an error reply fails it.
  result<reply> send(const command& args);
  result<void> run_pipeline(const std::vector<command>& commands);
  void drop();
  template <class Record, class Parse>
  result<std::vector<Record>> load_hash(const char* key, Parse parse);

  redis_options opts_;
  redisContext* ctx_ = nullptr;
  host_port node_;                 // where ctx_ is connected
  size_t first_sentinel_ = 0;      // the one to ask first: the last that named the master
  host_port last_master_;          // the last master connected to through the sentinels
  bool connected_before_ = false;  // through the sentinels: logged once per master
  bool role_refused_ = false;      // the ACL denies ROLE: the sentinels are trusted
};

}  // namespace eventsubd::storage
