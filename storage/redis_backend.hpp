#pragma once

#include "storage/backend.hpp"
#include "storage/redis_url.hpp"

#include <chrono>
#include <string>

struct redisContext;

namespace eventsubd::storage {

/// Redis with the old service's layout: `twitch:streamers` and `twitch:stream_status`
/// (hashes login -> JSON) and `twitch:events` (sorted set, JSON member, unix-seconds
/// score, trimmed to the newest `keep`). Synchronous hiredis: it blocks, so the storage
/// actor that owns it is spawned detached. A lost connection is re-established on the
/// next call (at most one attempt per second); until then calls fail.
class redis_backend final : public backend {
 public:
  explicit redis_backend(redis_endpoint endpoint,
                         std::chrono::milliseconds timeout = std::chrono::seconds(2));
  ~redis_backend() override;
  redis_backend(const redis_backend&) = delete;
  redis_backend& operator=(const redis_backend&) = delete;

  std::string_view name() const override { return "redis"; }
  bool blocking() const override { return true; }
  bool connected() override;
  failure put_streamer(const streamer_record& s) override;
  failure remove_streamer(std::string_view username, bool& existed) override;
  failure load_streamers(std::vector<streamer_record>& out) override;
  failure put_status(const stream_status& s) override;
  failure load_statuses(std::vector<stream_status>& out) override;
  failure remove_status(std::string_view username) override;
  failure append_event(const event_record& e, size_t keep) override;
  failure load_events(size_t limit, std::vector<event_record>& out) override;

  static constexpr const char* streamers_key = "twitch:streamers";
  static constexpr const char* statuses_key = "twitch:stream_status";
  static constexpr const char* events_key = "twitch:events";

 private:
  struct reply;
  failure connect();
  failure run(std::initializer_list<std::string_view> args, reply& out);
  failure run_pipeline(
      std::initializer_list<std::initializer_list<std::string_view>> commands);
  void drop();
  template <class Record, class Parse>
  failure load_hash(const char* key, Parse parse, std::vector<Record>& out);

  redis_endpoint endpoint_;
  std::chrono::milliseconds timeout_;
  redisContext* ctx_ = nullptr;
  std::chrono::steady_clock::time_point next_attempt_{};
};

}  // namespace eventsubd::storage
