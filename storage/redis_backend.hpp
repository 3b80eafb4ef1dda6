#pragma once

#include "storage/backend.hpp"
#include "storage/redis_url.hpp"

#include <chrono>
#include <string>

struct redisContext;

namespace eventsubd::storage {

/// Redis with the old service's layout: `twitch:streamers` and `twitch:stream_status`
/// (hashes login -> JSON) and `twitch:events` (sorted set, JSON member, unix-seconds
/// score, trimmed to the newest `keep`), plus what the old service lacked:
/// `twitch:subscription_ids` (hash login -> per-type subscription ids) and
/// `twitch:seen_message:<id>` (seen EventSub message ids, with a TTL) and
/// `twitch:recent_streams` (hash user id -> the current and recently ended stream ids of
/// that broadcaster, so ordering decisions survive a restart). Synchronous
/// hiredis: it blocks, so the actor that owns it is spawned detached. A lost connection
/// is re-established on the next call; the owner decides how often to try (backoff).
class redis_backend final : public backend {
 public:
  explicit redis_backend(redis_endpoint endpoint,
                         std::chrono::milliseconds timeout = std::chrono::seconds(2));
  ~redis_backend() override;
  redis_backend(const redis_backend&) = delete;
  redis_backend& operator=(const redis_backend&) = delete;

  std::string_view name() const override { return "redis"; }
  bool blocking() const override { return true; }
  bool durable() const override { return true; }
  bool connected() override;
  failure ping() override;
  failure put_streamer(const streamer_record& s) override;
  failure remove_streamer(std::string_view username, bool& existed) override;
  failure load_streamers(std::vector<streamer_record>& out) override;
  failure put_status(const stream_status& s) override;
  failure load_statuses(std::vector<stream_status>& out) override;
  failure remove_status(std::string_view username) override;
  failure append_event(const event_record& e, size_t keep) override;
  failure load_events(size_t limit, std::vector<event_record>& out) override;
  failure mark_seen(std::string_view message_id, std::chrono::seconds ttl) override;
  failure load_seen(std::vector<std::string>& out) override;
  failure put_stream_memory(std::string_view user_id, const stream_memory& m) override;
  failure remove_stream_memory(std::string_view user_id) override;
  failure load_stream_memories(
      std::vector<std::pair<std::string, stream_memory>>& out) override;
  /// One pipelined round trip for the whole batch.
  failure apply(const std::vector<write_op>& ops) override;

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
  failure connect();
  /// AUTH and SELECT on a fresh connection; it is used only once both succeed.
  failure handshake();
  /// Connects if needed, then sends.
  failure run(const command& args, reply& out);
  /// One command on the connection as it is.
  failure send(const command& args, reply& out);
  failure run_pipeline(const std::vector<command>& commands);
  void drop();
  template <class Record, class Parse>
  failure load_hash(const char* key, Parse parse, std::vector<Record>& out);

  redis_endpoint endpoint_;
  std::chrono::milliseconds timeout_;
  redisContext* ctx_ = nullptr;
};

}  // namespace eventsubd::storage
